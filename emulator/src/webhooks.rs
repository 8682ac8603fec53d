//! Project webhook policies (`/projects/{p}/webhook/...`) and their delivery: the events the
//! emulator produces (a push through the control endpoint, a repository delete) are POSTed to every
//! enabled policy's targets in Harbor's Default, CloudEvents or Slack shape.
//!
//! Harbor: `src/server/v2.0/handler/webhook.go` (handlers, `validateTargets`, `validateEventTypes`),
//! `src/pkg/notification/notification.go` (`initSupportedNotifyType`), `src/pkg/notifier/formats`
//! (payloads), `src/pkg/notifier/handler/notification` (auth header, Slack template).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::projects::{find, missing};
use crate::state::{App, Project, Store};
use crate::util::{Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

/// `initSupportedNotifyType` in `src/pkg/notification/notification.go`, in Harbor's order.
pub const EVENT_TYPES: [&str; 10] = [
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
pub const NOTIFY_TYPES: [&str; 2] = ["http", "slack"];
pub const PAYLOAD_FORMATS: [&str; 2] = ["Default", "CloudEvents"];

/// `EventTarget` in `src/pkg/notification/policy/model/model.go`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Target {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub auth_header: String,
    #[serde(default)]
    pub skip_cert_verify: bool,
    #[serde(default)]
    pub payload_format: String,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub project_id: i64,
    pub targets: Vec<Target>,
    pub event_types: Vec<String>,
    pub creator: String,
    pub enabled: bool,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// The policy table and its id sequence (Postgres serial: ids only grow).
#[derive(Debug, Default)]
pub struct Webhooks {
    next_id: i64,
    pub policies: BTreeMap<i64, Policy>,
}

/// `WebhookPolicy` as the handler decodes it (`lib.JSONCopy` into `policy_model.Policy`).
#[derive(Debug, Deserialize)]
struct PolicyReq {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    targets: Vec<Target>,
    #[serde(default)]
    event_types: Vec<String>,
    #[serde(default)]
    creator: String,
    /// `PUT` writes it into the row as sent (see `update`).
    #[serde(default)]
    creation_time: Option<Timestamp>,
    #[serde(default)]
    enabled: bool,
}

fn policy_json(p: &Policy) -> Value {
    // `ToTargets` copies every field; go-swagger's `WebhookTargetObject` omits an empty
    // `auth_header`/`payload_format` and a false `skip_cert_verify`, and `WebhookPolicy` an empty
    // `description`/`creator` (only `enabled` is `x-omitempty: false`), as a real Harbor v2.15.2 does.
    let targets: Vec<Value> = p
        .targets
        .iter()
        .map(|t| {
            let mut v = json!({
                "type": t.kind,
                "address": t.address,
                "skip_cert_verify": t.skip_cert_verify,
            });
            if !t.auth_header.is_empty() {
                v["auth_header"] = json!(t.auth_header);
            }
            if !t.payload_format.is_empty() {
                v["payload_format"] = json!(t.payload_format);
            }
            crate::util::omit_empty(&mut v, &["skip_cert_verify"]);
            v
        })
        .collect();
    let mut body = json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "project_id": p.project_id,
        "targets": targets,
        "event_types": p.event_types,
        "creator": p.creator,
        "creation_time": p.creation_time,
        "update_time": p.update_time,
        "enabled": p.enabled,
    });
    crate::util::omit_empty(&mut body, &["description", "creator"]);
    body
}

/// `utils.ParseEndpoint` (`src/common/utils/utils.go`): only http and https, a scheme is optional.
fn parse_endpoint(address: &str) -> ApiResult<()> {
    let trimmed = address.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(ApiError::bad_request("empty URL"));
    }
    if let Some((scheme, rest)) = trimmed.split_once("://") {
        if scheme != "http" && scheme != "https" {
            return Err(ApiError::bad_request(format!("invalid scheme: {scheme}")));
        }
        if rest.is_empty() {
            return Err(ApiError::bad_request(format!(
                "parse \"{trimmed}\": invalid URI for request"
            )));
        }
    }
    Ok(())
}

