//! Tag retention (`server/v2.0/handler/retention.go`, `controller/retention`, `pkg/retention`):
//! policies kept with the project's `retention_id`, and runs that retain and delete by Harbor's
//! rule semantics.

use serde_json::{Value, json};

use crate::support::Harbor;

fn rule(template: &str, n: Option<i64>, tag: (&str, &str), repo: (&str, &str)) -> Value {
    let params = match n {
        Some(n) => json!({ template: n }),
        None => json!({}),
    };
    json!({
        "disabled": false,
        "action": "retain",
        "template": template,
        "params": params,
        "tag_selectors": [{"kind": "doublestar", "decoration": tag.0, "pattern": tag.1, "extras": "{\"untagged\":true}"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": repo.0, "pattern": repo.1}]},
    })
}

fn policy(project: i64, cron: &str, rules: Vec<Value>) -> Value {
    json!({
        "algorithm": "or",
        "rules": rules,
        "trigger": {"kind": "Schedule", "settings": {"cron": cron}},
        "scope": {"level": "project", "ref": project},
    })
}

async fn push(h: &Harbor, repo: &str, tags: &[&str], pushed_days_ago: i64, pulled: Option<i64>) {
    let r = h
        .admin()
        .post(
            "/_emulator/projects/p/artifacts",
            json!({"repository": repo, "tags": tags, "pushed_days_ago": pushed_days_ago, "pulled_days_ago": pulled}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// `CreateRetention` records the policy's id in the project's `retention_id` metadata, and a
/// second policy for the project is a 400 "project %v already has retention policy %v";
/// `DeleteRetention` removes both.
#[tokio::test]
async fn retention_policy_is_tied_to_the_project_metadata() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let body = policy(
        pid,
        "0 0 0 * * *",
        vec![rule(
            "always",
            None,
            ("matches", "**"),
            ("repoMatches", "**"),
        )],
    );
    let r = h.admin().post("/retentions", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v2.0/retentions/{id}")
    );
    let project = h.admin().get("/projects/p").await.json();
    assert_eq!(project["metadata"]["retention_id"], id.to_string());
    let again = h.admin().post("/retentions", body).await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.message(),
        format!("project {pid} already has retention policy {id}")
    );
    let got = h.admin().get(&format!("/retentions/{id}")).await.json();
    assert_eq!(got["rules"][0]["template"], "always");
    assert_eq!(got["trigger"]["settings"]["cron"], "0 0 0 * * *");
    assert!(
        got["trigger"]["settings"]["next_scheduled_time"].is_string(),
        "{got}"
    );
    assert_eq!(got["scope"]["ref"], pid);
    assert_eq!(
        h.admin().delete(&format!("/retentions/{id}")).await.status,
        200
    );
    let project = h.admin().get("/projects/p").await.json();
    assert!(
        project["metadata"].get("retention_id").is_none(),
        "{project}"
    );
}

/// A policy that no longer exists: GET passes the manager's plain error on (500, text hidden);
/// DELETE and executions wrap it as a 400 "no such Retention policy with id %v".
#[tokio::test]
async fn missing_retention_policy_is_500_on_get_and_400_on_delete() {
    let h = Harbor::start().await;
    let r = h.admin().get("/retentions/42").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "internal server error");
    let d = h.admin().delete("/retentions/42").await;
    assert_eq!(d.status, 400);
    assert_eq!(d.message(), "no such Retention policy with id 42");
}

/// The handler's checks: more than 15 rules (400), two equal rules (409 "rule 1 is conflict with
/// rule 0"), a project that does not exist (400 "invalid Project id"), and the controller's cron
/// check (`ValidateRetentionPolicy`).
#[tokio::test]
async fn retention_policy_checks_rule_count_conflicts_project_and_cron() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let one = |n: i64| {
        rule(
            "latestPushedK",
            Some(n),
            ("matches", "**"),
            ("repoMatches", "**"),
        )
    };
    let many: Vec<Value> = (1..=16).map(one).collect();
    let r = h.admin().post("/retentions", policy(pid, "", many)).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "only 15 rules are allowed at most")
    );
    let r = h
        .admin()
        .post("/retentions", policy(pid, "", vec![one(3), one(3)]))
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (409, "rule 1 is conflict with rule 0")
    );
    let r = h
        .admin()
        .post("/retentions", policy(999, "", vec![one(3)]))
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "invalid Project id 999")
    );
    let r = h
        .admin()
        .post("/retentions", policy(pid, "5 0 0 * * *", vec![one(3)]))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.message()
            .starts_with("invalid cron string for scheduled tag retention: 5 0 0 * * *"),
        "{}",
        r.message()
    );
    assert_eq!(
        h.admin()
            .post("/retentions", policy(pid, "", vec![one(3)]))
            .await
            .status,
        201
    );
}

