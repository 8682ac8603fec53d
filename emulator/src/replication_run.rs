//! A replication execution's tasks and the REPLICATION webhook events they fire.
//!
//! For a push-mode policy (source: the local Harbor) the emulator does what Harbor's copy flow does
//! up to the job service: it fetches the local artifacts the policy's filters select, one resource
//! per repository, names the destination repository, and makes one `copy` task per resource. The
//! emulator has no job service and no registry to push to, so each task goes Running then Success
//! at once and nothing reaches the remote; the task status hook fires REPLICATION for each status,
//! as Harbor's does. A pull-mode policy would fetch from the remote registry, which the emulator
//! never lists, so its executions have no tasks.
//!
//! Harbor: `src/controller/replication/flow/copy.go` (`Run`, `createTasks`), `flow/stage.go`
//! (`assembleDestinationResources`, `replaceNamespace`, `getResourceName`, `getResourceReferences`),
//! `src/pkg/reg/adapter/harbor/v2/adapter.go` (`FetchArtifacts`: type `artifact`),
//! `src/pkg/reg/filter/{repository,artifact}.go` (name, tag and label filters),
//! `src/controller/event/handler/init.go` (`RegisterTaskStatusChangePostFunc`),
//! `src/controller/event/handler/webhook/artifact/replication.go` (`constructReplicationPayload`),
//! `src/server/v2.0/handler/replication.go` (`convertTask`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::lifecycle::Artifact;
use crate::state::{AppInner, ReplicationPolicy, Store};
use crate::util::Timestamp;
use crate::webhooks::{Delivery, EventData, Payload, deliveries};

/// One row of the `task` table for the replication vendor.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub execution_id: i64,
    pub job_id: String,
    pub resource_type: String,
    pub src_resource: String,
    pub dst_resource: String,
    /// Tags (or digests of untagged artifacts), comma-joined.
    pub references: String,
    /// The job service's status (`Success`, ...); the API converts it (`convertTask`).
    pub status: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
}

/// The task table and its id sequence.
#[derive(Debug, Default)]
pub struct Tasks {
    next_id: i64,
    pub rows: BTreeMap<i64, Task>,
}

impl Tasks {
    pub fn of_execution(&self, execution_id: i64) -> Vec<&Task> {
        self.rows
            .values()
            .filter(|t| t.execution_id == execution_id)
            .collect()
    }
}

/// `convertTask`: the job service's statuses under the API's names.
pub fn task_json(t: &Task) -> Value {
    let status = match t.status.as_str() {
        "Scheduled" | "Running" => "InProgress",
        "Success" => "Succeed",
        "Error" => "Failed",
        other => other,
    };
    json!({
        "id": t.id,
        "execution_id": t.execution_id,
        "status": status,
        "job_id": t.job_id,
        "operation": "copy",
        "resource_type": t.resource_type,
        "src_resource": t.src_resource,
        "dst_resource": t.dst_resource,
        "start_time": t.start_time,
        "end_time": t.end_time,
    })
}

/// What one run came to: the execution's final status and message, and the events to deliver.
pub struct Outcome {
    /// `Succeed` or `Failed`, as the API shows it.
    pub status: &'static str,
    pub status_text: String,
    pub deliveries: Vec<Delivery>,
}

/// One selected repository: its name and the references to copy, in the order listed.
struct Selected {
    repository: String,
    references: Vec<String>,
}

fn filter_value<'a>(policy: &'a ReplicationPolicy, kind: &str) -> Option<&'a Value> {
    policy
        .filters
        .iter()
        .find(|f| f.get("type").and_then(Value::as_str) == Some(kind))
}

