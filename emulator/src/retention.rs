//! Tag retention (`/retentions`): policies as `server/v2.0/handler/retention.go` and
//! `controller/retention` keep them (with the project's `retention_id` metadata), and executions
//! that run them as `pkg/retention` does: the launcher picks repositories per rule
//! (`launcher.go` `Launch`), each repository's job selects tags, evaluates the rule templates
//! (`policy/rule/*`), ORs what the rules retain (`policy/alg/or`) and deletes the rest unless an
//! immutable rule protects it (`policy/action` `retainAction.Perform`). A dry run deletes nothing.
//! Executions run to completion inside the POST, where Harbor runs them in the job service.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::{
    Artifact, RetentionExecution, RetentionPolicy, RetentionRule, RetentionScope, RetentionTask,
    RetentionTrigger, Selector, select_repository, select_tags, without_project,
};
use crate::state::{App, Store};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

/// `rentenitionMetadataPayload` of the handler, verbatim in content.
pub async fn metadatas(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_authenticated()?;
    let param = |unit: &str| json!([{"type": "int", "unit": unit, "required": true}]);
    Ok(ok_json(json!({
        "templates": [
            {"action": "retain", "display_text": "the most recently pushed # artifacts", "rule_template": "latestPushedK", "params": param("COUNT")},
            {"action": "retain", "display_text": "the most recently pulled # artifacts", "rule_template": "latestPulledN", "params": param("COUNT")},
            {"action": "retain", "display_text": "pushed within the last # days", "rule_template": "nDaysSinceLastPush", "params": param("DAYS")},
            {"action": "retain", "display_text": "pulled within the last # days", "rule_template": "nDaysSinceLastPull", "params": param("DAYS")},
            {"action": "retain", "display_text": "always", "rule_template": "always", "params": []},
        ],
        "scope_selectors": [
            {"display_text": "Repositories", "kind": "doublestar", "decorations": ["repoMatches", "repoExcludes"]}
        ],
        "tag_selectors": [
            {"display_text": "Tags", "kind": "doublestar", "decorations": ["matches", "excludes"]}
        ],
    })))
}

/// The policy Harbor makes for a new proxy-cache project (`policy.WithNDaysSinceLastPull(id, 7)`,
/// created by the project controller), so its `retention_id` names a real policy.
pub fn proxy_cache_policy(id: i64, project_id: i64) -> RetentionPolicy {
    let sel = |decoration: &str| Selector {
        kind: "doublestar".into(),
        decoration: decoration.into(),
        pattern: "**".into(),
        extras: None,
    };
    RetentionPolicy {
        id,
        algorithm: "or".into(),
        rules: vec![RetentionRule {
            id: 1,
            priority: 1,
            disabled: false,
            action: "retain".into(),
            template: "nDaysSinceLastPull".into(),
            params: Some(BTreeMap::from([("nDaysSinceLastPull".into(), json!(7))])),
            tag_selectors: Some(vec![sel("matches")]),
            scope_selectors: Some(BTreeMap::from([(
                "repository".into(),
                vec![sel("repoMatches")],
            )])),
        }],
        trigger: Some(RetentionTrigger {
            kind: "Schedule".into(),
            settings: Some(Map::from_iter([("cron".to_string(), json!("0 0 0 * * *"))])),
            references: None,
        }),
        scope: Some(RetentionScope {
            level: "project".into(),
            reference: project_id,
        }),
    }
}

fn selector_json(s: &Selector) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("kind", Some(&s.kind)),
        ("decoration", Some(&s.decoration)),
        ("pattern", Some(&s.pattern)),
        ("extras", s.extras.as_ref()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            m.insert(k.into(), json!(v));
        }
    }
    Value::Object(m)
}

