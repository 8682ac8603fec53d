//! Project webhook policies (`/projects/{p}/webhook/policies`) and the event types a Harbor offers.

use serde::{Deserialize, Serialize};

use super::client::{Client, Req, Response};
use super::error::Error;
use super::secret::Secret;

/// `WebhookTargetObject`. `auth_header` is a secret: it reaches the receiver as `Authorization`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WebhookTarget {
    #[serde(rename = "type", default)]
    pub notify_type: String,
    #[serde(default)]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_header: Option<Secret>,
    #[serde(default)]
    pub skip_cert_verify: bool,
    /// Harbor stores `Default` for an http target sent without one; slack targets refuse any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_format: Option<String>,
}

/// `WebhookPolicy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WebhookPolicy {
    #[serde(default, skip_serializing)]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing)]
    pub project_id: i64,
    #[serde(default)]
    pub targets: Vec<WebhookTarget>,
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Harbor's `PUT` writes `creator` and `creation_time` as the body says (left out, they
    /// become "" and `0001-01-01T00:00:00Z`), so an update sends back what Harbor has.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub creator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(default, skip_serializing)]
    pub update_time: Option<String>,
    #[serde(default)]
    pub enabled: bool,
}

/// `PayloadFormat`: the formats one notify type accepts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PayloadFormats {
    #[serde(default)]
    pub notify_type: String,
    #[serde(default)]
    pub formats: Vec<String>,
}

/// `SupportedWebhookEventTypes`: what `GET /projects/{p}/webhook/events` lists.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WebhookEvents {
    #[serde(default)]
    pub event_type: Vec<String>,
    #[serde(default)]
    pub notify_type: Vec<String>,
    #[serde(default)]
    pub payload_formats: Vec<PayloadFormats>,
}

impl Client {
    /// `POST /projects/{project_id}/webhook/policies`; the id comes from `Location`. After an
    /// ambiguous failure the policy is looked up by name (unique in a project) and adopted when
    /// its address matches.
    pub async fn create_webhook_policy(
        &self,
        project_id: i64,
        policy: &WebhookPolicy,
    ) -> Result<i64, Error> {
        let req = Req::post(format!("/projects/{project_id}/webhook/policies")).json(policy)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            let found = client.find_webhook_policy(project_id, &policy.name).await?;
            Ok(found.and_then(|f| {
                let same = f.targets.first().map(|t| t.address.as_str())
                    == policy.targets.first().map(|t| t.address.as_str());
                same.then_some(f.id)
            }))
        })
        .await
    }

    /// `GET /projects/{project_id}/webhook/policies/{id}`; 404 when the policy is gone or
    /// belongs to another project.
    pub async fn get_webhook_policy(
        &self,
        project_id: i64,
        id: i64,
    ) -> Result<WebhookPolicy, Error> {
        let resp = self
            .send(&Req::get(format!(
                "/projects/{project_id}/webhook/policies/{id}"
            )))
            .await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /projects/{project_id}/webhook/policies`, every page.
    pub async fn list_webhook_policies(
        &self,
        project_id: i64,
    ) -> Result<Vec<WebhookPolicy>, Error> {
        self.get_all(Req::get(format!("/projects/{project_id}/webhook/policies")))
            .await
    }

    /// The project's policy named `name`, if any.
    pub async fn find_webhook_policy(
        &self,
        project_id: i64,
        name: &str,
    ) -> Result<Option<WebhookPolicy>, Error> {
        Ok(self
            .list_webhook_policies(project_id)
            .await?
            .into_iter()
            .find(|p| p.name == name))
    }

    /// `PUT /projects/{project_id}/webhook/policies/{id}`: replaces the whole policy, its
    /// `creator` and `creation_time` included: leave them unset and Harbor stores "" and year 1.
    pub async fn update_webhook_policy(
        &self,
        project_id: i64,
        id: i64,
        policy: &WebhookPolicy,
    ) -> Result<(), Error> {
        let req = Req::put(format!("/projects/{project_id}/webhook/policies/{id}")).json(policy)?;
        let resp = self.send(&req).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /projects/{project_id}/webhook/policies/{id}`; already gone counts as success.
    pub async fn delete_webhook_policy(&self, project_id: i64, id: i64) -> Result<(), Error> {
        let resp = self
            .send(&Req::delete(format!(
                "/projects/{project_id}/webhook/policies/{id}"
            )))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `GET /projects/{project_id}/webhook/events`: event types, notify types and payload
    /// formats this Harbor offers.
    pub async fn webhook_events(&self, project_id: i64) -> Result<WebhookEvents, Error> {
        let resp = self
            .send(&Req::get(format!("/projects/{project_id}/webhook/events")))
            .await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }
}