fn decoration(filter: &Value) -> &str {
    filter
        .get("decoration")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `util.Match`: an empty pattern matches everything; otherwise doublestar.
fn matches(pattern: &str, name: &str) -> Result<bool, String> {
    if pattern.is_empty() {
        return Ok(true);
    }
    crate::doublestar::matches(pattern, name)
}

/// The artifact filters (`BuildArtifactFilters`: label, then tag) over one artifact: `None` when
/// it is filtered out, else the references to copy (its matching tags, or its digest if untagged).
fn select_artifact(
    policy: &ReplicationPolicy,
    a: &Artifact,
) -> Result<Option<Vec<String>>, String> {
    if let Some(filter) = filter_value(policy, "label") {
        let wanted = filter
            .get("value")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        // `artifactLabelFilter`: no labels in the filter keeps everything; otherwise an artifact
        // must hold them all. Artifacts carry no labels here, so "matches" keeps none and
        // "excludes" keeps all.
        let keep = wanted == 0 || decoration(filter) == "excludes";
        if !keep {
            return Ok(None);
        }
    }
    let tags: Vec<String> = a.tags.iter().map(|t| t.name.clone()).collect();
    let Some(filter) = filter_value(policy, "tag") else {
        return Ok(Some(if tags.is_empty() {
            vec![a.digest.clone()]
        } else {
            tags
        }));
    };
    let pattern = filter.get("value").and_then(Value::as_str).unwrap_or("");
    if pattern.is_empty() {
        return Ok(Some(if tags.is_empty() {
            vec![a.digest.clone()]
        } else {
            tags
        }));
    }
    let excludes = decoration(filter) == "excludes";
    if tags.is_empty() {
        let m = matches(pattern, "")?;
        return Ok((m != excludes).then(|| vec![a.digest.clone()]));
    }
    let mut kept = Vec::new();
    for tag in tags {
        if matches(pattern, &tag)? != excludes {
            kept.push(tag);
        }
    }
    Ok((!kept.is_empty()).then_some(kept))
}

/// `FetchArtifacts` of the local Harbor with the policy's filters: each repository whose full name
/// the name filter matches and which keeps at least one artifact, newest push first.
fn fetch(store: &Store, policy: &ReplicationPolicy) -> Result<Vec<Selected>, String> {
    let name_pattern = filter_value(policy, "name")
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut out = Vec::new();
    for repo in store.repositories.values() {
        if !matches(&name_pattern, &repo.name)? {
            continue;
        }
        let mut artifacts: Vec<&Artifact> = store
            .lifecycle
            .artifacts
            .values()
            .filter(|a| a.repository_id == repo.id)
            .collect();
        artifacts.sort_by(|a, b| b.push_time.cmp(&a.push_time).then(b.id.cmp(&a.id)));
        let mut references = Vec::new();
        for a in artifacts {
            if let Some(refs) = select_artifact(policy, a)? {
                references.extend(refs);
            }
        }
        if !references.is_empty() {
            out.push(Selected {
                repository: repo.name.clone(),
                references,
            });
        }
    }
    Ok(out)
}

/// `replaceNamespace`, with the destination adapter's path rule (`harbor`: at least two parts).
fn replace_namespace(
    repository: &str,
    namespace: &str,
    replace_count: i64,
    at_least_two: bool,
) -> Result<String, String> {
    if namespace.is_empty() {
        return Ok(repository.to_string());
    }
    let parts: Vec<&str> = repository.split('/').collect();
    let len = parts.len();
    let prefix = if replace_count < 0 {
        namespace.to_string()
    } else if replace_count as usize > len - 1 {
        return Err(format!(
            "the source repository {repository:?} contains only {} path components [{}] excepting the last one, but the destination namespace flattening level is {replace_count}",
            len - 1,
            parts[..len - 1].join(" ")
        ));
    } else {
        format!(
            "{namespace}/{}",
            parts[replace_count as usize..len - 1].join("/")
        )
    };
    // `path.Join` drops the empty element a flattening to the namespace leaves.
    let prefix = prefix.trim_end_matches('/');
    let name = parts[len - 1];
    let dest = format!("{prefix}/{name}");
    let dest_len = dest.split('/').count();
    if at_least_two && dest_len < 2 {
        return Err(format!(
            "the destination repository {dest:?} contains only {dest_len} path components, but the destination registry requires at least 2"
        ));
    }
    Ok(dest)
}

/// `getMetadataFromResource`: the part before the first `/`, and the rest.
fn split_resource(resource: &str) -> (String, String) {
    match resource.split_once('/') {
        Some((ns, rest)) => (ns.to_string(), rest.to_string()),
        None => (String::new(), resource.to_string()),
    }
}

/// Runs the execution: creates its tasks, and returns its final status with the REPLICATION
/// deliveries (two per task: `Running`, then `Success`).
pub fn run(
    app: &AppInner,
    store: &mut Store,
    execution_id: i64,
    policy: &ReplicationPolicy,
    operator: &str,
    trigger: &str,
) -> Outcome {
    const NOTHING: &str = "no resources need to be replicated";
    if policy.src_registry_id != 0 {
        // Pull mode: the remote would be listed by its adapter, which the emulator never does.
        return Outcome {
            status: "Succeed",
            status_text: NOTHING.into(),
            deliveries: Vec::new(),
        };
    }
    let selected = match fetch(store, policy) {
        Ok(s) => s,
        Err(e) => {
            return Outcome {
                status: "Failed",
                status_text: e,
                deliveries: Vec::new(),
            };
        }
    };
    if selected.is_empty() {
        return Outcome {
            status: "Succeed",
            status_text: NOTHING.into(),
            deliveries: Vec::new(),
        };
    }
    let Some(remote) = store.registries.get(&policy.dest_registry_id).cloned() else {
        return Outcome {
            status: "Failed",
            status_text: format!("registry {} not found", policy.dest_registry_id),
            deliveries: Vec::new(),
        };
    };
    let mut destinations = Vec::new();
    for s in &selected {
        match replace_namespace(
            &s.repository,
            &policy.dest_namespace,
            policy.dest_namespace_replace_count,
            remote.kind == "harbor",
        ) {
            Ok(d) => destinations.push(d),
            Err(e) => {
                return Outcome {
                    status: "Failed",
                    status_text: e,
                    deliveries: Vec::new(),
                };
            }
        }
    }
    let now = Timestamp::now();
    let mut new_tasks = Vec::new();
    for (s, dest) in selected.iter().zip(&destinations) {
        store.replication_tasks.next_id += 1;
        let id = store.replication_tasks.next_id;
        let n = s.references.len();
        let task = Task {
            id,
            execution_id,
            job_id: crate::util::uuid_v4().replace('-', "")[..24].to_string(),
            resource_type: "artifact".into(),
            src_resource: format!("{} [{n} item(s) in total]", s.repository),
            dst_resource: format!("{dest} [{n} item(s) in total]"),
            references: s.references.join(","),
            status: "Success".into(),
            start_time: now,
            end_time: now,
        };
        store.replication_tasks.rows.insert(id, task.clone());
        new_tasks.push(task);
    }
    let mut out = Vec::new();
    for task in &new_tasks {
        for status in ["Running", "Success"] {
            out.extend(task_event(
                app,
                store,
                policy,
                &remote,
                execution_id,
                operator,
                trigger,
                now,
                task,
                status,
            ));
        }
    }
    Outcome {
        status: "Succeed",
        status_text: String::new(),
        deliveries: out,
    }
}

/// `constructReplicationPayload` for one task status change. For a push-mode policy Harbor puts
/// the local side under `src_resource` with the *destination* namespace and the remote under
/// `dest_resource` with the *source* namespace (it builds both before knowing the direction);
/// the event goes to the source project's webhooks.
#[allow(clippy::too_many_arguments)]
fn task_event(
    app: &AppInner,
    store: &Store,
    policy: &ReplicationPolicy,
    remote: &crate::state::Registry,
    execution_id: i64,
    operator: &str,
    trigger: &str,
    start: Timestamp,
    task: &Task,
    status: &str,
) -> Vec<Delivery> {
    let (src_namespace, src_name_tag) = split_resource(&task.src_resource);
    let (dest_namespace, _) = split_resource(&task.dst_resource);
    let Some(project) = store.project_by_name(&src_namespace) else {
        return Vec::new();
    };
    let ext_url = app
        .base_url
        .split_once("://")
        .map_or(app.base_url.as_str(), |(_, h)| h);
    let hostname = ext_url.split(':').next().unwrap_or_default();
    let remote_res = ResourceInfo {
        registry_name: remote.name.clone(),
        registry_type: remote.kind.clone(),
        endpoint: remote.url.clone(),
        namespace: src_namespace,
    };
    let local_res = ResourceInfo {
        registry_name: String::new(),
        registry_type: "harbor".into(),
        endpoint: app.base_url.clone(),
        namespace: dest_namespace,
    };
    let successful_artifact = if status == "Success" {
        // The task row is read after the status update, so it says `Success` here.
        vec![ArtifactInfo {
            kind: task.resource_type.clone(),
            status: "Success".into(),
            name_tag: src_name_tag,
            references: task.references.split(',').map(str::to_string).collect(),
        }]
    } else {
        Vec::new()
    };
    let replication = ReplicationData {
        harbor_hostname: hostname.into(),
        job_status: status.into(),
        description: policy.description.clone(),
        artifact_type: task.resource_type.clone(),
        authentication_type: remote.credential_type.clone(),
        override_mode: policy.override_,
        trigger_type: trigger.into(),
        policy_creator: policy.creator.clone(),
        execution_timestamp: start.unix_seconds(),
        src_resource: Some(local_res),
        dest_resource: Some(remote_res),
        successful_artifact,
        execution_id,
        task_id: task.id,
    };
    let payload = Payload {
        kind: "REPLICATION".into(),
        occur_at: Timestamp::now().unix_seconds(),
        operator: operator.into(),
        event_data: EventData {
            replication: Some(replication),
            ..EventData::default()
        },
    };
    deliveries(store, project.id, &payload)
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `controller/event/model.Replication`, in Go's field order; everything is `omitempty`.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicationData {
    #[serde(skip_serializing_if = "String::is_empty")]
    harbor_hostname: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    job_status: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    artifact_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    authentication_type: String,
    #[serde(skip_serializing_if = "is_false")]
    override_mode: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    trigger_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    policy_creator: String,
    #[serde(skip_serializing_if = "is_zero")]
    execution_timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_resource: Option<ResourceInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dest_resource: Option<ResourceInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    successful_artifact: Vec<ArtifactInfo>,
    #[serde(skip_serializing_if = "is_zero")]
    execution_id: i64,
    #[serde(skip_serializing_if = "is_zero")]
    task_id: i64,
}

/// `ReplicationResource`: `registry_type` and `endpoint` always, the rest `omitempty`.
#[derive(Debug, Clone, Serialize)]
struct ResourceInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    registry_name: String,
    registry_type: String,
    endpoint: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
}

/// `ArtifactInfo` (its `fail_reason` is only set for failures, which never happen here).
#[derive(Debug, Clone, Serialize)]
struct ArtifactInfo {
    #[serde(rename = "type")]
    kind: String,
    status: String,
    name_tag: String,
    references: Vec<String>,
}