/// `validateEventTypes` then `validateTargets`, in the handler's order. The address is checked but
/// stored as sent: the handler's SSRF rewrite assigns to the loop's copy of the target.
fn validate(req: &mut PolicyReq) -> ApiResult<()> {
    if req.event_types.is_empty() {
        return Err(ApiError::bad_request("empty event type"));
    }
    for t in &req.event_types {
        if !EVENT_TYPES.contains(&t.as_str()) {
            return Err(ApiError::bad_request(format!("unsupported event type {t}")));
        }
    }
    if req.targets.is_empty() {
        return Err(ApiError::bad_request(format!(
            "empty notification target with policy {}",
            req.name
        )));
    }
    for target in &mut req.targets {
        parse_endpoint(&target.address)?;
        if !NOTIFY_TYPES.contains(&target.kind.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unsupported target type {} with policy {}",
                target.kind, req.name
            )));
        }
        if !target.payload_format.is_empty() && target.kind == "slack" {
            return Err(ApiError::bad_request(
                "set payload format is not allowed for slack",
            ));
        }
        if !target.payload_format.is_empty()
            && !PAYLOAD_FORMATS.contains(&target.payload_format.as_str())
        {
            return Err(ApiError::bad_request(format!(
                "unsupported payload format type: {}",
                target.payload_format
            )));
        }
        if target.payload_format.is_empty() && target.kind == "http" {
            target.payload_format = "Default".into();
        }
    }
    Ok(())
}

fn project<'a>(
    app: &App,
    store: &'a Store,
    ctx: &Ctx,
    key: &str,
    action: &str,
) -> ApiResult<&'a Project> {
    Principal::resolve(app, store, ctx).require_project(
        find(store, ctx, key),
        "notification-policy",
        action,
        &missing(key),
    )
}

/// `requirePolicyInProject`: a policy of another project is 404, as a missing one.
fn policy_in(store: &Store, project_id: i64, id: i64) -> ApiResult<&Policy> {
    match store.webhooks.policies.get(&id) {
        Some(p) if p.project_id == project_id => Ok(p),
        Some(_) => Err(ApiError::not_found(format!(
            "project id:{project_id}, webhook policy id: {id} not found"
        ))),
        None => Err(ApiError::not_found(format!(
            "notification policy {id} not found"
        ))),
    }
}

fn name_taken(store: &Store, project_id: i64, name: &str, except: Option<i64>) -> bool {
    store
        .webhooks
        .policies
        .values()
        .any(|p| p.project_id == project_id && p.name == name && Some(p.id) != except)
}

/// `GET /projects/{p}/webhook/policies`
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = crate::util::Page::from_params(&params)?;
    let store = app.store();
    let project = project(&app, &store, &ctx, &key, "list")?;
    let q = params.query()?;
    // `creation_time` sorts descending by default (the model's `sort:"default:desc"`).
    let mut items: Vec<&Policy> = store
        .webhooks
        .policies
        .values()
        .filter(|p| p.project_id == project.id && q.allows("name", &p.name))
        .collect();
    items.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(b.id.cmp(&a.id)));
    let total = items.len();
    let rendered: Vec<Value> = page.slice(&items).into_iter().map(policy_json).collect();
    Ok(list_response(
        &format!("/api/v2.0/projects/{key}/webhook/policies"),
        &params,
        page,
        rendered,
        total,
    ))
}

/// `POST /projects/{p}/webhook/policies`
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut req: PolicyReq = parse_body(&body)?;
    let mut store = app.store();
    project(&app, &store, &ctx, &key, "create")?;
    validate(&mut req)?;
    let project_id = project(&app, &store, &ctx, &key, "create")?.id;
    if name_taken(&store, project_id, &req.name, None) {
        return Err(ApiError::conflict(format!(
            "notification policy {} already exists",
            req.name
        )));
    }
    let now = Timestamp::now();
    store.webhooks.next_id += 1;
    let id = store.webhooks.next_id;
    store.webhooks.policies.insert(
        id,
        Policy {
            id,
            name: req.name,
            description: req.description,
            project_id,
            targets: req.targets,
            event_types: req.event_types,
            creator: req.creator,
            enabled: req.enabled,
            creation_time: now,
            update_time: now,
        },
    );
    Ok(created(
        format!("/api/v2.0/projects/{key}/webhook/policies/{id}"),
        None,
    ))
}