/// `ToSwagger` (a JSON copy into go-swagger's model, `omitempty` on every field but `rules` and a
/// rule's `tag_selectors`). A scheduled trigger
/// with a cron gains `next_scheduled_time` (`DefaultManager.GetPolicy`).
pub fn policy_json(p: &RetentionPolicy) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    if !p.algorithm.is_empty() {
        m.insert("algorithm".into(), json!(p.algorithm));
    }
    let rules: Vec<Value> = p
        .rules
        .iter()
        .map(|r| {
            let mut o = Map::new();
            if r.id != 0 {
                o.insert("id".into(), json!(r.id));
            }
            if r.priority != 0 {
                o.insert("priority".into(), json!(r.priority));
            }
            if r.disabled {
                o.insert("disabled".into(), json!(true));
            }
            if !r.action.is_empty() {
                o.insert("action".into(), json!(r.action));
            }
            if !r.template.is_empty() {
                o.insert("template".into(), json!(r.template));
            }
            if let Some(params) = r.params.as_ref().filter(|p| !p.is_empty()) {
                o.insert("params".into(), json!(params));
            }
            // `tag_selectors` has no `omitempty` (`models/retention_rule.go`, generated).
            o.insert(
                "tag_selectors".into(),
                match &r.tag_selectors {
                    Some(t) => Value::Array(t.iter().map(selector_json).collect()),
                    None => Value::Null,
                },
            );
            if let Some(s) = r.scope_selectors.as_ref().filter(|s| !s.is_empty()) {
                let s: Map<String, Value> = s
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            Value::Array(v.iter().map(selector_json).collect()),
                        )
                    })
                    .collect();
                o.insert("scope_selectors".into(), Value::Object(s));
            }
            Value::Object(o)
        })
        .collect();
    // `rules` has no `omitempty` (`models/retention_policy.go`, generated): a policy whose rules
    // were set to `[]` reads `"rules": []`, as a real Harbor v2.15.2 answered (FIDELITY.md).
    m.insert("rules".into(), Value::Array(rules));
    if let Some(t) = &p.trigger {
        let mut o = Map::new();
        if !t.kind.is_empty() {
            o.insert("kind".into(), json!(t.kind));
        }
        if let Some(settings) = &t.settings {
            let mut settings = settings.clone();
            if t.kind == "Schedule"
                && let Some(cron) = settings.get("cron").and_then(Value::as_str)
                && !cron.is_empty()
            {
                // The next run is not computed here; the key is there as Harbor adds it.
                settings.insert(
                    "next_scheduled_time".into(),
                    json!(Timestamp(Timestamp::now().0 + 3_600_000)),
                );
            }
            o.insert("settings".into(), Value::Object(settings));
        }
        if let Some(r) = &t.references {
            o.insert("references".into(), r.clone());
        }
        m.insert("trigger".into(), Value::Object(o));
    }
    if let Some(s) = &p.scope {
        let mut o = Map::new();
        if !s.level.is_empty() {
            o.insert("level".into(), json!(s.level));
        }
        if s.reference != 0 {
            o.insert("ref".into(), json!(s.reference));
        }
        m.insert("scope".into(), Value::Object(o));
    }
    Value::Object(m)
}

fn parse_policy(body: &[u8]) -> ApiResult<RetentionPolicy> {
    let v: Value = parse_body(body)?;
    serde_json::from_value(v)
        .map_err(|e| ApiError::bad_request(format!("parsing body failed: {e}")))
}

/// The handler's first checks, shared by create and update: at most 15 rules (400), then
/// `checkRuleConflict`: two rules equal but for their id are a 409 "rule %d is conflict with rule %d".
fn check_rules(p: &RetentionPolicy) -> ApiResult<()> {
    if p.rules.len() > 15 {
        return Err(ApiError::bad_request("only 15 rules are allowed at most"));
    }
    let mut seen: Vec<(RetentionRule, usize)> = Vec::new();
    for (n, rule) in p.rules.iter().enumerate() {
        let mut r = rule.clone();
        r.id = 0;
        if let Some((_, old)) = seen.iter().find(|(o, _)| *o == r) {
            return Err(ApiError::conflict(format!(
                "rule {n} is conflict with rule {old}"
            )));
        }
        seen.push((r, n));
    }
    Ok(())
}