/// `requirePolicyAccess` on update: the body's project must hold this policy's id in
/// `retention_id`, else 404 "the retention policy id %d does not match".
#[tokio::test]
async fn retention_update_must_stay_in_its_project() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let other = h.project("q", false).await;
    let body = policy(
        pid,
        "",
        vec![rule(
            "always",
            None,
            ("matches", "**"),
            ("repoMatches", "**"),
        )],
    );
    let id = h.admin().post("/retentions", body).await.location_id();
    let moved = policy(
        other,
        "",
        vec![rule(
            "always",
            None,
            ("matches", "**"),
            ("repoMatches", "**"),
        )],
    );
    let r = h.admin().put(&format!("/retentions/{id}"), moved).await;
    assert_eq!(
        (r.status, r.message()),
        (404, format!("the retention policy id {id} does not match"))
    );
    let changed = policy(
        pid,
        "0 0 * * * *",
        vec![rule(
            "latestPushedK",
            Some(2),
            ("matches", "**"),
            ("repoMatches", "**"),
        )],
    );
    assert_eq!(
        h.admin()
            .put(&format!("/retentions/{id}"), changed)
            .await
            .status,
        200
    );
    let got = h.admin().get(&format!("/retentions/{id}")).await.json();
    assert_eq!(got["rules"][0]["params"]["latestPushedK"], 2);
}

