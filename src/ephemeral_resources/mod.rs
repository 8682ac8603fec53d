//! Ephemeral resources (Terraform 1.10+, OpenTofu 1.11+): values that live for one run and are
//! never written to plan or state. One file per `harbor_*` type.

use std::sync::Arc;

use crate::context::HarborContext;
use crate::schema::resource::EphemeralResource;

pub mod robot_account;
pub mod robot_secret;

/// Every ephemeral resource the provider serves.
pub fn all() -> Vec<Arc<dyn EphemeralResource<HarborContext>>> {
    vec![
        Arc::new(robot_account::EphemeralRobotAccount),
        Arc::new(robot_secret::EphemeralRobotSecret),
    ]
}
