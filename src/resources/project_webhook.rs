//! `harbor_project_webhook`: a project's webhook policy with one target (http or slack).
//!
//! Unlike goharbor's resource, `events_types` is read back (drift shows), each event type is
//! checked at plan time against the ten every Harbor from 2.11 to 2.15 offers and again at apply
//! time against what the connected Harbor lists, `auth_header` is sensitive and has a write-only
//! variant, and a policy deleted outside Terraform is planned for re-creation.
//!
//! Requests: create = `GET /projects/{p}` (the id), `GET /projects/{id}/webhook/events`, then
//! `POST /projects/{id}/webhook/policies` and `GET .../policies/{policy_id}`; read =
//! `GET .../policies/{policy_id}`; update = the events check, `PUT .../policies/{policy_id}`, then
//! a GET; delete = `DELETE .../policies/{policy_id}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{ProjectRef, Secret, WebhookPolicy, WebhookTarget};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::{
    ImportRef, SCHEMA_VERSION_AFTER_GO, api_diag, go_zero_values_to_null, not_found_is_none,
    parse_import_id, unsettled_create,
};

pub struct ProjectWebhookResource;

/// `initSupportedNotifyType` in Harbor's `src/pkg/notification/notification.go`, the same list
/// from 2.11 to 2.15.
pub const EVENT_TYPES: &[&str] = &[
    "PUSH_ARTIFACT",
    "PULL_ARTIFACT",
    "DELETE_ARTIFACT",
    "QUOTA_EXCEED",
    "QUOTA_WARNING",
    "SCANNING_FAILED",
    "SCANNING_STOPPED",
    "SCANNING_COMPLETED",
    "REPLICATION",
    "TAG_RETENTION",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectWebhookModel {
    pub id: Known<Option<String>>,
    pub webhook_id: Known<Option<i64>>,
    pub name: String,
    pub project_id: String,
    pub description: String,
    pub enabled: bool,
    pub notify_type: String,
    pub address: String,
    pub events_types: Vec<String>,
    pub auth_header: Option<String>,
    pub auth_header_wo: Option<String>,
    pub auth_header_wo_version: Option<i64>,
    pub skip_cert_verify: bool,
    pub payload_format: Known<Option<String>>,
    pub creator: Known<Option<String>>,
    pub creation_time: Known<Option<String>>,
    pub update_time: Known<Option<String>>,
}

impl ProjectWebhookModel {
    /// The state for a policy as Harbor returns it. `project_id` keeps the user's spelling;
    /// `auth_header` stays null while the write-only variant is in use (Harbor returns it, but
    /// the configuration keeps it out of state).
    fn from_harbor(
        p: &WebhookPolicy,
        prior: Option<&ProjectWebhookModel>,
        project_id: &str,
    ) -> Self {
        let target = p.targets.first().cloned().unwrap_or_default();
        let write_only = prior.is_some_and(|m| {
            m.auth_header.is_none()
                && (m.auth_header_wo_version.is_some() || m.auth_header_wo.is_some())
        });
        let auth_header = if write_only {
            None
        } else {
            target
                .auth_header
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| s.expose().to_string())
        };
        ProjectWebhookModel {
            id: Some(format!(
                "/projects/{}/webhook/policies/{}",
                p.project_id, p.id
            ))
            .into(),
            webhook_id: Some(p.id).into(),
            name: p.name.clone(),
            project_id: project_id.to_string(),
            description: p.description.clone(),
            enabled: p.enabled,
            notify_type: target.notify_type.clone(),
            address: target.address.clone(),
            events_types: p.event_types.clone(),
            auth_header,
            auth_header_wo: None,
            auth_header_wo_version: prior.and_then(|m| m.auth_header_wo_version),
            skip_cert_verify: target.skip_cert_verify,
            payload_format: target
                .payload_format
                .clone()
                .filter(|f| !f.is_empty())
                .into(),
            creator: Some(p.creator.clone()).into(),
            creation_time: p.creation_time.clone().into(),
            update_time: p.update_time.clone().into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectWebhookResource::schema().ty())
    }

    /// The policy to send; the auth header comes from `auth_header` or, write-only, from the
    /// configuration's `auth_header_wo`.
    fn to_harbor(&self, config: &Value) -> WebhookPolicy {
        let auth = self
            .auth_header
            .clone()
            .or_else(|| config.str_attr("auth_header_wo").map(str::to_string))
            .filter(|s| !s.is_empty());
        WebhookPolicy {
            name: self.name.clone(),
            description: self.description.clone(),
            enabled: self.enabled,
            event_types: self.events_types.clone(),
            targets: vec![WebhookTarget {
                notify_type: self.notify_type.clone(),
                address: self.address.clone(),
                auth_header: auth.map(Secret::new),
                skip_cert_verify: self.skip_cert_verify,
                payload_format: self.payload_format.value().cloned(),
            }],
            ..Default::default()
        }
    }
}