/// `GET /projects/{p}/webhook/policies/{id}`
pub async fn get(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, id)): Path<(String, i64)>,
) -> ApiResult {
    let store = app.store();
    let project_id = project(&app, &store, &ctx, &key, "read")?.id;
    Ok(ok_json(policy_json(policy_in(&store, project_id, id)?)))
}

/// `PUT /projects/{p}/webhook/policies/{id}`: the whole policy is replaced by the body.
/// `UpdateWebhookPolicyOfProject` (server/v2.0/handler/webhook.go) copies the body into a fresh
/// `policy_model.Policy` and the dao's `ormer.Update(policy)` (pkg/notification/policy/dao/dao.go)
/// writes every column: `creator` and `creation_time` become what the body says (empty and Go's
/// zero time when left out). beego's `Update` drops one `auto_now_add` column from the SET, the
/// last one, `update_time`, so the update time never moves.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, id)): Path<(String, i64)>,
    body: Bytes,
) -> ApiResult {
    let mut req: PolicyReq = parse_body(&body)?;
    let mut store = app.store();
    let project_id = project(&app, &store, &ctx, &key, "update")?.id;
    policy_in(&store, project_id, id)?;
    validate(&mut req)?;
    if name_taken(&store, project_id, &req.name, Some(id)) {
        return Err(ApiError::conflict(format!(
            "notification policy {} already exists",
            req.name
        )));
    }
    let policy = store
        .webhooks
        .policies
        .get_mut(&id)
        .ok_or_else(ApiError::internal)?;
    policy.name = req.name;
    policy.description = req.description;
    policy.targets = req.targets;
    policy.event_types = req.event_types;
    policy.creator = req.creator;
    policy.creation_time = req.creation_time.unwrap_or(Timestamp::GO_ZERO);
    policy.enabled = req.enabled;
    Ok(ok_empty())
}

/// `DELETE /projects/{p}/webhook/policies/{id}`
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, id)): Path<(String, i64)>,
) -> ApiResult {
    let mut store = app.store();
    let project_id = project(&app, &store, &ctx, &key, "delete")?.id;
    policy_in(&store, project_id, id)?;
    store.webhooks.policies.remove(&id);
    Ok(ok_empty())
}

/// `GET /projects/{p}/webhook/events`: `GetSupportedEventTypes`.
pub async fn events(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let store = app.store();
    project(&app, &store, &ctx, &key, "read")?;
    Ok(ok_json(json!({
        "event_type": EVENT_TYPES,
        "notify_type": NOTIFY_TYPES,
        "payload_formats": [{"notify_type": "http", "formats": PAYLOAD_FORMATS}],
    })))
}

/// One POST to make once the store's lock is released.
#[derive(Debug)]
pub struct Delivery {
    address: String,
    skip_cert_verify: bool,
    content_type: &'static str,
    authorization: Option<String>,
    body: String,
}

/// What an artifact event carries (`event.ArtifactEvent`).
pub struct ArtifactEvent<'a> {
    pub event_type: &'static str,
    pub project: &'a Project,
    /// `project/name`.
    pub repository: &'a str,
    pub repository_created: Option<Timestamp>,
    pub digest: String,
    pub tag: Option<String>,
    pub operator: &'a str,
}

/// `notifier/model.Payload` and its parts, with Go's field order (the Slack text shows it).
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    #[serde(rename = "type")]
    pub kind: String,
    pub occur_at: i64,
    pub operator: String,
    pub event_data: EventData,
}

/// `EventData`: every part is `omitempty`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EventData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepositoryInfo>,
    /// `controller/event/model.Replication`, built by the replication run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<crate::replication_run::ReplicationData>,
    #[serde(
        rename = "custom_attributes",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub custom: BTreeMap<String, String>,
}

