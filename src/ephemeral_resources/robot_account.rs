//! `ephemeral "harbor_robot_account"`: a short-lived robot made for one run. Open creates it
//! with the permissions given and hands its name and secret to the rest of the configuration
//! (a provider block, a write-only attribute, another ephemeral resource); close deletes it.
//! Neither the secret nor the robot outlives the run in state.
//!
//! Terraform opens an ephemeral resource in every run that needs it: `plan` creates a robot and
//! deletes it at the end of the plan, `apply` creates another. The robot's `duration` (days) is
//! a backstop: should close never come (the process killed with SIGKILL), Harbor expires it.
//!
//! Requests: open = `POST /robots`; close = `DELETE /robots/{id}`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::models::{Access, RobotCreate, RobotPermission};
use crate::resources::api_diag;
use crate::resources::robot_account::RobotAccountResource;
use crate::schema::def::validators;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::{ClientCaps, EphemeralOpened, EphemeralResource, Resource};
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

pub struct EphemeralRobotAccount;

const DEFAULT_PREFIX: &str = "tf-ephemeral";
const DEFAULT_DURATION_DAYS: i64 = 1;

/// The configuration, and what open fills in.
#[derive(Debug, Serialize, Deserialize)]
pub struct EphemeralRobotModel {
    pub name_prefix: Option<String>,
    pub level: String,
    pub description: Option<String>,
    pub duration: Option<i64>,
    pub permissions: Vec<PermissionModel>,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub secret: Option<String>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PermissionModel {
    pub kind: String,
    pub namespace: String,
    pub access: Vec<AccessModel>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessModel {
    pub action: String,
    pub resource: String,
    pub effect: Option<String>,
}

/// What close needs, kept by Terraform in memory between open and close.
#[derive(Serialize, Deserialize)]
struct Private {
    id: i64,
    full_name: String,
}

impl EphemeralRobotAccount {
    pub fn schema() -> Schema {
        // The same permissions block as the managed robot, so the two read alike.
        let permissions = RobotAccountResource::schema()
            .block
            .blocks
            .into_iter()
            .find(|b| b.name == "permissions")
            .expect("harbor_robot_account has a permissions block");
        let mut block = Block::new(
            "A robot account that exists for one Terraform run: created when the run opens it, deleted when the \
             run ends. Its name and secret reach other configuration (a provider block, a write-only attribute) \
             without ever being stored in plan or state. Needs Terraform 1.10 or later, or OpenTofu 1.11 or later.",
        )
        .attr(
            Attribute::string("name_prefix")
                .optional()
                .describe("The start of the robot's short name; a random suffix is added so that runs never collide. Default `tf-ephemeral`."),
        )
        .attr(
            Attribute::string("level")
                .required()
                .describe("`system` or `project`, as for `harbor_robot_account`.")
                .validate(validators::one_of(&["system", "project"])),
        )
        .attr(Attribute::string("description").optional().describe("A description."))
        .attr(
            Attribute::number("duration")
                .optional()
                .describe("Days until Harbor expires the robot should the run never close it. Default 1.")
                .validate(validators::int_between(1, i32::MAX as i64 - 1)),
        )
        .attr(Attribute::number("id").computed().describe("Harbor's numeric id of the robot."))
        .attr(Attribute::string("name").computed().describe("The robot's short name, with its random suffix."))
        .attr(Attribute::string("full_name").computed().describe("The name to log in with, e.g. `robot$ci+tf-ephemeral-1a2b3c4d`."))
        .attr(Attribute::string("secret").computed().sensitive().describe("The robot's secret. Never stored in plan or state."))
        .attr(Attribute::number("expires_at").computed().describe("When Harbor expires the robot, in seconds since the epoch."));
        block.blocks.push(permissions);
        Schema::new(0, block)
    }
}

fn permissions_to_harbor(perms: &[PermissionModel]) -> Vec<RobotPermission> {
    perms
        .iter()
        .map(|p| RobotPermission {
            kind: p.kind.clone(),
            namespace: p.namespace.clone(),
            access: p
                .access
                .iter()
                .map(|a| Access {
                    action: a.action.clone(),
                    resource: a.resource.clone(),
                    effect: Some(a.effect.clone().unwrap_or_else(|| "allow".to_owned())),
                })
                .collect(),
        })
        .collect()
}

#[async_trait]
impl EphemeralResource<HarborContext> for EphemeralRobotAccount {
    fn type_name(&self) -> &'static str {
        "harbor_robot_account"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    /// The managed robot's rules for levels, kinds and namespaces apply unchanged.
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        RobotAccountResource.validate(
            config,
            ClientCaps {
                write_only_attributes: true,
            },
            diags,
        );
    }

    async fn open(
        &self,
        h: &HarborContext,
        config: &Value,
    ) -> Result<EphemeralOpened, Diagnostics> {
        let mut robot: EphemeralRobotModel = model::from_value(config)?;
        let prefix = robot.name_prefix.as_deref().unwrap_or(DEFAULT_PREFIX);
        let name = format!("{prefix}-{:08x}", rand::random::<u32>());
        let request = RobotCreate {
            name: name.clone(),
            description: robot.description.clone(),
            duration: Some(robot.duration.unwrap_or(DEFAULT_DURATION_DAYS)),
            level: robot.level.clone(),
            permissions: permissions_to_harbor(&robot.permissions),
            disable: None,
            secret: None,
        };
        let created = h
            .client
            .create_robot(&request)
            .await
            .map_err(|e| api_diag("Could not create the ephemeral robot", &name, &e))?;
        tracing::info!(robot = %created.name, id = created.id, "opened an ephemeral robot");
        let private = serde_json::to_vec(&Private {
            id: created.id,
            full_name: created.name.clone(),
        })
        .expect("a robot id and name serialise");
        robot.id = Some(created.id);
        robot.name = Some(name);
        robot.full_name = Some(created.name);
        robot.secret = Some(created.secret.expose().to_owned());
        robot.expires_at = Some(created.expires_at);
        Ok(EphemeralOpened {
            result: model::to_value(&robot, &Self::schema().ty())?,
            private: Some(private),
            renew_at: None,
        })
    }

    async fn close(&self, h: &HarborContext, private: Option<&[u8]>) -> Result<(), Diagnostics> {
        let Some(p) = private.and_then(|p| serde_json::from_slice::<Private>(p).ok()) else {
            return Ok(());
        };
        match h.client.delete_robot(p.id).await {
            Ok(()) => {
                tracing::info!(robot = %p.full_name, id = p.id, "closed an ephemeral robot");
                Ok(())
            }
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => {
                let mut d = api_diag("Could not delete the ephemeral robot", &p.full_name, &e);
                d.error(
                    format!("Ephemeral robot {} is still in Harbor", p.full_name),
                    format!(
                        "Delete it by hand (robot id {}), or let Harbor expire it when its `duration` runs out.",
                        p.id
                    ),
                );
                Err(d)
            }
        }
    }
}

impl EphemeralRobotAccount {
    /// Holds the model against the schema (run by `tests/models.rs`).
    pub fn check_model() -> Result<(), ModelError> {
        model::check_model::<EphemeralRobotModel>(&Self::schema().ty())
    }
}
