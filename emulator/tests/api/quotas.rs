//! Quotas: system-level access, the quota object shape and the validation of `hard`.

use serde_json::json;

use crate::support::Harbor;

async fn quota_of(h: &Harbor, project_id: i64) -> i64 {
    h.admin()
        .get(&format!(
            "/quotas?reference=project&reference_id={project_id}"
        ))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap()
}

/// The ref's `owner_name` is empty: seen on Harbor 2.15.2 built from its source (FIDELITY.md).
/// `controller/quota/driver/project/project.go` `Load` copies `project.OwnerName` from a project
/// loaded without its owner (the dataloader, `util.go` `getProjectsBatchFn`, calls
/// `pkg.ProjectMgr.List`, which never fills `OwnerName`).
#[tokio::test]
async fn quota_is_listed_by_reference_with_a_ref_object() {
    let h = Harbor::start().await;
    let id = h.project("q", false).await;
    let r = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("1"));
    let q = r.json()[0].clone();
    assert_eq!(q["ref"], json!({"id": id, "name": "q", "owner_name": ""}));
    assert_eq!(q["hard"], json!({"storage": -1}));
    assert_eq!(q["used"], json!({"storage": 0}));
    assert!(q.get("reference").is_none() && q.get("reference_id").is_none());
}

#[tokio::test]
async fn quota_update_changes_hard_storage() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let r = h
        .admin()
        .put(
            &format!("/quotas/{qid}"),
            json!({"hard": {"storage": 1024}}),
        )
        .await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    assert_eq!(
        h.admin().get(&format!("/quotas/{qid}")).await.json()["hard"]["storage"],
        1024
    );
    assert_eq!(
        h.admin()
            .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": -1}}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn quota_rejects_zero() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let r = h
        .admin()
        .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": 0}}))
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"));
}

#[tokio::test]
async fn quota_rejects_negative_values_other_than_minus_one() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    assert_eq!(
        h.admin()
            .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": -2}}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn quota_maximum_is_1024_terabytes() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let max = 1_125_899_906_842_624_i64;
    assert_eq!(
        h.admin()
            .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": max}}))
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin()
            .put(
                &format!("/quotas/{qid}"),
                json!({"hard": {"storage": max + 1}})
            )
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn quota_rejects_resources_other_than_storage() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let r = h
        .admin()
        .put(
            &format!("/quotas/{qid}"),
            json!({"hard": {"storage": 10, "count": 5}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.message(), "resource count not support");
}

#[tokio::test]
async fn quota_endpoints_need_system_access() {
    let h = Harbor::start().await;
    let id = h.project("q", false).await;
    let qid = quota_of(&h, id).await;
    assert_eq!(h.anon().get("/quotas").await.status, 401);
    let (_, name, secret) = h.project_robot("q", "bot", &[("quota", "read")]).await;
    let robot = h.user(&name, &secret);
    assert_eq!(robot.get("/quotas").await.status, 403);
    assert_eq!(robot.get(&format!("/quotas/{qid}")).await.status, 403);
    assert_eq!(
        robot
            .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": 5}}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn system_robot_with_quota_permissions_manages_quotas() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let (_, name, secret) = h
        .system_robot(
            "quota",
            &[("quota", "list"), ("quota", "read"), ("quota", "update")],
        )
        .await;
    let robot = h.user(&name, &secret);
    assert_eq!(robot.get("/quotas").await.status, 200);
    assert_eq!(robot.get(&format!("/quotas/{qid}")).await.status, 200);
    assert_eq!(
        robot
            .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": 5}}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn unknown_quota_is_404() {
    let h = Harbor::start().await;
    assert_eq!(h.admin().get("/quotas/999").await.status, 404);
}

/// `lib.ValidateQuotaLimit` (lib/quota_storage_limit.go), reached through the project driver's
/// `Validate` from `UpdateQuota` (handler/quota.go) and `validateProjectReq` (handler/project.go):
/// Harbor's two texts, each with the value.
#[tokio::test]
async fn quota_limit_refusals_say_what_harbor_says() {
    let h = Harbor::start().await;
    let qid = quota_of(&h, h.project("q", false).await).await;
    let r = h
        .admin()
        .put(&format!("/quotas/{qid}"), json!({"hard": {"storage": -2}}))
        .await;
    assert_eq!(
        r.message(),
        "invalid non-positive value for quota limit, value=-2"
    );
    let r = h
        .admin()
        .put(
            &format!("/quotas/{qid}"),
            json!({"hard": {"storage": 1_125_899_906_842_625_i64}}),
        )
        .await;
    assert_eq!(
        r.message(),
        "exceeded 1024TB, which is 1125899906842624 Bytes, value=1125899906842625"
    );
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "big", "storage_limit": -5}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "invalid non-positive value for quota limit, value=-5".to_string()
        )
    );
}

/// Harbor `src/server/v2.0/handler/quota.go` `ListQuotas` builds its query without `q`
/// (`BuildQuery(ctx, nil, ...)`) and sets only `reference` and `reference_id`, so a batch cannot
/// select quotas by several ids: `q` is ignored and `reference=project` lists every project's
/// quota, newest first (`src/pkg/quota/dao/util.go` `listOrderBy`: `b.creation_time DESC`).
#[tokio::test]
async fn quota_list_ignores_q_and_lists_every_project_quota_newest_first() {
    let h = Harbor::start().await;
    let a = h.project("qa", false).await;
    let b = h.project("qb", false).await;
    let c = h.project("qc", false).await;
    let r = h
        .admin()
        .get(&format!(
            "/quotas?reference=project&q=reference_id%3D%7B{a}%7D"
        ))
        .await;
    assert_eq!(r.status, 200);
    // Three, and `library`'s, which Harbor creates at installation, oldest.
    assert_eq!(r.header("x-total-count").as_deref(), Some("4"));
    let refs: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["ref"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(refs[..3], [c, b, a]);
}

/// The summary shows a quota only while `quota_per_project_enable` is on (Harbor
/// `src/server/v2.0/handler/project.go` `getProjectQuotaSummary` returns early otherwise), but
/// `ListQuotas` lists the quotas that exist whatever the setting. Batched reads therefore list
/// quotas whole only when the setting is on, so that both paths read the same.
#[tokio::test]
async fn quota_list_shows_quotas_the_summary_hides_when_per_project_quota_is_off() {
    let h = Harbor::start().await;
    let id = h.project("qoff", false).await;
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"quota_per_project_enable": false}),
        )
        .await;
    assert_eq!(r.status, 200);
    let summary = h
        .admin()
        .get(&format!("/projects/{id}/summary"))
        .await
        .json();
    assert!(summary.get("quota").is_none(), "{summary}");
    let r = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("1"));
}
