//! Harbor's project roles and what each may do, as `(resource, action)` pairs.
//!
//! Transcribed from `rolePoliciesMap` in Harbor v2.15.2 `src/common/rbac/project/rbac_role.go`
//! (resource names from `src/common/rbac/const.go`). Harbor's `ResourceSelf` (the project itself)
//! is written `project` here, the name the emulator's project handlers check.

/// Role ids, from `src/common/const.go`.
pub const PROJECT_ADMIN: i64 = 1;
pub const DEVELOPER: i64 = 2;
pub const GUEST: i64 = 3;
pub const MAINTAINER: i64 = 4;
pub const LIMITED_GUEST: i64 = 5;

/// The `role` table's names, as `role_name` in member answers shows them.
pub fn role_name(role: i64) -> Option<&'static str> {
    match role {
        PROJECT_ADMIN => Some("projectAdmin"),
        DEVELOPER => Some("developer"),
        GUEST => Some("guest"),
        MAINTAINER => Some("maintainer"),
        LIMITED_GUEST => Some("limitedGuest"),
        _ => None,
    }
}

/// The policies of one role.
pub fn policies(role: i64) -> &'static [(&'static str, &'static str)] {
    match role {
        PROJECT_ADMIN => PROJECT_ADMIN_POLICIES,
        MAINTAINER => MAINTAINER_POLICIES,
        DEVELOPER => DEVELOPER_POLICIES,
        GUEST => GUEST_POLICIES,
        LIMITED_GUEST => LIMITED_GUEST_POLICIES,
        _ => &[],
    }
}

/// Whether `role` may do `action` on `resource` in its project.
pub fn allows(role: i64, resource: &str, action: &str) -> bool {
    policies(role)
        .iter()
        .any(|(r, a)| *r == resource && *a == action)
}

/// Every project policy, once, in the order of the roles above (for `/users/current/permissions`).
pub fn all_project_policies() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = Vec::new();
    for role in [PROJECT_ADMIN, MAINTAINER, DEVELOPER, GUEST, LIMITED_GUEST] {
        for p in policies(role) {
            if !all.contains(p) {
                all.push(*p);
            }
        }
    }
    all
}

const PROJECT_ADMIN_POLICIES: &[(&str, &str)] = &[
    ("project", "read"),
    ("project", "update"),
    ("project", "delete"),
    ("member", "create"),
    ("member", "read"),
    ("member", "update"),
    ("member", "delete"),
    ("member", "list"),
    ("metadata", "create"),
    ("metadata", "read"),
    ("metadata", "update"),
    ("metadata", "delete"),
    ("log", "list"),
    ("label", "create"),
    ("label", "read"),
    ("label", "update"),
    ("label", "delete"),
    ("label", "list"),
    ("quota", "read"),
    ("repository", "create"),
    ("repository", "read"),
    ("repository", "update"),
    ("repository", "delete"),
    ("repository", "list"),
    ("repository", "pull"),
    ("repository", "push"),
    ("tag-retention", "create"),
    ("tag-retention", "read"),
    ("tag-retention", "update"),
    ("tag-retention", "delete"),
    ("tag-retention", "list"),
    ("tag-retention", "operate"),
    ("immutable-tag", "create"),
    ("immutable-tag", "update"),
    ("immutable-tag", "delete"),
    ("immutable-tag", "list"),
    ("configuration", "read"),
    ("configuration", "update"),
    ("robot", "create"),
    ("robot", "read"),
    ("robot", "update"),
    ("robot", "delete"),
    ("robot", "list"),
    ("notification-policy", "create"),
    ("notification-policy", "update"),
    ("notification-policy", "delete"),
    ("notification-policy", "list"),
    ("notification-policy", "read"),
    ("scan", "create"),
    ("scan", "read"),
    ("scan", "stop"),
    ("sbom", "create"),
    ("sbom", "stop"),
    ("sbom", "read"),
    ("scanner", "read"),
    ("scanner", "create"),
    ("artifact", "create"),
    ("artifact", "read"),
    ("artifact", "delete"),
    ("artifact", "list"),
    ("artifact-addition", "read"),
    ("tag", "list"),
    ("tag", "create"),
    ("tag", "delete"),
    ("accessory", "list"),
    ("artifact-label", "create"),
    ("artifact-label", "delete"),
    ("preheat-policy", "create"),
    ("preheat-policy", "read"),
    ("preheat-policy", "update"),
    ("preheat-policy", "delete"),
    ("preheat-policy", "list"),
    ("export-cve", "create"),
    ("export-cve", "read"),
    ("export-cve", "list"),
];