/// `Resource`: `digest`, `tag` and `resource_url` are `omitempty`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resource {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub digest: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tag: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepositoryInfo {
    /// omitempty, and unknown once the repository is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_created: Option<i64>,
    pub name: String,
    pub namespace: String,
    pub repo_full_name: String,
    pub repo_type: String,
}

impl RepositoryInfo {
    /// `util.GetNameFromImgRepoFullName` for `name`; `repo_type` from the project's `public`.
    pub fn of(project: &Project, full_name: &str, date_created: Option<i64>) -> Self {
        Self {
            date_created,
            name: full_name.split_once('/').map_or("", |(_, n)| n).into(),
            namespace: project.name.clone(),
            repo_full_name: full_name.into(),
            repo_type: if project.is_public() {
                "public"
            } else {
                "private"
            }
            .into(),
        }
    }
}

/// `constructArtifactPayload` in `src/controller/event/handler/webhook/artifact/artifact.go`.
fn artifact_payload(app: &App, event: &ArtifactEvent<'_>, occur_at: i64) -> Payload {
    let reference = event.tag.clone().unwrap_or_else(|| event.digest.clone());
    // `BuildImageResourceURL`: the external URL's host, then `@digest` or `:tag`.
    let host = app
        .base_url
        .split_once("://")
        .map_or(app.base_url.as_str(), |(_, h)| h);
    let resource_url = if reference.starts_with("sha256:") {
        format!("{host}/{}@{reference}", event.repository)
    } else {
        format!("{host}/{}:{reference}", event.repository)
    };
    Payload {
        kind: event.event_type.into(),
        occur_at,
        operator: event.operator.into(),
        event_data: EventData {
            resources: vec![Resource {
                digest: event.digest.clone(),
                tag: reference,
                resource_url,
            }],
            repository: Some(RepositoryInfo::of(
                event.project,
                event.repository,
                event.repository_created.map(Timestamp::unix_seconds),
            )),
            ..EventData::default()
        },
    }
}

/// `eventTypeMapping` in `src/pkg/notifier/formats/cloudevents.go`.
fn cloudevents_type(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "DELETE_ARTIFACT" => "harbor.artifact.deleted",
        "PULL_ARTIFACT" => "harbor.artifact.pulled",
        "PUSH_ARTIFACT" => "harbor.artifact.pushed",
        "QUOTA_EXCEED" => "harbor.quota.exceeded",
        "QUOTA_WARNING" => "harbor.quota.warned",
        "REPLICATION" => "harbor.replication.status.changed",
        "SCANNING_FAILED" => "harbor.scan.failed",
        "SCANNING_COMPLETED" => "harbor.scan.completed",
        "SCANNING_STOPPED" => "harbor.scan.stopped",
        "TAG_RETENTION" => "harbor.tag_retention.finished",
        _ => return None,
    })
}

/// `SlackBodyTemplate` and `convert` in `src/pkg/notifier/handler/notification/slack_handler.go`:
/// Go's text/template inserts the values unescaped, so the body is Harbor's byte for byte, not
/// necessarily strict JSON.
fn slack_body(payload: &Payload) -> String {
    let mut pretty = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut pretty, formatter);
    let _ = payload.event_data.serialize(&mut ser);
    let event_data = String::from_utf8_lossy(&pretty)
        .replace('"', "\\\"")
        .replace("\\\\\"", "\\\\\\\"");
    let kind = &payload.kind;
    let occur_at = payload.occur_at;
    let operator = &payload.operator;
    format!(
        r#"{{
	"blocks": [
		{{
            "type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "*Harbor webhook events*"
			}}
        }},
        {{
            "type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "*event_type:* {kind}"
			}}
        }},
        {{
            "type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "*occur_at:* <!date^{occur_at}^{{date}} at {{time}}|February 18th, 2014 at 6:39 AM PST>"
			}}
        }},
        {{	"type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "*operator:* {operator}"
			}}
		}},
        {{	"type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "*event_data:*"
			}}
		}},
		{{	"type": "section",
			"text": {{
				"type": "mrkdwn",
				"text": "```{event_data}```"
			}}
		}}
    ]}}"#
    )
}

