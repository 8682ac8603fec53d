//! Storage quota usage from pushed artifacts, the refusal of a push over the hard limit, and the
//! QUOTA_EXCEED, QUOTA_WARNING and REPLICATION webhook events, received by a real HTTP listener
//! the test starts.

use serde_json::{Value, json};

use crate::support::Harbor;
use crate::webhooks::{next, receiver};

/// A project with a storage quota of `hard` bytes.
async fn project_with_quota(h: &Harbor, name: &str, hard: i64) -> i64 {
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": name, "storage_limit": hard}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.location_id()
}

async fn push(h: &Harbor, project: &str, body: Value) -> crate::support::Resp {
    h.anon()
        .post(&format!("/_emulator/projects/{project}/artifacts"), body)
        .await
}

async fn used(h: &Harbor, project_id: i64) -> i64 {
    h.admin()
        .get(&format!(
            "/quotas?reference=project&reference_id={project_id}"
        ))
        .await
        .json()[0]["used"]["storage"]
        .as_i64()
        .unwrap()
}

/// `putManifestResources` (server/middleware/quota/put_manifest.go): a manifest already in the
/// project requests nothing, so a digest counts once per project (`CalculateTotalSizeByProject`);
/// `reserveResources` (controller/quota/controller.go) with `IsSafe` (pkg/quota/util.go) refuses a
/// push past the hard limit, and `RequestMiddleware` (server/middleware/quota/quota.go) answers
/// `DeniedError` (403 `DENIED`) with `ResourceOverflow.Error` (pkg/quota/errors.go), sizes in
/// `byteCountToDisplaySize` (pkg/quota/types/format.go). Deleting an artifact frees its bytes.
#[tokio::test]
async fn storage_usage_counts_each_digest_once_and_a_push_over_the_hard_limit_is_403_denied() {
    let h = Harbor::start().await;
    let id = project_with_quota(&h, "q", 2048).await;
    let a = json!({"repository": "app", "tags": ["v1"], "digest": "sha256:aa", "size": 1200});
    assert_eq!(push(&h, "q", a).await.status, 201);
    assert_eq!(used(&h, id).await, 1200);
    // The same manifest in another repository of the project is free.
    let same = json!({"repository": "other", "tags": ["v1"], "digest": "sha256:aa", "size": 1200});
    assert_eq!(push(&h, "q", same).await.status, 201);
    assert_eq!(used(&h, id).await, 1200);
    let big = json!({"repository": "app", "tags": ["v2"], "digest": "sha256:bb", "size": 1000});
    let r = push(&h, "q", big).await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            403,
            "DENIED".to_string(),
            "adding 1000 B of storage resource, which when updated to current usage of 1.2 KiB \
             will exceed the configured upper limit of 2.0 KiB."
                .to_string()
        )
    );
    // Nothing of the refused push was stored.
    let arts = h
        .admin()
        .get("/projects/q/repositories/app/artifacts")
        .await
        .json();
    assert_eq!(arts.as_array().unwrap().len(), 1);
    assert_eq!(arts[0]["size"], 1200);
    // The summary shows the same usage.
    let summary = h.admin().get("/projects/q/summary").await.json();
    assert_eq!(
        summary["quota"],
        json!({"hard": {"storage": 2048}, "used": {"storage": 1200}})
    );
    // Deleting one of the two artifacts sharing the digest keeps it counted; deleting both frees it.
    assert_eq!(
        h.admin()
            .delete("/projects/q/repositories/app/artifacts/v1")
            .await
            .status,
        200
    );
    assert_eq!(used(&h, id).await, 1200);
    assert_eq!(
        h.admin()
            .delete("/projects/q/repositories/other/artifacts/v1")
            .await
            .status,
        200
    );
    assert_eq!(used(&h, id).await, 0);
}