/// `requireAccess`: project scope checks the project permission (an admin passes even for a
/// project that does not exist, as Harbor's RBAC answers for any project id), anything else the
/// system permission. A policy without a scope dereferences nil in Go: 500.
fn require_access(
    store: &Store,
    who: &Principal,
    p: &RetentionPolicy,
    action: &str,
) -> ApiResult<()> {
    let scope = p.scope.as_ref().ok_or_else(ApiError::internal)?;
    if scope.level == "project" {
        match store.projects.get(&scope.reference) {
            Some(project) if who.can_project(project, "tag-retention", action) => Ok(()),
            None if who.is_admin() => Ok(()),
            _ => Err(who.deny()),
        }
    } else {
        who.require_system("tag-retention", action)
    }
}

/// `ValidateRetentionPolicy`: a scheduled trigger's non-empty cron must parse, and with six
/// fields its seconds must be 0.
fn validate_trigger(p: &RetentionPolicy) -> ApiResult<()> {
    let Some(t) = &p.trigger else { return Ok(()) };
    if t.kind != "Schedule" {
        return Ok(());
    }
    let cron = t
        .settings
        .as_ref()
        .and_then(|s| s.get("cron"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if cron.is_empty() {
        return Ok(());
    }
    let invalid = |e: String| {
        ApiError::bad_request(format!(
            "invalid cron string for scheduled tag retention: {cron}, error: {e}"
        ))
    };
    harbor_cron::parse(cron).map_err(invalid)?;
    let parts: Vec<&str> = cron.split(' ').collect();
    if parts.len() == 6 && parts[0] != "0" {
        return Err(invalid(
            "the 1st field (indicating Seconds of time) of the cron setting must be 0".into(),
        ));
    }
    Ok(())
}

/// `POST /retentions` (`CreateRetention`).
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let mut p = parse_policy(&body)?;
    check_rules(&p)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    require_access(&store, &who, &p, "create")?;
    let scope = p.scope.clone().ok_or_else(ApiError::internal)?;
    if scope.level != "project" {
        return Err(ApiError::bad_request(format!(
            "scope {} is not support",
            scope.level
        )));
    }
    if scope.reference <= 0 || !store.projects.contains_key(&scope.reference) {
        return Err(ApiError::bad_request(format!(
            "invalid Project id {}",
            scope.reference
        )));
    }
    if let Some(old) = store.projects[&scope.reference]
        .metadata
        .get("retention_id")
    {
        return Err(ApiError::bad_request(format!(
            "project {} already has retention policy {old}",
            scope.reference
        )));
    }
    validate_trigger(&p)?;
    // `CreatePolicy` reads `p.Trigger.Kind`: a policy without a trigger panics there.
    if p.trigger.is_none() {
        return Err(ApiError::internal());
    }
    let id = store.next_retention_id();
    p.id = id;
    store.lifecycle.retentions.insert(id, p);
    if let Some(project) = store.projects.get_mut(&scope.reference) {
        project
            .metadata
            .insert("retention_id".into(), id.to_string());
    }
    Ok(created(format!("/api/v2.0/retentions/{id}"), None))
}

/// `GetRetention` of a missing id: the manager returns a plain error ("no such Retention policy
/// with id %v"), which handlers either pass on (500, text hidden) or wrap as 400.
fn no_such(id: i64) -> String {
    format!("no such Retention policy with id {id}")
}

/// `GET /retentions/{id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let p = store
        .lifecycle
        .retentions
        .get(&id)
        .ok_or_else(ApiError::internal)?;
    require_access(&store, &who, p, "read")?;
    Ok(ok_json(policy_json(p)))
}

/// `requirePolicyAccess`: the project's `retention_id` metadata must name this policy.
fn require_policy_access(store: &Store, p: &RetentionPolicy) -> ApiResult<()> {
    let reference = p.scope.as_ref().map_or(0, |s| s.reference);
    let meta = store
        .projects
        .get(&reference)
        .and_then(|pr| pr.metadata.get("retention_id"));
    if meta.is_some_and(|m| *m == p.id.to_string()) {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "the retention policy id {} does not match",
        p.id
    )))
}