fn events_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if matches!(v, Value::List(items) if items.is_empty()) {
            diags.attr_error(
                path.clone(),
                "events_types is empty",
                "Harbor refuses a webhook without events (\"empty event type\"): list at least one event type.",
            );
        }
        for e in v.elements() {
            if let Some(s) = e.as_str()
                && !EVENT_TYPES.contains(&s)
            {
                diags.attr_error(
                    path.clone(),
                    format!("Unsupported event type {s:?} in events_types"),
                    format!(
                        "Harbor offers these event types: {}.",
                        EVENT_TYPES.join(", ")
                    ),
                );
            }
        }
    })
}

/// The project's numeric id, from `/projects/5`, `5` or a name (one lookup).
async fn project_id(h: &HarborContext, project: &str) -> Result<Option<i64>, Diagnostics> {
    let r = match parse_import_id(project, "/projects/") {
        Ok(ImportRef::Id(i)) => return Ok(Some(i)),
        Ok(ImportRef::Name(n)) => ProjectRef::Name(n),
        Err(e) => {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project_id"),
                format!("Invalid project_id {project:?}"),
                format!("{e} Use the project's id (`harbor_project.x.id`, `/projects/<id>`), its numeric id or its name."),
            );
            return Err(d);
        }
    };
    Ok(not_found_is_none(h.client.get_project(&r).await)
        .map_err(|e| api_diag("Could not read project", project, &e))?
        .map(|p| p.project_id))
}

fn missing_project(project: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.attr_error(
        AttributePath::attr("project_id"),
        format!("Project {project} not found"),
        "Create the project first (reference `harbor_project.<name>.id`), or correct `project_id`.",
    );
    d
}

/// Apply-time check against what the connected Harbor offers (`GET .../webhook/events`).
async fn check_offered(
    h: &HarborContext,
    pid: i64,
    m: &ProjectWebhookModel,
) -> Result<(), Diagnostics> {
    let offered = h.client.webhook_events(pid).await.map_err(|e| {
        api_diag(
            "Could not list the webhook event types of project",
            &m.project_id,
            &e,
        )
    })?;
    let mut d = Diagnostics::new();
    for e in &m.events_types {
        if !offered.event_type.contains(e) {
            d.attr_error(
                AttributePath::attr("events_types"),
                format!("This Harbor does not offer the event type {e:?}"),
                format!(
                    "Harbor lists these event types for webhooks: {}. Remove {e:?} from events_types.",
                    offered.event_type.join(", ")
                ),
            );
        }
    }
    if !offered.notify_type.is_empty() && !offered.notify_type.contains(&m.notify_type) {
        d.attr_error(
            AttributePath::attr("notify_type"),
            format!("This Harbor does not offer notify type {:?}", m.notify_type),
            format!("Use one of: {}.", offered.notify_type.join(", ")),
        );
    }
    if d.has_errors() { Err(d) } else { Ok(()) }
}

