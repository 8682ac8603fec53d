//! One file per `harbor_*` data source, plus what they share: a data source that mirrors a
//! resource takes the resource's schema with every attribute computed, so the two never drift.

use std::sync::Arc;

use crate::context::HarborContext;
use crate::schema::def::{Attribute, Mode};
use crate::schema::resource::DataSource;
use crate::schema::{Block, Diagnostics, Schema};

pub mod groups;
pub mod project;
pub mod project_members;
pub mod projects;
pub mod registry;
pub mod retention_dry_run;
pub mod robot_accounts;
pub mod scanners;
pub mod system_info;
pub mod users;

/// Every data source the provider serves.
pub fn all() -> Vec<Arc<dyn DataSource<HarborContext>>> {
    vec![
        Arc::new(project::ProjectDataSource),
        Arc::new(projects::ProjectsDataSource),
        Arc::new(registry::RegistryDataSource),
        Arc::new(robot_accounts::RobotAccountsDataSource),
        Arc::new(system_info::SystemInfoDataSource),
        Arc::new(retention_dry_run::RetentionDryRunDataSource),
        Arc::new(users::UsersDataSource),
        Arc::new(groups::GroupsDataSource),
        Arc::new(project_members::ProjectMemberUsersDataSource),
        Arc::new(project_members::ProjectMemberGroupsDataSource),
        Arc::new(scanners::ScannersDataSource),
    ]
}

/// A resource's attributes as a data source's: all computed, except `lookup` (optional search
/// keys), without the resource-only ones in `drop`, and without behaviour meant for planning.
pub(crate) fn computed_copy(
    resource: &Schema,
    description: &str,
    lookup: &[&str],
    drop: &[&str],
) -> Block {
    let mut b = Block::new(description);
    for a in resource
        .block
        .attributes
        .iter()
        .filter(|a| !drop.contains(&a.name.as_str()) && !a.write_only)
    {
        let mut c: Attribute = a.clone();
        c.mode = if lookup.contains(&a.name.as_str()) {
            Mode::OptionalComputed
        } else {
            Mode::Computed
        };
        c.default = None;
        c.requires_replace = false;
        c.use_state_for_unknown = false;
        if !lookup.contains(&a.name.as_str()) {
            c.validators.clear();
        }
        b.attributes.push(c);
    }
    b
}

/// "Nothing found" as an error that names what was searched for.
pub(crate) fn not_found(kind: &str, what: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(format!("No {kind} {what}"), format!("Harbor has no {kind} {what}. Check the spelling, and that the provider's credentials may see it."));
    d
}