/// The project quota driver's `Enabled` (controller/quota/driver/project/project.go) reads
/// `quota_per_project_enable`; when it is off `RequestMiddleware` passes every push unchecked.
#[tokio::test]
async fn push_over_the_limit_passes_when_per_project_quotas_are_off() {
    let h = Harbor::start().await;
    project_with_quota(&h, "q", 100).await;
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"quota_per_project_enable": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = push(&h, "q", json!({"repository": "app", "size": 500})).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

fn without(mut v: Value, keys: &[&str]) -> Value {
    for k in keys {
        if let Some(o) = v.as_object_mut() {
            o.remove(*k);
        }
    }
    v
}

/// `RequestMiddleware` (server/middleware/quota/quota.go): after a successful push that brings
/// usage to 85 % or more (`GetWarningResources`) it fires QUOTA_WARNING, "quota usage reach 85%:
/// resource storage used X of Y"; a refused push fires QUOTA_EXCEED with the overflow text.
/// `projectResourcesEvent` (util.go) takes the digest and the tag of the manifest URL, and
/// `constructQuotaPayload` (controller/event/handler/webhook/quota/quota.go) sends the repository
/// without `date_created`, one resource with only `digest` and `tag` (no `resource_url`), and the
/// message under `custom_attributes.Details`.
#[tokio::test]
async fn quota_warning_and_exceed_are_delivered_with_harbors_payload() {
    let h = Harbor::start().await;
    project_with_quota(&h, "q", 1000).await;
    let (address, mut rx) = receiver().await;
    let policy = json!({"name": "quota", "enabled": true,
        "event_types": ["QUOTA_EXCEED", "QUOTA_WARNING"],
        "targets": [{"type": "http", "address": address, "auth_header": "Bearer q"}]});
    assert_eq!(
        h.admin()
            .post("/projects/q/webhook/policies", policy)
            .await
            .status,
        201
    );
    // 800 of 1000 is under 85 %: no event (the PUSH_ARTIFACT is not subscribed).
    let small = json!({"repository": "app", "tags": ["v1"], "digest": "sha256:01", "size": 800});
    assert_eq!(push(&h, "q", small).await.status, 201);
    // 900 of 1000 warns.
    let more = json!({"repository": "app", "tags": ["v2"], "digest": "sha256:02", "size": 100});
    assert_eq!(push(&h, "q", more).await.status, 201);
    let (headers, body) = next(&mut rx).await;
    assert_eq!(headers["authorization"], "Bearer q");
    let warning: Value = serde_json::from_str(&body).unwrap();
    assert!(warning["occur_at"].as_i64().unwrap() > 0);
    assert_eq!(
        without(warning, &["occur_at"]),
        json!({
            "type": "QUOTA_WARNING",
            "operator": "admin",
            "event_data": {
                "resources": [{"digest": "sha256:02", "tag": "v2"}],
                "repository": {"name": "app", "namespace": "q", "repo_full_name": "q/app",
                    "repo_type": "private"},
                "custom_attributes": {"Details": "quota usage reach 85%: resource storage used 900 B of 1000 B"},
            },
        })
    );
    // Past the limit: refused, and QUOTA_EXCEED, here for a push by digest (no tag).
    let over = json!({"repository": "app", "digest": "sha256:03", "size": 200});
    assert_eq!(push(&h, "q", over).await.status, 403);
    let (_, body) = next(&mut rx).await;
    let exceed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        without(exceed, &["occur_at"]),
        json!({
            "type": "QUOTA_EXCEED",
            "operator": "admin",
            "event_data": {
                "resources": [{"digest": "sha256:03"}],
                "repository": {"name": "app", "namespace": "q", "repo_full_name": "q/app",
                    "repo_type": "private"},
                "custom_attributes": {"Details": "adding 200 B of storage resource, which when \
                    updated to current usage of 900 B will exceed the configured upper limit of 1000 B."},
            },
        })
    );
}