/// `PUT /retentions/{id}` (`UpdateRetention`): the same rule checks, access on the body's scope,
/// the project's `retention_id` must be this policy, then the controller validates the cron and
/// replaces the policy. Changing between two trigger kinds other than `Schedule` is refused
/// ("not support Trigger", a plain error: 500).
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    let mut p = parse_policy(&body)?;
    p.id = id;
    check_rules(&p)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    require_access(&store, &who, &p, "update")?;
    require_policy_access(&store, &p)?;
    validate_trigger(&p)?;
    let old = store
        .lifecycle
        .retentions
        .get(&id)
        .ok_or_else(ApiError::internal)?;
    let old_kind = old
        .trigger
        .as_ref()
        .map(|t| t.kind.clone())
        .unwrap_or_default();
    let new_kind = p
        .trigger
        .as_ref()
        .map(|t| t.kind.clone())
        .ok_or_else(ApiError::internal)?;
    if old_kind == new_kind && !new_kind.is_empty() && new_kind != "Schedule" {
        return Err(ApiError::internal());
    }
    store.lifecycle.retentions.insert(id, p);
    Ok(ok_empty())
}

/// `DELETE /retentions/{id}`: a missing policy is a 400; the executions, the policy and the
/// project's `retention_id` go.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let p = store
        .lifecycle
        .retentions
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(no_such(id)))?;
    require_access(&store, &who, &p, "delete")?;
    store.lifecycle.delete_retention(id);
    if let Some(project) = p
        .scope
        .as_ref()
        .and_then(|s| store.projects.get_mut(&s.reference))
    {
        project.metadata.remove("retention_id");
    }
    Ok(ok_empty())
}

#[derive(Debug, Default, Deserialize)]
struct TriggerReq {
    #[serde(default)]
    dry_run: bool,
}

/// One artifact as the retention job sees it (`dep.basicClient.GetCandidates`): its tags, and the
/// latest push and pull over the artifact and its tags, in Unix seconds (never is Go's zero time).
struct Candidate<'a> {
    artifact: &'a Artifact,
    tags: Vec<String>,
    pushed: i64,
    pulled: i64,
}

/// `time.Time{}.Unix()`.
const GO_ZERO_TIME: i64 = -62_135_596_800;

fn candidate(a: &Artifact) -> Candidate<'_> {
    let mut pushed = a.push_time.unix_seconds();
    let mut pulled = a.pull_time.map_or(GO_ZERO_TIME, Timestamp::unix_seconds);
    for t in &a.tags {
        pushed = pushed.max(t.push_time.unix_seconds());
        if let Some(p) = t.pull_time {
            pulled = pulled.max(p.unix_seconds());
        }
    }
    Candidate {
        artifact: a,
        tags: a.tags.iter().map(|t| t.name.clone()).collect(),
        pushed,
        pulled,
    }
}

/// `utils.ParseJSONInt` then the evaluators' `v >= 0`, else their default.
fn int_param(rule: &RetentionRule, name: &str, default: i64) -> i64 {
    rule.params
        .as_ref()
        .and_then(|p| p.get(name))
        .and_then(Value::as_f64)
        .map(|f| f as i64)
        .filter(|v| *v >= 0)
        .unwrap_or(default)
}

/// The rule templates of `policy/rule/index`: which of `cands` (already through the tag
/// selectors) the rule retains, by index into `cands`.
fn evaluate(rule: &RetentionRule, cands: &[&Candidate]) -> Result<Vec<usize>, String> {
    let now = Timestamp::now().unix_seconds();
    let mut order: Vec<usize> = (0..cands.len()).collect();
    let top = |order: &mut Vec<usize>, key: &dyn Fn(&Candidate) -> i64, k: i64| {
        order.sort_by_key(|&i| std::cmp::Reverse(key(cands[i])));
        order.truncate(usize::try_from(k).unwrap_or(0));
    };
    match rule.template.as_str() {
        "latestPushedK" => top(
            &mut order,
            &|c| c.pushed,
            int_param(rule, "latestPushedK", 10),
        ),
        "latestPulledN" => top(
            &mut order,
            &|c| c.pulled,
            int_param(rule, "latestPulledN", 10),
        ),
        "latestActiveK" => top(
            &mut order,
            &|c| c.pulled.max(c.pushed),
            int_param(rule, "latestActiveK", 10),
        ),
        "nDaysSinceLastPush" => {
            let min = now - 86_400 * int_param(rule, "nDaysSinceLastPush", 30);
            order.retain(|&i| cands[i].pushed >= min);
        }
        "nDaysSinceLastPull" => {
            let min = now - 86_400 * int_param(rule, "nDaysSinceLastPull", 30);
            order.retain(|&i| cands[i].pulled >= min);
        }
        "lastXDays" => {
            let cutoff = now - 86_400 * int_param(rule, "lastXDays", 10);
            order.retain(|&i| cands[i].pushed > cutoff);
        }
        "always" => {}
        other => return Err(format!("rule evaluator {other} is not registered")),
    }
    Ok(order)
}