impl ProjectWebhookResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A webhook policy of a Harbor project: Harbor POSTs the chosen events to `address`, in its Default or \
                 CloudEvents JSON (`notify_type = \"http\"`) or as a Slack message (`notify_type = \"slack\"`).",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The policy's API path, `/projects/<project id>/webhook/policies/<webhook_id>`."))
            .attr(Attribute::number("webhook_id").computed().use_state_for_unknown().describe("Harbor's id of the policy."))
            .attr(Attribute::string("name").required().describe("The policy's name, unique in the project.").validate(validators::not_empty()))
            .attr(
                Attribute::string("project_id")
                    .required()
                    .requires_replace()
                    .describe("The project: `harbor_project.<name>.id` (`/projects/<id>`), a numeric id or a name. Changing it moves the policy to another project (replacement).")
                    .validate(validators::not_empty()),
            )
            .attr(Attribute::string("description").optional().default("").describe("A description of the policy."))
            .attr(Attribute::bool("enabled").optional().default(true).describe("Whether Harbor sends events for this policy."))
            .attr(
                Attribute::string("notify_type")
                    .required()
                    .describe("`http` (a JSON POST) or `slack` (a Slack incoming-webhook message).")
                    .validate(validators::one_of(&["http", "slack"])),
            )
            .attr(Attribute::string("address").required().describe("Where Harbor POSTs the events: an http or https URL.").validate(validators::not_empty()))
            .attr(
                Attribute::typed("events_types", Type::list(Type::String))
                    .required()
                    .describe(
                        "The events to send, read back from Harbor: any of `PUSH_ARTIFACT`, `PULL_ARTIFACT`, `DELETE_ARTIFACT`, \
                         `QUOTA_EXCEED`, `QUOTA_WARNING`, `SCANNING_FAILED`, `SCANNING_STOPPED`, `SCANNING_COMPLETED`, \
                         `REPLICATION`, `TAG_RETENTION`. Checked at plan time, and at apply time against what the connected Harbor lists.",
                    )
                    .validate(events_validator()),
            )
            .attr(
                Attribute::string("auth_header")
                    .optional()
                    .sensitive()
                    .describe("Sent as the `Authorization` header of every delivery (http targets), e.g. `Bearer <token>`. Stored in state; see `auth_header_wo` to keep it out. Read back from Harbor."),
            )
            .attr(
                Attribute::string("auth_header_wo")
                    .optional()
                    .sensitive()
                    .write_only()
                    .describe("The auth header, write-only: never stored in plan or state (Terraform 1.11 and later). Bump `auth_header_wo_version` to send a new value."),
            )
            .attr(Attribute::number("auth_header_wo_version").optional().describe("Change this number to send a new `auth_header_wo`."))
            .attr(Attribute::bool("skip_cert_verify").optional().default(true).describe("Whether Harbor skips verifying the receiver's TLS certificate (goharbor's default: true)."))
            .attr(
                Attribute::string("payload_format")
                    .optional_computed()
                    .describe("http targets only: `Default` (Harbor's JSON, the default) or `CloudEvents`. Harbor refuses a format for slack targets.")
                    .validate(validators::one_of(&["Default", "CloudEvents"])),
            )
            .attr(Attribute::string("creator").computed().use_state_for_unknown().describe("Who created the policy, as Harbor recorded it."))
            .attr(Attribute::string("creation_time").computed().use_state_for_unknown().describe("When the policy was created (RFC 3339)."))
            .attr(Attribute::string("update_time").computed().describe("When the policy last changed (RFC 3339).")),
        )
    }

    async fn read_policy(
        &self,
        h: &HarborContext,
        pid: i64,
        id: i64,
        prior: Option<&ProjectWebhookModel>,
        project: &str,
    ) -> Result<Option<ProjectWebhookModel>, Diagnostics> {
        let p = not_found_is_none(h.client.get_webhook_policy(pid, id).await)
            .map_err(|e| api_diag("Could not read the webhook policy of project", project, &e))?;
        Ok(p.map(|p| ProjectWebhookModel::from_harbor(&p, prior, project)))
    }
}

