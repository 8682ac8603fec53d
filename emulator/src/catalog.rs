//! The robot permission catalog (Harbor's `PoliciesMap` plus `NolimitProvider`), per emulated version.

use crate::version::Version;

const CRUDL: &[&str] = &["create", "read", "update", "delete", "list"];

type Entry = (&'static str, &'static [&'static str]);

const SYSTEM_BASE: &[Entry] = &[
    ("audit-log", &["list"]),
    ("preheat-instance", CRUDL),
    ("project", &["list", "create"]),
    ("replication-policy", CRUDL),
    ("replication", &["read", "create", "list"]),
    ("replication-adapter", &["list"]),
    ("registry", CRUDL),
    ("scan-all", &["read", "update", "stop", "create"]),
    ("system-volumes", &["read"]),
    (
        "garbage-collection",
        &["read", "create", "list", "update", "stop"],
    ),
    ("purge-audit", &["read", "create", "list", "update", "stop"]),
    ("jobservice-monitor", &["list", "stop"]),
    ("scanner", CRUDL),
    ("label", &["read", "create", "delete", "update"]),
    ("security-hub", &["read", "list"]),
    ("catalog", &["read"]),
    ("quota", &["read", "list"]),
];

/// Catalog entries added in 2.12.
const SYSTEM_2_12: &[Entry] = &[
    ("robot", &["create", "read", "list", "delete"]),
    ("user", CRUDL),
    ("ldap-user", &["create", "list"]),
    ("quota", &["update"]),
    ("user-group", CRUDL),
];

const PROJECT_BASE: &[Entry] = &[
    ("log", &["list"]),
    ("project", &["read", "delete", "update"]),
    ("metadata", CRUDL),
    (
        "repository",
        &["read", "update", "delete", "list", "pull", "push"],
    ),
    ("artifact", &["read", "create", "list", "delete"]),
    ("scan", &["create", "read", "stop"]),
    ("sbom", &["create", "stop", "read"]),
    ("tag", &["create", "list", "delete"]),
    ("accessory", &["list"]),
    ("artifact-addition", &["read"]),
    ("artifact-label", &["create", "delete"]),
    ("scanner", &["create", "read"]),
    ("preheat-policy", CRUDL),
    ("immutable-tag", &["create", "delete", "list", "update"]),
    ("notification-policy", CRUDL),
    ("tag-retention", CRUDL),
    ("label", CRUDL),
    ("quota", &["read"]),
];

const PROJECT_2_12: &[Entry] = &[
    ("robot", &["create", "read", "list", "delete"]),
    ("export-cve", &["create", "read"]),
    ("member", CRUDL),
];

/// Which permission scope a robot permission entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    System,
    Project,
}

fn entries(scope: Scope, version: Version) -> impl Iterator<Item = (&'static str, &'static str)> {
    let (base, newer) = match scope {
        Scope::System => (SYSTEM_BASE, SYSTEM_2_12),
        Scope::Project => (PROJECT_BASE, PROJECT_2_12),
    };
    let newer: &[Entry] = if version.at_least(2, 12, 0) {
        newer
    } else {
        &[]
    };
    base.iter()
        .chain(newer.iter())
        .flat_map(|(r, actions)| actions.iter().map(move |a| (*r, *a)))
}

/// The `resource:action` pairs a robot may be granted in a scope.
pub fn permissions(scope: Scope, version: Version) -> Vec<(&'static str, &'static str)> {
    entries(scope, version).collect()
}

pub fn contains(scope: Scope, version: Version, resource: &str, action: &str) -> bool {
    entries(scope, version).any(|(r, a)| r == resource && a == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robot_creation_enters_the_catalog_in_2_12() {
        assert!(!contains(
            Scope::System,
            Version::new(2, 11, 0),
            "robot",
            "create"
        ));
        assert!(contains(
            Scope::System,
            Version::new(2, 12, 0),
            "robot",
            "create"
        ));
        assert!(!contains(
            Scope::System,
            Version::new(2, 15, 2),
            "robot",
            "update"
        ));
        assert!(!contains(
            Scope::Project,
            Version::new(2, 15, 2),
            "repository",
            "*"
        ));
    }
}