/// The deliveries an artifact event causes (see [`deliveries`]).
pub fn artifact_deliveries(app: &App, store: &Store, event: &ArtifactEvent<'_>) -> Vec<Delivery> {
    let payload = artifact_payload(app, event, Timestamp::now().unix_seconds());
    deliveries(store, event.project.id, &payload)
}

/// The deliveries one event causes: `GetRelatedPolices` (enabled policies of the project that list
/// the event type), then one per target (`util.SendHookWithPolicies`). Nothing when
/// `notification_enable` is off, which `SendHookWithPolicies` checks for every event type.
pub fn deliveries(store: &Store, project_id: i64, payload: &Payload) -> Vec<Delivery> {
    if store
        .settings
        .others
        .get("notification_enable")
        .is_some_and(|v| v == &Value::Bool(false))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for policy in store.webhooks.policies.values() {
        if policy.project_id != project_id
            || !policy.enabled
            || !policy.event_types.contains(&payload.kind)
        {
            continue;
        }
        for target in &policy.targets {
            if let Some(d) = delivery(policy, target, payload, payload.occur_at) {
                out.push(d);
            }
        }
    }
    out
}

fn delivery(
    policy: &Policy,
    target: &Target,
    payload: &Payload,
    occur_at: i64,
) -> Option<Delivery> {
    if target.kind == "slack" {
        // The Slack handler sets no auth header.
        return Some(Delivery {
            address: target.address.clone(),
            skip_cert_verify: target.skip_cert_verify,
            content_type: "application/json",
            authorization: None,
            body: slack_body(payload),
        });
    }
    let authorization = Some(target.auth_header.clone()).filter(|h| !h.is_empty());
    let (content_type, body) = if target.payload_format == "CloudEvents" {
        let kind = cloudevents_type(&payload.kind)?;
        let time = Timestamp(occur_at * 1000).rfc3339();
        // cloudevents-go renders whole seconds without a fraction.
        let time = format!("{}Z", time.split('.').next().unwrap_or_default());
        let event = json!({
            "specversion": "1.0",
            "requestid": crate::util::uuid_v4(),
            "id": crate::util::uuid_v4(),
            "source": format!("/projects/{}/webhook/policies/{}", policy.project_id, policy.id),
            "type": kind,
            "datacontenttype": "application/json",
            "time": time,
            "data": payload.event_data,
            "operator": payload.operator,
        });
        ("application/cloudevents+json", event.to_string())
    } else {
        (
            "application/json",
            serde_json::to_string(payload).unwrap_or_default(),
        )
    };
    Some(Delivery {
        address: target.address.clone(),
        skip_cert_verify: target.skip_cert_verify,
        content_type,
        authorization,
        body,
    })
}

/// Sends the deliveries in the background, as Harbor's job service does: the event's own request
/// never waits for, or fails because of, a receiver.
pub fn send(app: &App, deliveries: Vec<Delivery>) {
    for d in deliveries {
        let client = app.probes.get(d.skip_cert_verify).clone();
        tokio::spawn(async move {
            let mut request = client
                .post(&d.address)
                .header("Content-Type", d.content_type)
                .body(d.body);
            if let Some(auth) = d.authorization {
                request = request.header("Authorization", auth);
            }
            match request.send().await {
                Ok(resp) if resp.status().is_success() => {}
                Ok(resp) => {
                    tracing::info!(address = %d.address, status = %resp.status(), "webhook receiver refused the event")
                }
                Err(e) => {
                    tracing::info!(address = %d.address, error = %e, "webhook delivery failed")
                }
            }
        });
    }
}

/// A stand-in digest for a seeded repository's artifact (the emulator stores no manifests):
/// sha256 of the repository's full name, so it is stable for a name.
pub fn seeded_digest(full_name: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, full_name.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
