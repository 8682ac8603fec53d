//! Docs and examples stay true to the schema: the committed `docs/` equals the generator's
//! output, every resource and data source has its example (and resources their `import.sh`),
//! and example HCL only sets attributes and blocks the schema has.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use terraform_provider_harbor::docs::{self, DocSet, ExampleSchemas};
use terraform_provider_harbor::resources;
use terraform_provider_harbor::schema::Schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Resources that have a schema but that `resources::all()` does not serve yet. Their examples
/// are checked against these schemas so they are right on the day the type is registered.
/// None today: registry, replication and robot accounts are served.
fn unregistered_resources() -> Vec<(&'static str, Schema)> {
    Vec::new()
}

/// An entry above must really be unregistered, or it excuses a served resource from the
/// checks that use the served schema.
#[test]
fn unregistered_resources_are_not_served() {
    let served: Vec<&str> = resources::all().iter().map(|r| r.type_name()).collect();
    let excused: Vec<&str> = unregistered_resources()
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| served.contains(n))
        .collect();
    assert!(
        excused.is_empty(),
        "served, so remove from unregistered_resources(): {excused:?}"
    );
}

#[test]
fn committed_docs_match_the_generator() {
    let set = DocSet::from_provider(root());
    let pages = set.render().expect("render docs");
    let problems = docs::check(&root().join("docs"), &pages).expect("read docs/");
    assert!(
        problems.is_empty(),
        "docs/ is out of date; run `cargo run --bin harbor-docs` and commit the result:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_resource_and_data_source_has_its_examples() {
    let set = DocSet::from_provider(root());
    let mut missing = Vec::new();
    for (name, _) in &set.resources {
        for file in ["resource.tf", "import.sh"] {
            let rel = format!("examples/resources/{name}/{file}");
            if !root().join(&rel).is_file() {
                missing.push(rel);
            }
        }
    }
    for (name, _) in &set.data_sources {
        let rel = format!("examples/data-sources/{name}/data-source.tf");
        if !root().join(&rel).is_file() {
            missing.push(rel);
        }
    }
    for (name, _) in &set.list_resources {
        let rel = format!("examples/list-resources/{name}/list-resource.tfquery.hcl");
        if !root().join(&rel).is_file() {
            missing.push(rel);
        }
    }
    if !root().join("examples/provider/provider.tf").is_file() {
        missing.push("examples/provider/provider.tf".into());
    }
    assert!(
        missing.is_empty(),
        "examples feed the docs; add:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn example_directories_name_real_types() {
    let set = DocSet::from_provider(root());
    let mut known: Vec<String> = set.resources.iter().map(|(n, _)| n.clone()).collect();
    known.extend(
        unregistered_resources()
            .into_iter()
            .map(|(n, _)| n.to_string()),
    );
    let data: Vec<String> = set.data_sources.iter().map(|(n, _)| n.clone()).collect();
    let lists: Vec<String> = set.list_resources.iter().map(|(n, _)| n.clone()).collect();
    let mut stray = Vec::new();
    for (dir, names) in [
        ("resources", &known),
        ("data-sources", &data),
        ("list-resources", &lists),
    ] {
        for entry in fs::read_dir(root().join("examples").join(dir)).expect("examples dir") {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !names.contains(&name) {
                stray.push(format!("examples/{dir}/{name}"));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "example folders for types the provider does not have:\n  {}",
        stray.join("\n  ")
    );
}

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read examples") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some("tf") {
            out.push(path);
        }
    }
    out.sort();
}

#[test]
fn examples_only_set_attributes_the_schema_has() {
    let set = DocSet::from_provider(root());
    let mut resources: BTreeMap<String, Schema> = unregistered_resources()
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect();
    resources.extend(set.resources.iter().cloned());
    let data_sources: BTreeMap<String, Schema> = set.data_sources.iter().cloned().collect();
    let schemas = ExampleSchemas {
        provider: &set.provider,
        resources: &resources,
        data_sources: &data_sources,
    };
    let mut files = Vec::new();
    tf_files(&root().join("examples"), &mut files);
    assert!(files.len() >= 10, "found only {files:?}");
    let mut problems = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let src = fs::read_to_string(path).unwrap();
        problems.extend(docs::unknown_types(&rel, &src, &schemas));
        problems.extend(docs::check_example_hcl(&rel, &src, &schemas));
    }
    assert!(
        problems.is_empty(),
        "examples do not match the schema:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn guides_have_front_matter_and_link_to_existing_pages_or_examples() {
    let dir = root().join("docs").join(docs::GUIDES_DIR);
    let mut problems = Vec::new();
    for entry in fs::read_dir(&dir).expect("docs/guides") {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !text.starts_with("---\npage_title: ") {
            problems.push(format!("{name}: no front matter with page_title"));
        }
        // Relative links must resolve (pages of unregistered resources are allowed to be pending).
        for link in text.split("](").skip(1) {
            let target = link.split(')').next().unwrap_or("");
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap_or("");
            let pending = unregistered_resources()
                .iter()
                .any(|(n, _)| file.ends_with(&format!("resources/{}.md", docs::short_name(n))));
            if !file.is_empty() && !pending && !dir.join(file).exists() {
                problems.push(format!("{name}: broken link {target}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The pages of robot accounts, replication policies and registries render completely (they
/// once were rendered here before the types were served).
#[test]
fn pages_of_robot_replication_and_registry_render_completely() {
    let set = DocSet::from_provider(root());
    let pages = set.render().expect("render");
    let robot = &pages["resources/robot_account.md"];
    for needle in [
        "# harbor_robot_account (Resource)",
        "- `secret_wo` (String, Sensitive, [Write-only](",
        "- `name` (String) ",
        "Changing this forces a new resource.",
        "- `permissions` (Block Set, Min: 1) ",
        "<a id=\"nestedblock--permissions--access\"></a>\n### Nested Schema for `permissions.access`",
        "- `effect` (String) `allow` (the default) or `deny`. Defaults to `\"allow\"`.",
        "## Example Usage\n\n```terraform\n",
        "terraform import harbor_robot_account.ci_push /robots/12",
    ] {
        assert!(robot.contains(needle), "{needle:?} not in:\n{robot}");
    }
    let replication = &pages["resources/replication.md"];
    assert!(
        replication.contains("- `filters` (Block Set) "),
        "{replication}"
    );
    assert!(
        replication.contains("- `labels` (List of String) "),
        "{replication}"
    );
    assert!(pages["resources/registry.md"].contains("- `access_secret` (String, Sensitive) "));
}