/// The copy flow (controller/replication/flow/copy.go `Run`, `createTasks`; flow/stage.go): the
/// local Harbor's `FetchArtifacts` (pkg/reg/adapter/harbor/v2/adapter.go) gives one `artifact`
/// resource per repository the name filter matches, its artifacts through the tag filter
/// (pkg/reg/filter/artifact.go: only matching tags are kept); one `copy` task per resource, named
/// `repo [N item(s) in total]` (`getResourceName`), the destination through `replaceNamespace`.
/// The execution counts its tasks (`convertExecution`); with nothing selected it is done with "no
/// resources need to be replicated".
#[tokio::test]
async fn replication_execution_makes_one_task_per_selected_repository() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let reg = h.registry("hub").await;
    for (repo, tags) in [
        ("app", vec!["v1", "v2"]),
        ("web", vec!["v1"]),
        ("db", vec!["x"]),
    ] {
        let body = json!({"repository": repo, "tags": tags});
        assert_eq!(push(&h, "p", body).await.status, 201);
    }
    let policy = json!({"name": "out", "enabled": true, "src_registry": {"id": 0},
        "dest_registry": {"id": reg}, "dest_namespace": "mirror",
        "filters": [{"type": "name", "value": "p/**"}, {"type": "tag", "value": "v1"}]});
    assert_eq!(
        h.admin().post("/replication/policies", policy).await.status,
        201
    );
    let r = h
        .admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    assert_eq!(r.status, 201);
    let e = h.admin().get("/replication/executions/1").await.json();
    assert_eq!(
        (&e["status"], &e["total"], &e["succeed"], &e["in_progress"]),
        (&json!("Succeed"), &json!(2), &json!(2), &json!(0))
    );
    let tasks = h
        .admin()
        .get("/replication/executions/1/tasks")
        .await
        .json();
    let rows: Vec<(String, String, String, String, String)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["operation"].as_str().unwrap().into(),
                t["resource_type"].as_str().unwrap().into(),
                t["src_resource"].as_str().unwrap().into(),
                t["dst_resource"].as_str().unwrap().into(),
                t["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let row = |s: &str, d: &str| {
        (
            "copy".to_string(),
            "artifact".to_string(),
            s.to_string(),
            d.to_string(),
            "Succeed".to_string(),
        )
    };
    assert_eq!(
        rows,
        vec![
            row(
                "p/app [1 item(s) in total]",
                "mirror/app [1 item(s) in total]"
            ),
            row(
                "p/web [1 item(s) in total]",
                "mirror/web [1 item(s) in total]"
            ),
        ]
    );
    // A filter nothing matches: the execution is done without tasks.
    let none = json!({"name": "none", "enabled": true, "src_registry": {"id": 0},
        "dest_registry": {"id": reg}, "filters": [{"type": "name", "value": "nothing/**"}]});
    h.admin().post("/replication/policies", none).await;
    h.admin()
        .post("/replication/executions", json!({"policy_id": 2}))
        .await;
    let e = h.admin().get("/replication/executions/2").await.json();
    assert_eq!(
        (&e["status"], &e["total"], &e["status_text"]),
        (
            &json!("Succeed"),
            &json!(0),
            &json!("no resources need to be replicated")
        )
    );
}

