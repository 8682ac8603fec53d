//! Every registered resource and data source: its model struct and its schema agree, attribute
//! by attribute and type by type (see `schema::model::check_model`).
//!
//! Types that still read their values by attribute name are listed in `NOT_YET_MODELLED`; the
//! list may only shrink. A listed type that has a model fails the test, so the list stays true.

use terraform_provider_harbor::ephemeral_resources::robot_account::EphemeralRobotAccount;
use terraform_provider_harbor::ephemeral_resources::robot_secret::EphemeralRobotSecret;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::resource::Provider;

/// Resources and data sources not yet moved to a model struct (issue 16 moves them one by one).
const NOT_YET_MODELLED: &[&str] = &["harbor_robot_account"];

#[test]
fn every_model_agrees_with_its_schema() {
    let provider = HarborProvider;
    let mut checks = Vec::new();
    for r in provider.resources() {
        checks.push((r.type_name().to_owned(), r.check_model()));
    }
    for d in provider.data_sources() {
        checks.push((format!("data.{}", d.type_name()), d.check_model()));
    }
    // Ephemeral resources are new, and model-first from the start.
    checks.push((
        "ephemeral.harbor_robot_account".to_owned(),
        Some(EphemeralRobotAccount::check_model()),
    ));
    checks.push((
        "ephemeral.harbor_robot_secret".to_owned(),
        Some(EphemeralRobotSecret::check_model()),
    ));
    assert_eq!(
        provider.ephemeral_resources().len(),
        2,
        "an ephemeral resource was added: check its model here"
    );

    let mut failures = Vec::new();
    let mut modelled = 0;
    for (name, check) in &checks {
        match (check, NOT_YET_MODELLED.contains(&name.as_str())) {
            (Some(Ok(())), false) => modelled += 1,
            (Some(Err(e)), _) => failures.push(format!("{name}: {e}")),
            (Some(Ok(())), true) => failures.push(format!(
                "{name} has a model now: take it off NOT_YET_MODELLED"
            )),
            (None, false) => failures.push(format!(
                "{name} has no model: give it one (see CONTRIBUTING.md), or list it in NOT_YET_MODELLED"
            )),
            (None, true) => {}
        }
    }
    for listed in NOT_YET_MODELLED {
        if !checks.iter().any(|(name, _)| name == listed) {
            failures.push(format!("{listed} is listed but not registered"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(modelled > 0, "no registered type has a model");
    eprintln!(
        "{modelled} of {} types modelled; {} not yet",
        checks.len(),
        NOT_YET_MODELLED.len()
    );
}
