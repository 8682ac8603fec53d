//! P2P preheat provider instances (`/p2p/preheat/instances`), addressed by name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::client::{Client, Req, Response};
use super::error::Error;
use super::secret::Secret;

/// The swagger `Instance`. Harbor never returns `auth_info`; `status` always reads "Unknown".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PreheatInstance {
    /// Harbor's update finds the instance by the `id` in the body, not by the path's name.
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub auth_mode: String,
    /// BASIC: `username` and `password`; OAUTH: `token`; CUSTOM: one header name and value.
    /// On update, `None` keeps what Harbor has stored (unless the mode is NONE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_info: Option<BTreeMap<String, Secret>>,
    #[serde(default, skip_serializing)]
    pub status: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub insecure: bool,
    /// Harbor's `PUT` writes it as the body says (left out, 0), so an update sends it back.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub setup_timestamp: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// Instance names are `[A-Za-z0-9]` runs joined by `.`, `_` or `-` (Harbor's `nameRegex`), so
/// they need no escaping in a path.
fn path(name: &str) -> String {
    format!("/p2p/preheat/instances/{name}")
}

impl Client {
    /// `POST /p2p/preheat/instances`. Harbor does not contact the instance; a second instance
    /// on the same endpoint is a 409. After an ambiguous failure the instance is looked up by
    /// name and adopted when its endpoint matches.
    pub async fn create_preheat_instance(&self, instance: &PreheatInstance) -> Result<(), Error> {
        let req = Req::post("/p2p/preheat/instances").json(instance)?;
        let accept = |resp: &Response| match resp.status {
            201 => Ok(()),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            Ok(client
                .get_preheat_instance(&instance.name)
                .await
                .map(Some)
                .or_else(|e| if e.is_not_found() { Ok(None) } else { Err(e) })?
                .filter(|f| f.endpoint == instance.endpoint)
                .map(|_| ()))
        })
        .await
    }

    /// `GET /p2p/preheat/instances/{name}`.
    pub async fn get_preheat_instance(&self, name: &str) -> Result<PreheatInstance, Error> {
        let resp = self.send(&Req::get(path(name))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /p2p/preheat/instances/{name}` with the whole instance, its `id` included.
    pub async fn update_preheat_instance(
        &self,
        name: &str,
        instance: &PreheatInstance,
    ) -> Result<(), Error> {
        let resp = self.send(&Req::put(path(name)).json(instance)?).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /p2p/preheat/instances/{name}`; already gone counts as success. Harbor refuses
    /// (412) while a preheat policy uses the instance.
    pub async fn delete_preheat_instance(&self, name: &str) -> Result<(), Error> {
        let resp = self.send(&Req::delete(path(name))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