async fn run(h: &Harbor, id: i64, dry_run: bool) -> (Value, Vec<Value>, Vec<String>) {
    let r = h
        .admin()
        .post(
            &format!("/retentions/{id}/executions"),
            json!({"dry_run": dry_run}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let eid = r.location_id();
    let execs = h
        .admin()
        .get(&format!("/retentions/{id}/executions"))
        .await
        .json();
    let exec = execs
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == eid)
        .unwrap()
        .clone();
    let tasks = h
        .admin()
        .get(&format!("/retentions/{id}/executions/{eid}/tasks"))
        .await
        .json()
        .as_array()
        .unwrap()
        .clone();
    let mut logs = Vec::new();
    for t in &tasks {
        let tid = t["id"].as_i64().unwrap();
        logs.push(
            h.admin()
                .get(&format!("/retentions/{id}/executions/{eid}/tasks/{tid}"))
                .await
                .text,
        );
    }
    (exec, tasks, logs)
}

/// Tags of the log rows marked `mark` (the table `logResults` writes).
fn marked(log: &str, mark: &str) -> Vec<String> {
    let mut out: Vec<String> = log
        .lines()
        .filter(|l| {
            l.trim_end()
                .trim_end_matches('|')
                .trim_end()
                .ends_with(mark)
        })
        .map(|l| l.split('|').nth(2).unwrap().trim().to_string())
        .collect();
    out.sort();
    out
}

/// The rule templates and the OR of rules (`policy/alg/or`): `latestPushedK` keeps the k most
/// recently pushed of the artifacts whose tags match, `nDaysSinceLastPull` those pulled within n
/// days; an artifact either rule keeps stays. A dry run deletes nothing; the execution records
/// `dry_run`, and each repository's task its `total` and `retained`.
#[tokio::test]
async fn retention_dry_run_marks_what_the_rules_do_not_keep_and_deletes_nothing() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    push(&h, "app", &["v1"], 40, None).await;
    push(&h, "app", &["v2"], 30, Some(2)).await;
    push(&h, "app", &["v3"], 20, None).await;
    push(&h, "app", &["v4"], 10, None).await;
    push(&h, "app", &["latest"], 5, None).await;
    push(&h, "tools/x", &["v1"], 40, None).await;
    let rules = vec![
        rule(
            "latestPushedK",
            Some(2),
            ("matches", "v*"),
            ("repoMatches", "app"),
        ),
        rule(
            "nDaysSinceLastPull",
            Some(7),
            ("matches", "**"),
            ("repoMatches", "app"),
        ),
    ];
    let id = h
        .admin()
        .post("/retentions", policy(pid, "", rules))
        .await
        .location_id();
    let (exec, tasks, logs) = run(&h, id, true).await;
    assert_eq!(exec["dry_run"], true);
    assert_eq!(exec["status"], "Succeed");
    assert_eq!(exec["trigger"], "MANUAL");
    assert_eq!(
        tasks.len(),
        1,
        "only app matches the repository selector: {tasks:?}"
    );
    assert_eq!(tasks[0]["repository"], "app");
    assert_eq!(
        (tasks[0]["total"].as_i64(), tasks[0]["retained"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(marked(&logs[0], "DEL"), vec!["latest", "v1"]);
    assert_eq!(marked(&logs[0], "RETAIN"), vec!["v2", "v3", "v4"]);
    let left = h
        .admin()
        .get("/projects/p/repositories/app/artifacts")
        .await
        .json();
    assert_eq!(
        left.as_array().unwrap().len(),
        5,
        "a dry run deletes nothing"
    );
}

/// A real run deletes what the dry run marked, except what an immutable rule protects
/// (`retainAction.Perform`: IMMUTABLE, counted as retained).
#[tokio::test]
async fn retention_run_deletes_but_spares_immutable_tags() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    push(&h, "app", &["v1"], 30, None).await;
    push(&h, "app", &["v2"], 20, None).await;
    push(&h, "app", &["v3"], 10, None).await;
    h.admin()
        .post(
            "/projects/p/immutabletagrules",
            json!({"action": "immutable", "template": "immutable_template",
                   "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "v1"}],
                   "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}),
        )
        .await;
    let rules = vec![rule(
        "latestPushedK",
        Some(1),
        ("matches", "**"),
        ("repoMatches", "**"),
    )];
    let id = h
        .admin()
        .post("/retentions", policy(pid, "", rules))
        .await
        .location_id();
    let (exec, tasks, logs) = run(&h, id, false).await;
    assert!(exec.get("dry_run").is_none(), "false is omitted: {exec}");
    assert_eq!(marked(&logs[0], "IMMUTABLE"), vec!["v1"]);
    assert_eq!(marked(&logs[0], "DEL"), vec!["v2"]);
    assert_eq!(tasks[0]["retained"], 2);
    let left: Vec<String> = h
        .admin()
        .get("/projects/p/repositories/app/artifacts")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tags"][0]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, vec!["v3", "v1"]);
}

/// The doublestar tag selector: `excludes` keeps artifacts with any tag not matching, and
/// untagged artifacts follow the rule's `extras` `{"untagged": ...}`.
#[tokio::test]
async fn retention_excludes_and_untagged_follow_the_selector() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    push(&h, "app", &["snapshot"], 3, None).await;
    push(&h, "app", &["v1"], 2, None).await;
    push(&h, "app", &[], 1, None).await;
    let mut r = rule(
        "always",
        None,
        ("excludes", "snapshot"),
        ("repoMatches", "**"),
    );
    r["tag_selectors"][0]["extras"] = json!("{\"untagged\":false}");
    let id = h
        .admin()
        .post("/retentions", policy(pid, "", vec![r]))
        .await
        .location_id();
    let (_, tasks, logs) = run(&h, id, true).await;
    assert_eq!(marked(&logs[0], "DEL"), vec!["snapshot"]);
    // With `untagged: false` an `excludes` selector takes the untagged artifact (`!untagged`).
    assert_eq!(tasks[0]["retained"], 2);
}

/// `Launch` with no rules makes no task and the execution is done ("no resources for retention").
#[tokio::test]
async fn retention_without_rules_runs_no_task() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    push(&h, "app", &["v1"], 3, None).await;
    let id = h
        .admin()
        .post("/retentions", policy(pid, "", vec![]))
        .await
        .location_id();
    let (exec, tasks, _) = run(&h, id, true).await;
    assert_eq!(exec["status"], "Succeed");
    assert!(tasks.is_empty());
}

/// A proxy-cache project gets `WithNDaysSinceLastPull(id, 7)` from the project controller.
#[tokio::test]
async fn proxy_cache_project_gets_a_seven_day_pull_policy() {
    let h = Harbor::start().await;
    let reg = h.registry("up").await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "cache", "registry_id": reg, "metadata": {"public": "true"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let project = h.admin().get("/projects/cache").await.json();
    let id = project["metadata"]["retention_id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = h.admin().get(&format!("/retentions/{id}")).await.json();
    assert_eq!(got["rules"][0]["template"], "nDaysSinceLastPull");
    assert_eq!(got["rules"][0]["params"]["nDaysSinceLastPull"], 7);
}

/// The generated `RetentionPolicy` and `RetentionRule` models (`server/v2.0/models/`) have no
/// `omitempty` on `rules` and on a rule's `tag_selectors`: a policy whose rules were set to `[]`
/// reads `"rules": []` (as a real Harbor v2.15.2 answered, FIDELITY.md), and a rule sent without
/// tag selectors reads `"tag_selectors": null`.
#[tokio::test]
async fn retention_rules_and_tag_selectors_are_never_left_out() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let mut bare = rule("always", None, ("matches", "**"), ("repoMatches", "**"));
    bare.as_object_mut().unwrap().remove("tag_selectors");
    let r = h
        .admin()
        .post("/retentions", policy(pid, "", vec![bare]))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    let got = h.admin().get(&format!("/retentions/{id}")).await.json();
    assert_eq!(got["rules"][0]["tag_selectors"], Value::Null, "{got}");
    assert!(
        got["rules"][0]
            .as_object()
            .unwrap()
            .contains_key("tag_selectors"),
        "{got}"
    );
    let r = h
        .admin()
        .put(&format!("/retentions/{id}"), policy(pid, "", vec![]))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = h.admin().get(&format!("/retentions/{id}")).await.json();
    assert_eq!(got["rules"], json!([]), "{got}");
}