/// Harbor's three outcomes per candidate in the job log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Retain,
    Delete,
    Immutable,
}

impl Mark {
    fn text(self) -> &'static str {
        match self {
            Self::Retain => "RETAIN",
            Self::Delete => "DEL",
            Self::Immutable => "IMMUTABLE",
        }
    }
}

fn log_time(seconds: i64) -> String {
    if seconds <= 0 {
        return String::new();
    }
    // `2006/01/02 15:04:05` from the RFC 3339 rendering.
    let t = Timestamp(seconds * 1000).rfc3339();
    format!("{} {}", t[..10].replace('-', "/"), &t[11..19])
}

/// The table `logResults` writes to the task's log: one row per artifact with its tags and mark.
fn log_table(rows: &[(String, String, String, String, Mark)]) -> String {
    let header = [
        "Digest",
        "Tag",
        "Kind",
        "Labels",
        "PushedTime",
        "PulledTime",
        "CreatedTime",
        "Retention",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|(digest, tags, pushed, pulled, mark)| {
            [
                digest.clone(),
                tags.clone(),
                "image".into(),
                String::new(),
                pushed.clone(),
                pulled.clone(),
                pushed.clone(),
                mark.text().into(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: Vec<&str>| {
        let inner: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect();
        format!("|{}|\n", inner.join("|"))
    };
    let mut out = line(header.to_vec());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// One repository's job (`Job.Run`): returns (total, retained, log) and deletes unless `dry_run`.
fn run_job(
    store: &mut Store,
    project_id: i64,
    full: &str,
    rules: &[RetentionRule],
    dry_run: bool,
) -> Result<(i64, i64, String), String> {
    let artifacts: Vec<Artifact> = store
        .lifecycle
        .artifacts
        .values()
        .filter(|a| a.repository == full)
        .cloned()
        .collect();
    let cands: Vec<Candidate> = artifacts.iter().map(candidate).collect();
    let mut retained: BTreeSet<i64> = BTreeSet::new();
    for rule in rules {
        let mut selected: Vec<&Candidate> = cands.iter().collect();
        for sel in rule.tag_selectors.iter().flatten() {
            if sel.kind != "doublestar" {
                return Err(format!("selector {} is not registered", sel.kind));
            }
            let mut kept = Vec::new();
            for c in selected {
                if select_tags(sel, None, &c.tags)? {
                    kept.push(c);
                }
            }
            selected = kept;
        }
        for i in evaluate(rule, &selected)? {
            retained.insert(selected[i].artifact.id);
        }
    }
    let repo = without_project(full);
    let mut rows = Vec::new();
    let mut deleted = 0;
    for c in &cands {
        let mark = if retained.contains(&c.artifact.id) {
            Mark::Retain
        } else if store
            .lifecycle
            // `isImmutable` parses the repository name once more: a nested name loses its
            // first component there, as in Harbor.
            .is_immutable(project_id, without_project(repo), &c.tags)
        {
            Mark::Immutable
        } else {
            deleted += 1;
            Mark::Delete
        };
        rows.push((
            c.artifact.digest.clone(),
            c.tags.join(","),
            log_time(c.pushed),
            log_time(c.pulled),
            mark,
        ));
    }
    if !dry_run {
        let doomed: Vec<i64> = cands
            .iter()
            .zip(&rows)
            .filter(|(_, r)| r.4 == Mark::Delete)
            .map(|(c, _)| c.artifact.id)
            .collect();
        for id in doomed {
            store.lifecycle.artifacts.remove(&id);
        }
    }
    let total = cands.len() as i64;
    Ok((total, total - deleted, log_table(&rows)))
}

/// `TriggerRetentionExec` then `launcher.Launch`: rules grouped by repository, one task per
/// repository; no rule or no repository marks the execution done with no task.
fn launch(store: &mut Store, p: &RetentionPolicy, execution_id: i64, dry_run: bool) -> String {
    let project_id = p.scope.as_ref().map_or(0, |s| s.reference);
    let mut repos: Vec<(String, String)> = store
        .repositories
        .values()
        .filter(|r| r.project_id == project_id)
        .map(|r| (r.name.clone(), without_project(&r.name).to_string()))
        .collect();
    repos.sort();
    let mut by_repo: Vec<(String, Vec<RetentionRule>)> = Vec::new();
    for rule in p.rules.iter().filter(|r| !r.disabled) {
        let mut chosen = repos.clone();
        let selectors = rule
            .scope_selectors
            .as_ref()
            .and_then(|s| s.get("repository"))
            .cloned()
            .unwrap_or_default();
        for sel in &selectors {
            if sel.kind != "doublestar" {
                return "Error".into();
            }
            let mut kept = Vec::new();
            for r in chosen {
                match select_repository(sel, &r.1) {
                    Ok(true) => kept.push(r),
                    Ok(false) => {}
                    Err(_) => return "Error".into(),
                }
            }
            chosen = kept;
        }
        for (full, _) in chosen {
            match by_repo.iter_mut().find(|(f, _)| *f == full) {
                Some((_, rules)) => rules.push(rule.clone()),
                None => by_repo.push((full, vec![rule.clone()])),
            }
        }
    }
    let mut status = "Succeed";
    for (full, rules) in by_repo {
        let start = Timestamp::now();
        let (task_status, total, retained, log) =
            match run_job(store, project_id, &full, &rules, dry_run) {
                Ok((t, r, log)) => ("Success", t, r, log),
                Err(e) => {
                    status = "Error";
                    ("Error", 0, 0, e)
                }
            };
        let id = store.lifecycle.next_task();
        store.lifecycle.tasks.insert(
            id,
            RetentionTask {
                id,
                execution_id,
                repository: without_project(&full).to_string(),
                status: task_status.into(),
                total,
                retained,
                start_time: start,
                end_time: Timestamp::now(),
                log,
            },
        );
    }
    status.into()
}

/// `POST /retentions/{id}/executions` with `{"dry_run": bool}`: 201 and the execution's Location.
pub async fn trigger(
    State(app): State<App>,
    ctx: Ctx,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    let req: TriggerReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let p = store
        .lifecycle
        .retentions
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(no_such(id)))?;
    require_access(&store, &who, &p, "update")?;
    let eid = store.lifecycle.next_execution();
    let start = Timestamp::now();
    let status = launch(&mut store, &p, eid, req.dry_run);
    store.lifecycle.executions.insert(
        eid,
        RetentionExecution {
            id: eid,
            policy_id: id,
            status,
            trigger: "MANUAL".into(),
            dry_run: req.dry_run,
            start_time: start,
            end_time: Timestamp::now(),
        },
    );
    let path = uri.path().trim_end_matches('/');
    Ok(created(format!("{path}/{eid}"), None))
}

fn execution_json(e: &RetentionExecution) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(e.id));
    m.insert("policy_id".into(), json!(e.policy_id));
    m.insert("start_time".into(), json!(e.start_time));
    m.insert("end_time".into(), json!(e.end_time));
    m.insert("status".into(), json!(e.status));
    m.insert("trigger".into(), json!(e.trigger));
    if e.dry_run {
        m.insert("dry_run".into(), json!(true));
    }
    Value::Object(m)
}

fn task_json(t: &RetentionTask) -> Value {
    json!({
        "id": t.id,
        "execution_id": t.execution_id,
        "repository": t.repository,
        "job_id": format!("{:024x}", t.id),
        "status": t.status,
        // `job.Status.Code`: every final status is 3.
        "status_code": 3,
        "start_time": t.start_time,
        "end_time": t.end_time,
        "total": t.total,
        "retained": t.retained,
    })
}

/// The policy for the execution endpoints: missing is a 400, then access and `requirePolicyAccess`.
fn policy_for_list(
    store: &Store,
    who: &Principal,
    id: i64,
    action: &str,
) -> ApiResult<RetentionPolicy> {
    who.require_authenticated()?;
    let p = store
        .lifecycle
        .retentions
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(no_such(id)))?;
    require_access(store, who, &p, action)?;
    Ok(p)
}

/// `GET /retentions/{id}/executions`, newest first.
pub async fn list_executions(
    State(app): State<App>,
    ctx: Ctx,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    policy_for_list(&store, &who, id, "list")?;
    let mut execs: Vec<&RetentionExecution> = store
        .lifecycle
        .executions
        .values()
        .filter(|e| e.policy_id == id)
        .collect();
    execs.reverse();
    let total = execs.len();
    let items: Vec<Value> = page.slice(&execs).into_iter().map(execution_json).collect();
    Ok(list_response(uri.path(), &params, page, items, total))
}

/// `PATCH /retentions/{id}/executions/{eid}` with `{"action": "stop"}`: executions here are
/// already finished, and stopping a finished execution changes nothing.
pub async fn operate_execution(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
    body: Bytes,
) -> ApiResult {
    let req: Value = parse_body(&body)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let p = policy_for_list(&store, &who, id, "update")?;
    require_policy_access(&store, &p)?;
    require_execution(&store, &p, eid)?;
    match req.get("action").and_then(Value::as_str) {
        Some("stop") => Ok(ok_empty()),
        // `OperateRetentionExec`: any other action is a plain error ("not support action").
        _ => Err(ApiError::internal()),
    }
}

fn require_execution(store: &Store, p: &RetentionPolicy, eid: i64) -> ApiResult<()> {
    match store.lifecycle.executions.get(&eid) {
        Some(e) if e.policy_id == p.id => Ok(()),
        _ => Err(ApiError::not_found(format!(
            "project: {}, execution id {eid} not found",
            p.scope.as_ref().map_or(0, |s| s.reference)
        ))),
    }
}

/// `GET /retentions/{id}/executions/{eid}/tasks`: one task per repository the run covered, with
/// how many artifacts it saw (`total`) and kept (`retained`).
pub async fn list_tasks(
    State(app): State<App>,
    ctx: Ctx,
    OriginalUri(uri): OriginalUri,
    Path((id, eid)): Path<(i64, i64)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let p = policy_for_list(&store, &who, id, "list")?;
    require_policy_access(&store, &p)?;
    require_execution(&store, &p, eid)?;
    let tasks: Vec<&RetentionTask> = store
        .lifecycle
        .tasks
        .values()
        .filter(|t| t.execution_id == eid)
        .collect();
    let total = tasks.len();
    let items: Vec<Value> = page.slice(&tasks).into_iter().map(task_json).collect();
    Ok(list_response(uri.path(), &params, page, items, total))
}

/// `GET /retentions/{id}/executions/{eid}/tasks/{tid}`: the task's log as text, whose table marks
/// each artifact RETAIN, DEL or IMMUTABLE (the same in a dry run: DEL is what would go).
pub async fn task_log(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, eid, tid)): Path<(i64, i64, i64)>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let p = policy_for_list(&store, &who, id, "read")?;
    require_policy_access(&store, &p)?;
    require_execution(&store, &p, eid)?;
    let task = store
        .lifecycle
        .tasks
        .get(&tid)
        .filter(|t| t.execution_id == eid)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "project: {}, task id {tid} not found",
                p.scope.as_ref().map_or(0, |s| s.reference)
            ))
        })?;
    Ok((
        StatusCode::OK,
        [("Content-Type", "text/plain")],
        task.log.clone(),
    )
        .into_response())
}
