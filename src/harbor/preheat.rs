//! P2P preheat provider instances (`/p2p/preheat/instances`), addressed by name.

use std::collections::BTreeMap;
use std::sync::Mutex;

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

/// The code a 500 from [`Client::create_preheat_instance`] carries while it is read as a taken
/// endpoint; never shown (the confirmed conflict or Harbor's own 500 replaces it).
const ENDPOINT_IN_USE: &str = "PREHEAT_ENDPOINT_IN_USE?";

/// Harbor's 500, as a 409 that `create` settles like any conflict.
fn as_endpoint_conflict(error: Error) -> Error {
    match error {
        Error::Api {
            message,
            request_id,
            method,
            path,
            ..
        } => Error::Api {
            status: 409,
            code: Some(ENDPOINT_IN_USE.into()),
            message,
            request_id,
            method,
            path,
        },
        other => other,
    }
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
    /// `POST /p2p/preheat/instances`. Harbor does not contact the instance. After an ambiguous
    /// failure the instance is looked up by name and adopted when its endpoint matches.
    ///
    /// A second instance on an endpoint already in use is refused by Harbor v2.15.2 with a
    /// **500** (`controller/p2p/preheat/controller.go` `CreateInstance` returns `ErrorConflict`,
    /// which carries no error code), and a 5xx on a create is otherwise ambiguous: the lookup
    /// would adopt an instance of the same name and endpoint that existed before this apply (a
    /// real Harbor run did exactly that, FIDELITY.md). So a 500 is read as that conflict, which
    /// settles like a 409 (adopted only after a repeat of a create that got no answer), and is
    /// then confirmed: the instance using the endpoint is named, or, when none does, Harbor's
    /// 500 is what the caller sees. A taken name on another endpoint is Harbor's own 409.
    pub async fn create_preheat_instance(&self, instance: &PreheatInstance) -> Result<(), Error> {
        let req = Req::post("/p2p/preheat/instances").json(instance)?;
        // The last 500 as Harbor sent it, for when no instance turns out to hold the endpoint.
        let harbor_500: Mutex<Option<Error>> = Mutex::new(None);
        let accept = |resp: &Response| match resp.status {
            201 => Ok(()),
            500 => {
                let error = resp.error();
                *harbor_500.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.clone());
                Err(as_endpoint_conflict(error))
            }
            _ => Err(resp.error()),
        };
        let created = self
            .create(&req, accept, |client| async move {
                Ok(client
                    .get_preheat_instance(&instance.name)
                    .await
                    .map(Some)
                    .or_else(|e| if e.is_not_found() { Ok(None) } else { Err(e) })?
                    .filter(|f| f.endpoint == instance.endpoint)
                    .map(|_| ()))
            })
            .await;
        let marked = |e: &Error| e.code() == Some(ENDPOINT_IN_USE);
        let original = |marked: Error| {
            let stashed = harbor_500.lock().unwrap_or_else(|e| e.into_inner()).take();
            stashed.unwrap_or(marked)
        };
        match created {
            Err(error) if marked(&error) => {
                let holder = self
                    .get_all::<PreheatInstance>(Req::get("/p2p/preheat/instances"))
                    .await
                    .ok()
                    .and_then(|all| all.into_iter().find(|i| i.endpoint == instance.endpoint));
                Err(match (holder, error) {
                    (
                        Some(other),
                        Error::Api {
                            request_id,
                            method,
                            path,
                            ..
                        },
                    ) => Error::Api {
                        status: 409,
                        code: Some("CONFLICT".into()),
                        message: format!(
                            "preheat instance {:?} already uses endpoint {} (Harbor answered 500)",
                            other.name, instance.endpoint
                        ),
                        request_id,
                        method,
                        path,
                    },
                    (_, error) => original(error),
                })
            }
            // A repeat after an unanswered attempt found the endpoint taken and no instance of
            // this name on it: still in doubt, reported with Harbor's own answer.
            Err(Error::Unsettled { cause, why }) if marked(&cause) => Err(Error::Unsettled {
                cause: Box::new(original(*cause)),
                why,
            }),
            other => other,
        }
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
