//! Every registered resource and data source: its model struct and its schema agree, attribute
//! by attribute and type by type (see `schema::model::check_model`).
//!
//! Every type must have a model: one without (`check_model` returning `None`) fails the test.

use terraform_provider_harbor::ephemeral_resources::robot_account::EphemeralRobotAccount;
use terraform_provider_harbor::ephemeral_resources::robot_secret::EphemeralRobotSecret;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::resource::Provider;

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
    for (name, check) in &checks {
        match check {
            Some(Ok(())) => {}
            Some(Err(e)) => failures.push(format!("{name}: {e}")),
            None => failures.push(format!(
                "{name} has no model: give it one (see CONTRIBUTING.md, \"Adding a resource\")"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} types modelled, every registered one", checks.len());
}