const MAINTAINER_POLICIES: &[(&str, &str)] = &[
    ("project", "read"),
    ("member", "read"),
    ("member", "list"),
    ("metadata", "read"),
    ("quota", "read"),
    ("label", "create"),
    ("label", "read"),
    ("label", "update"),
    ("label", "delete"),
    ("label", "list"),
    ("repository", "create"),
    ("repository", "read"),
    ("repository", "update"),
    ("repository", "delete"),
    ("repository", "list"),
    ("repository", "push"),
    ("repository", "pull"),
    ("tag-retention", "create"),
    ("tag-retention", "read"),
    ("tag-retention", "update"),
    ("tag-retention", "delete"),
    ("tag-retention", "list"),
    ("tag-retention", "operate"),
    ("accessory", "list"),
    ("immutable-tag", "create"),
    ("immutable-tag", "update"),
    ("immutable-tag", "delete"),
    ("immutable-tag", "list"),
    ("configuration", "read"),
    ("robot", "read"),
    ("robot", "list"),
    ("notification-policy", "read"),
    ("notification-policy", "list"),
    ("scan", "create"),
    ("scan", "read"),
    ("scan", "stop"),
    ("sbom", "create"),
    ("sbom", "stop"),
    ("sbom", "read"),
    ("scanner", "read"),
    ("artifact", "create"),
    ("artifact", "read"),
    ("artifact", "delete"),
    ("artifact", "list"),
    ("artifact-addition", "read"),
    ("tag", "list"),
    ("tag", "create"),
    ("tag", "delete"),
    ("artifact-label", "create"),
    ("artifact-label", "delete"),
    ("export-cve", "create"),
    ("export-cve", "read"),
    ("export-cve", "list"),
];

const DEVELOPER_POLICIES: &[(&str, &str)] = &[
    ("project", "read"),
    ("member", "read"),
    ("member", "list"),
    ("label", "read"),
    ("label", "list"),
    ("quota", "read"),
    ("repository", "create"),
    ("repository", "read"),
    ("repository", "update"),
    ("repository", "list"),
    ("repository", "push"),
    ("repository", "pull"),
    ("tag-retention", "create"),
    ("tag-retention", "read"),
    ("tag-retention", "update"),
    ("tag-retention", "delete"),
    ("tag-retention", "list"),
    ("tag-retention", "operate"),
    ("configuration", "read"),
    ("robot", "read"),
    ("robot", "list"),
    ("scan", "read"),
    ("sbom", "read"),
    ("scanner", "read"),
    ("artifact", "create"),
    ("artifact", "read"),
    ("artifact", "list"),
    ("artifact-addition", "read"),
    ("tag", "list"),
    ("tag", "create"),
    ("accessory", "list"),
    ("artifact-label", "create"),
    ("artifact-label", "delete"),
    ("export-cve", "create"),
    ("export-cve", "read"),
    ("export-cve", "list"),
];

const GUEST_POLICIES: &[(&str, &str)] = &[
    ("project", "read"),
    ("member", "read"),
    ("member", "list"),
    ("label", "read"),
    ("label", "list"),
    ("quota", "read"),
    ("repository", "read"),
    ("repository", "list"),
    ("repository", "pull"),
    ("configuration", "read"),
    ("robot", "read"),
    ("robot", "list"),
    ("scan", "read"),
    ("sbom", "read"),
    ("scanner", "read"),
    ("tag", "list"),
    ("accessory", "list"),
    ("artifact", "read"),
    ("artifact", "list"),
    ("artifact-addition", "read"),
];

const LIMITED_GUEST_POLICIES: &[(&str, &str)] = &[
    ("project", "read"),
    ("quota", "read"),
    ("repository", "list"),
    ("repository", "read"),
    ("repository", "pull"),
    ("configuration", "read"),
    ("scan", "read"),
    ("sbom", "read"),
    ("scanner", "read"),
    ("tag", "list"),
    ("accessory", "list"),
    ("artifact", "read"),
    ("artifact", "list"),
    ("artifact-addition", "read"),
];
