//! `ephemeral "harbor_robot_secret"`: a fresh secret for an existing robot, rotated when the run
//! opens it and handed to other configuration without ever being stored. The robot itself (made
//! by `harbor_robot_account` or by hand) keeps working with the new secret after the run; the
//! old one stops working at once.
//!
//! Every run that opens it rotates the secret, `plan` included: use it where a new secret on
//! each run is the point (pushing it to a CI system's secret store through a write-only
//! attribute, say), not where a stable secret is needed.
//!
//! Requests: open = `GET /robots/{id}`, then `PATCH /robots/{id}` with `{}`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::{EphemeralOpened, EphemeralResource};
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

pub struct EphemeralRobotSecret;

#[derive(Debug, Serialize, Deserialize)]
pub struct RobotSecretModel {
    pub robot_id: i64,
    pub full_name: Option<String>,
    pub secret: Option<String>,
}

impl EphemeralRobotSecret {
    pub fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(
                "Rotates an existing robot's secret when a run opens it, and hands the new secret to other \
                 configuration without storing it in plan or state. Every run that opens it rotates again, \
                 `terraform plan` included. Needs Terraform 1.10 or later, or OpenTofu 1.11 or later.",
            )
            .attr(
                Attribute::number("robot_id")
                    .required()
                    .describe("Harbor's numeric id of the robot (`harbor_robot_account.x.robot_id`).")
                    .validate(validators::int_at_least(1)),
            )
            .attr(Attribute::string("full_name").computed().describe("The name the robot logs in with."))
            .attr(Attribute::string("secret").computed().sensitive().describe("The new secret.")),
        )
    }

    /// Holds the model against the schema (run by `tests/models.rs`).
    pub fn check_model() -> Result<(), ModelError> {
        model::check_model::<RobotSecretModel>(&Self::schema().ty())
    }
}

#[async_trait]
impl EphemeralResource<HarborContext> for EphemeralRobotSecret {
    fn type_name(&self) -> &'static str {
        "harbor_robot_secret"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    async fn open(
        &self,
        h: &HarborContext,
        config: &Value,
    ) -> Result<EphemeralOpened, Diagnostics> {
        let mut m: RobotSecretModel = model::from_value(config)?;
        let what = format!("robot {}", m.robot_id);
        let robot = h
            .client
            .get_robot(m.robot_id)
            .await
            .map_err(|e| api_diag("Could not read", &what, &e))?;
        let secret = h
            .client
            .refresh_robot_secret(m.robot_id, None)
            .await
            .map_err(|e| api_diag("Could not rotate the secret of", &robot.name, &e))?;
        tracing::info!(robot = %robot.name, "rotated a robot secret for this run");
        m.full_name = Some(robot.name);
        m.secret = Some(secret.expose().to_owned());
        Ok(EphemeralOpened {
            result: model::to_value(&m, &Self::schema().ty())?,
            private: None,
            renew_at: None,
        })
    }
}