#[async_trait]
impl Resource<HarborContext> for ProjectWebhookResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/projects/{project_id}/webhook/policies/{webhook_id}")
                .describe("project_id", "The project's numeric id in Harbor.")
                .describe("webhook_id", "The webhook policy's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_project_webhook"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectWebhookModel>(
            &Self::schema().ty(),
        ))
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        super::shared_write_only::check_pair(config, "auth_header", "the header", diags);
        // Harbor: "set payload format is not allowed for slack" (validateTargets).
        if config.str_attr("notify_type") == Some("slack")
            && config.get("payload_format").as_str().is_some()
        {
            diags.attr_error(
                AttributePath::attr("payload_format"),
                "payload_format is not allowed for slack",
                "Harbor formats Slack messages itself: remove `payload_format`, or use `notify_type = \"http\"`.",
            );
        }
        if let Some(a) = config.str_attr("address")
            && let Some((scheme, _)) = a.split_once("://")
            && scheme != "http"
            && scheme != "https"
        {
            diags.attr_error(
                AttributePath::attr("address"),
                format!("Invalid address scheme {scheme:?}"),
                "Harbor delivers webhooks over http or https only: use an http:// or https:// URL.",
            );
        }
    }

    /// Harbor stores `Default` for an http target sent without a format and nothing for slack,
    /// so the planned format is known whenever `notify_type` is: no "known after apply", and no
    /// stale value carried over when the type changes.
    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        if ctx.planned.is_null() {
            return;
        }
        if ctx.config.get("payload_format").is_null() {
            match ctx.config.get("notify_type").as_str() {
                Some("http") => ctx.planned.set("payload_format", Value::string("Default")),
                Some(_) => ctx.planned.set("payload_format", Value::Null),
                None => ctx.set_unknown("payload_format"),
            }
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectWebhookModel = model::from_value(state)?;
        let project = state.project_id.clone();
        let Some(pid) = project_id(h, &project).await? else {
            return Ok(None);
        };
        let id = match state.webhook_id.value() {
            Some(&id) => id,
            // A create whose answer was lost: find it by its unique name.
            None => match h
                .client
                .find_webhook_policy(pid, &state.name)
                .await
                .map_err(|e| {
                    api_diag(
                        "Could not list the webhook policies of project",
                        &project,
                        &e,
                    )
                })? {
                Some(p) => p.id,
                None => return Ok(None),
            },
        };
        Ok(
            match self.read_policy(h, pid, id, Some(&state), &project).await? {
                Some(m) => Some(m.to_value()?),
                None => None,
            },
        )
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let m: ProjectWebhookModel = model::from_value(planned)?;
        let Some(pid) = project_id(h, &m.project_id).await? else {
            return Err(missing_project(&m.project_id).into());
        };
        check_offered(h, pid, &m).await?;
        let id = match h
            .client
            .create_webhook_policy(pid, &m.to_harbor(config))
            .await
        {
            Ok(id) => id,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    api_diag("Could not create webhook policy", &m.name, &e),
                    "webhook policy",
                    planned,
                ));
            }
            Err(e) => return Err(api_diag("Could not create webhook policy", &m.name, &e).into()),
        };
        let state = self
            .read_policy(h, pid, id, Some(&m), &m.project_id)
            .await?
            .ok_or_else(|| {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Webhook policy {} vanished right after its create", m.name),
                    "Harbor answered 201 but the policy cannot be read. Run `terraform apply` again.",
                );
                d
            })?;
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ProjectWebhookModel = model::from_value(prior)?;
        let m: ProjectWebhookModel = model::from_value(planned)?;
        let Some(pid) = project_id(h, &m.project_id).await? else {
            return Err(missing_project(&m.project_id).into());
        };
        check_offered(h, pid, &m).await?;
        let id = prior.webhook_id.value().copied().unwrap_or_default();
        let mut body = m.to_harbor(config);
        // Harbor's PUT writes `creator` and `creation_time` from the body (blank when left out).
        body.creator = prior.creator.value().cloned().unwrap_or_default();
        body.creation_time = prior.creation_time.value().cloned();
        // The write-only header is sent again only when its version moves; otherwise the header
        // Harbor has is sent back unchanged (PUT replaces the whole target).
        if m.auth_header.is_none()
            && config.get("auth_header_wo").as_str().is_some()
            && m.auth_header_wo_version == prior.auth_header_wo_version
        {
            let current = h
                .client
                .get_webhook_policy(pid, id)
                .await
                .map_err(|e| api_diag("Could not read webhook policy", &m.name, &e))?;
            body.targets[0].auth_header =
                current.targets.first().and_then(|t| t.auth_header.clone());
        }
        h.client
            .update_webhook_policy(pid, id, &body)
            .await
            .map_err(|e| api_diag("Could not update webhook policy", &m.name, &e))?;
        let state = self
            .read_policy(h, pid, id, Some(&m), &m.project_id)
            .await?
            .ok_or_else(|| {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Webhook policy {} vanished during its update", m.name),
                    "Run `terraform apply` again: the next plan re-creates it.",
                );
                d
            })?;
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectWebhookModel = model::from_value(prior)?;
        let Some(&id) = prior.webhook_id.value() else {
            return Ok(());
        };
        // The project may be gone already, and with it the policy.
        let Some(pid) = project_id(h, &prior.project_id).await? else {
            return Ok(());
        };
        h.client
            .delete_webhook_policy(pid, id)
            .await
            .map_err(|e| api_diag("Could not delete webhook policy", &prior.name, &e))
    }

    /// `/projects/<project id>/webhook/policies/<id>` (goharbor's form) or `<project>/<id>`
    /// with the project's id or name.
    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let bad = || {
            let mut d = Diagnostics::new();
            d.error(
                "Invalid import id for harbor_project_webhook",
                format!("{id:?}: use `/projects/<project id>/webhook/policies/<webhook id>` or `<project id or name>/<webhook id>`."),
            );
            d
        };
        let trimmed = id.trim();
        let (project, policy) = if let Some(rest) = trimmed.strip_prefix("/projects/") {
            let (p, w) = rest.split_once("/webhook/policies/").ok_or_else(bad)?;
            (format!("/projects/{p}"), w)
        } else {
            let (p, w) = trimmed.rsplit_once('/').ok_or_else(bad)?;
            (p.to_string(), w)
        };
        let policy: i64 = policy.parse().map_err(|_| bad())?;
        let Some(pid) = project_id(h, &project).await? else {
            return Err(super::import_not_found("project", &project));
        };
        match self
            .read_policy(h, pid, policy, None, &format!("/projects/{pid}"))
            .await?
        {
            Some(m) => Ok(m.to_value()?),
            None => Err(super::import_not_found("webhook policy", id)),
        }
    }

    /// goharbor/harbor's state (version 0): its id is the policy's path, `events_types` was
    /// never read back, unset strings are `""`, and Harbor stored `Default` for its http targets.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            go_zero_values_to_null(&mut raw, &["auth_header", "payload_format"], &[]);
            if let Some(obj) = raw.as_object_mut() {
                let id = obj
                    .get("id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                let webhook_id = id.rsplit('/').next().and_then(|s| s.parse::<i64>().ok());
                obj.insert("webhook_id".into(), webhook_id.into());
                if obj
                    .get("payload_format")
                    .is_none_or(serde_json::Value::is_null)
                    && obj.get("notify_type").and_then(|v| v.as_str()) == Some("http")
                {
                    obj.insert("payload_format".into(), "Default".into());
                }
                obj.entry("description").or_insert_with(|| "".into());
                for k in [
                    "auth_header_wo",
                    "auth_header_wo_version",
                    "creator",
                    "creation_time",
                    "update_time",
                ] {
                    obj.entry(k).or_insert(serde_json::Value::Null);
                }
            }
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harbor::{Client, ClientConfig, Principal};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A Harbor (any release, or one behind a proxy that trims the list) offering fewer event
    /// types than the plan-time list: the apply is refused, naming `events_types` and the type.
    /// It answers every request with the same `SupportedWebhookEventTypes`.
    #[tokio::test]
    async fn apply_refuses_event_types_the_connected_harbor_does_not_offer() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0; 4096];
                let _ = stream.read(&mut buf).await;
                let body = r#"{"event_type":["PUSH_ARTIFACT","DELETE_ARTIFACT"],"notify_type":["http","slack"]}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        let h = HarborContext {
            client: Client::new(ClientConfig::new(url)).unwrap(),
            version: None,
            robot_prefix: "robot$".into(),
            principal: Principal::Anonymous,
        };
        let mut m = ProjectWebhookModel {
            id: Known::Unknown,
            webhook_id: Known::Unknown,
            name: "ci".into(),
            project_id: "/projects/1".into(),
            description: String::new(),
            enabled: true,
            notify_type: "http".into(),
            address: "http://ci".into(),
            events_types: vec!["PUSH_ARTIFACT".into()],
            auth_header: None,
            auth_header_wo: None,
            auth_header_wo_version: None,
            skip_cert_verify: true,
            payload_format: Known::Unknown,
            creator: Known::Unknown,
            creation_time: Known::Unknown,
            update_time: Known::Unknown,
        };
        assert!(check_offered(&h, 1, &m).await.is_ok());
        m.events_types.push("TAG_RETENTION".into());
        let diags = check_offered(&h, 1, &m).await.unwrap_err();
        let d = diags.iter().next().unwrap();
        assert_eq!(d.path, Some(AttributePath::attr("events_types")));
        assert!(d.summary.contains("\"TAG_RETENTION\""), "{}", d.summary);
        assert!(
            d.detail
                .contains("Remove \"TAG_RETENTION\" from events_types"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectWebhookResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