/// The task status hook (`RegisterTaskStatusChangePostFunc` in controller/event/handler/init.go)
/// fires REPLICATION on each status a task reaches, Running then Success;
/// `constructReplicationPayload` (controller/event/handler/webhook/artifact/replication.go) sends
/// it to the source project's webhooks, with the local side under `src_resource` carrying the
/// destination namespace and the remote under `dest_resource` carrying the source namespace, the
/// raw trigger `MANUAL`, the policy's creator, and on Success the task's references. A PUT writes
/// the whole policy row without `creator` (handler/replication.go `UpdateReplicationPolicy`), so
/// after it `policy_creator` is gone.
#[tokio::test]
async fn replication_tasks_fire_replication_events_with_harbors_payload() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let reg = h.registry("hub").await;
    let body = json!({"repository": "app", "tags": ["v1", "v2"], "digest": "sha256:0a"});
    assert_eq!(push(&h, "p", body).await.status, 201);
    let (address, mut rx) = receiver().await;
    let hook = json!({"name": "rep", "enabled": true, "event_types": ["REPLICATION"],
        "targets": [{"type": "http", "address": address}]});
    h.admin().post("/projects/p/webhook/policies", hook).await;
    let policy = json!({"name": "out", "description": "to hub", "enabled": true,
        "src_registry": {"id": 0}, "dest_registry": {"id": reg}, "dest_namespace": "mirror"});
    h.admin()
        .post("/replication/policies", policy.clone())
        .await;
    h.admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    let mut events = Vec::new();
    for _ in 0..2 {
        let (_, body) = next(&mut rx).await;
        events.push(serde_json::from_str::<Value>(&body).unwrap());
    }
    // Deliveries run concurrently, as the job service's do: order them by status.
    events.sort_by_key(|e| e["event_data"]["replication"]["job_status"] != "Running");
    let replication = |e: &Value| e["event_data"]["replication"].clone();
    assert_eq!(replication(&events[0])["job_status"], "Running");
    assert!(replication(&events[0]).get("successful_artifact").is_none());
    let success = replication(&events[1]);
    assert!(success["execution_timestamp"].as_i64().unwrap() > 0);
    assert_eq!(
        (&events[1]["type"], &events[1]["operator"]),
        (&json!("REPLICATION"), &json!("admin"))
    );
    assert_eq!(
        without(success, &["execution_timestamp"]),
        json!({
            "harbor_hostname": "127.0.0.1",
            "job_status": "Success",
            "description": "to hub",
            "artifact_type": "artifact",
            "trigger_type": "MANUAL",
            "policy_creator": "admin",
            "src_resource": {"registry_type": "harbor", "endpoint": h.url(), "namespace": "mirror"},
            "dest_resource": {"registry_name": "hub", "registry_type": "docker-hub",
                "endpoint": "https://hub.docker.com", "namespace": "p"},
            "successful_artifact": [{"type": "artifact", "status": "Success",
                "name_tag": "app [2 item(s) in total]", "references": ["v1", "v2"]}],
            "execution_id": 1,
            "task_id": 1,
        })
    );
    // After a PUT the policy has no creator.
    h.admin().put("/replication/policies/1", policy).await;
    h.admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    let (_, body) = next(&mut rx).await;
    let after: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(replication(&after)["execution_id"], 2);
    assert!(replication(&after).get("policy_creator").is_none());
}

/// `AuthenticationType: string(remoteRegistry.Credential.Type)` in the REPLICATION payload
/// (controller/event/handler/webhook/artifact/replication.go): a remote registered with an access
/// key and no credential type is stored as `basic` (`controller/registry` defaults it), and the
/// event says so. The payload test above uses a remote without a credential, where the field is
/// empty and left out, so it could not see this field go wrong.
#[tokio::test]
async fn replication_event_names_the_remote_credential_type() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "hub", "type": "docker-hub", "url": "https://hub.docker.com",
                "credential": {"access_key": "u", "access_secret": "s"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let reg = r.location_id();
    let body = json!({"repository": "app", "tags": ["v1"], "digest": "sha256:0b"});
    assert_eq!(push(&h, "p", body).await.status, 201);
    let (address, mut rx) = receiver().await;
    let hook = json!({"name": "rep", "enabled": true, "event_types": ["REPLICATION"],
        "targets": [{"type": "http", "address": address}]});
    h.admin().post("/projects/p/webhook/policies", hook).await;
    let policy = json!({"name": "out", "enabled": true,
        "src_registry": {"id": 0}, "dest_registry": {"id": reg}});
    h.admin().post("/replication/policies", policy).await;
    h.admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    let (_, body) = next(&mut rx).await;
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        event["event_data"]["replication"]["authentication_type"],
        "basic"
    );
}
