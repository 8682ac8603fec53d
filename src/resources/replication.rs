//! `harbor_replication`: a replication policy, push (local → remote) or pull (remote → local).
//! goharbor/harbor's HCL works unchanged; unlike it, every field is read back (filters, speed and
//! description included), `event_based` and `deletion` never cause perpetual diffs, several keys in
//! one `filters` block all apply, and schedules and directions Harbor would refuse or never fire are
//! refused at plan time.
//!
//! Harbor reads the deprecated `deletion` field and ignores `replicate_deletion`, so both are sent.
//!
//! Requests: read = `GET /replication/policies/{id}`; create = `POST /replication/policies`;
//! update = `PUT /replication/policies/{id}` (Harbor replaces the whole policy); delete =
//! `DELETE /replication/policies/{id}`; with `execute_on_changed`, `POST /replication/executions`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;

use crate::context::HarborContext;
use crate::harbor::Feature;
use crate::harbor::models::{
    Registry, ReplicationFilter, ReplicationPolicy, ReplicationTrigger, ReplicationTriggerSettings,
};
use crate::schema::def::validators;
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Type, Value};

use super::{api_diag, import_not_found, not_found_is_none, numeric_import_id};

pub struct ReplicationResource;

/// Checks a schedule as Harbor does (`super::cron`): robfig's six-field parser with its range
/// checks, seconds exactly `0`, minutes not `*`; the message says how to fix it.
pub fn check_cron(cron: &str) -> Result<(), String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "{cron:?} has {} fields; Harbor wants six, seconds first: `0 0 */2 * * *` runs every two hours.",
            fields.len()
        ));
    }
    if let Err(e) = super::cron::parse(cron) {
        return Err(format!(
            "{cron:?} is not a cron Harbor accepts ({e}). Fields are seconds 0-59, minutes 0-59, hours 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat."
        ));
    }
    if cron.split(' ').next() != Some("0") {
        return Err(format!(
            "{cron:?} must start with `0`: Harbor refuses schedules that set the seconds field."
        ));
    }
    if cron.split(' ').nth(1) == Some("*") {
        return Err(format!(
            "{cron:?} runs every minute; Harbor refuses `*` in the minutes field. Use e.g. `0 */15 * * * *`."
        ));
    }
    if let Err(e) = super::cron::validate_replication_cron(cron) {
        return Err(format!(
            "{cron:?}: {e}. Separate the six fields with single spaces."
        ));
    }
    Ok(())
}

impl ReplicationResource {
    pub fn schema() -> Schema {
        let filters = Block::new("Which artifacts to replicate. Every key set in a block applies (they combine with AND).")
            .attr(Attribute::string("name").optional().describe("Repository name pattern, e.g. `library/**`."))
            .attr(Attribute::string("tag").optional().describe("Tag pattern, e.g. `v*`."))
            .attr(Attribute::typed("labels", Type::list(Type::String)).optional().describe("Labels the artifact must carry."))
            .attr(Attribute::string("resource").optional().describe("`image` or `artifact`.").validate(validators::one_of(&["image", "artifact"])))
            .attr(Attribute::string("decoration").optional().describe("`matches` (default) or `excludes`; applies to `tag` and `labels`.").validate(validators::one_of(&["matches", "excludes"])));
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new("A replication policy: copies artifacts between this Harbor and a registry endpoint, by push or by pull. Harbor stores one key per filter, so an import yields one `filters` block per key; a configuration that groups keys in one block then plans an update that sends nothing to Harbor.")
                .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The policy's API path, `/replication/policies/<id>`."))
                .attr(Attribute::number("replication_policy_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the policy."))
                .attr(Attribute::string("name").required().describe("The policy's name (unique).").validate(validators::not_empty()))
                .attr(
                    Attribute::string("action")
                        .required()
                        .requires_replace()
                        .describe("`push` (this Harbor → `registry_id`) or `pull` (`registry_id` → this Harbor). Changing it replaces the policy.")
                        .validate(validators::one_of(&["push", "pull"])),
                )
                .attr(Attribute::number("registry_id").required().describe("The remote end: `harbor_registry.<name>.registry_id`.").validate(validators::int_at_least(1)))
                .attr(Attribute::string("schedule").default("manual").describe(
                    "`manual`, `event_based` (push only: runs when artifacts are pushed or deleted), or a six-field cron with seconds first, e.g. `0 0 2 * * *`.",
                ))
                .attr(Attribute::bool("enabled").default(true).describe("Whether the policy runs."))
                .attr(Attribute::bool("override").default(true).describe("Overwrite artifacts that already exist at the destination."))
                .attr(Attribute::bool("deletion").default(false).describe("Replicate deletions too. Beware loops in active-active setups."))
                .attr(Attribute::bool("copy_by_chunk").default(false).describe("Copy blobs in chunks."))
                .attr(Attribute::bool("single_active_replication").default(false).describe("Run at most one execution at a time. Harbor 2.14 and later; not with `event_based`."))
                .attr(Attribute::string("dest_namespace").optional().describe("Destination namespace (project); unset keeps the source's."))
                .attr(
                    Attribute::number("dest_namespace_replace")
                        .default(0)
                        .describe("How many leading path components the destination namespace replaces: -1 keeps only the last component, 0 prefixes the full path, 1 to 3 replace that many.")
                        .validate(validators::int_between(-1, 3)),
                )
                .attr(Attribute::number("speed").default(-1).describe("Bandwidth limit per task in KB/s; -1 for unlimited.").validate(validators::int_between(-1, i32::MAX as i64)))
                .attr(Attribute::string("description").default("").describe("A description."))
                .attr(Attribute::bool("execute_on_changed").default(false).describe("Start an execution right after the policy is created or changed (its id is stored in `execution_id`)."))
                .attr(Attribute::number("execution_id").computed().describe("The execution started by `execute_on_changed` in the last apply, if any."))
                .block("filters", Nesting::Set, filters),
        )
    }
}

fn trigger_of(schedule: &str) -> ReplicationTrigger {
    match schedule {
        "manual" | "event_based" => ReplicationTrigger {
            trigger_type: schedule.to_string(),
            trigger_settings: None,
        },
        cron => ReplicationTrigger {
            trigger_type: "scheduled".into(),
            trigger_settings: Some(ReplicationTriggerSettings {
                cron: cron.to_string(),
            }),
        },
    }
}

fn schedule_of(t: &Option<ReplicationTrigger>) -> String {
    match t {
        Some(t) if t.trigger_type == "scheduled" => t
            .trigger_settings
            .as_ref()
            .map(|s| s.cron.clone())
            .unwrap_or_default(),
        Some(t) if t.trigger_type == "event_based" => "event_based".into(),
        _ => "manual".into(),
    }
}

/// Expands `filters` blocks into Harbor's one-key filters: a block with name, tag and labels
/// becomes three filters, all applied (goharbor/harbor kept only the last key).
fn harbor_filters(v: &Value) -> Vec<ReplicationFilter> {
    let mut out = Vec::new();
    for b in v.get("filters").elements() {
        let decoration = b.str_attr("decoration").map(str::to_string);
        if let Some(n) = b.str_attr("name") {
            out.push(ReplicationFilter {
                filter_type: "name".into(),
                value: n.into(),
                decoration: None,
            });
        }
        if let Some(t) = b.str_attr("tag") {
            out.push(ReplicationFilter {
                filter_type: "tag".into(),
                value: t.into(),
                decoration: decoration.clone(),
            });
        }
        if !b.get("labels").is_null() {
            let labels: Vec<serde_json::Value> = b
                .get("labels")
                .elements()
                .iter()
                .filter_map(|l| l.as_str())
                .map(Into::into)
                .collect();
            out.push(ReplicationFilter {
                filter_type: "label".into(),
                value: labels.into(),
                decoration: decoration.clone(),
            });
        }
        if let Some(r) = b.str_attr("resource") {
            out.push(ReplicationFilter {
                filter_type: "resource".into(),
                value: r.into(),
                decoration: None,
            });
        }
    }
    out
}

/// Compares filter lists as multisets, treating an absent decoration as `matches`.
fn same_filters(a: &[ReplicationFilter], b: &[ReplicationFilter]) -> bool {
    let key = |f: &ReplicationFilter| {
        let deco = f
            .decoration
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "matches".into());
        let deco = if f.filter_type == "tag" || f.filter_type == "label" {
            deco
        } else {
            String::new()
        };
        (f.filter_type.clone(), f.value.to_string(), deco)
    };
    let mut ka: Vec<_> = a.iter().map(key).collect();
    let mut kb: Vec<_> = b.iter().map(key).collect();
    ka.sort();
    kb.sort();
    ka == kb
}

fn filter_blocks(fs: &[ReplicationFilter]) -> Value {
    Value::Set(
        fs.iter()
            .map(|f| {
                let mut b = Value::object([
                    ("name", Value::Null),
                    ("tag", Value::Null),
                    ("labels", Value::Null),
                    ("resource", Value::Null),
                    ("decoration", Value::Null),
                ]);
                match f.filter_type.as_str() {
                    "label" => b.set(
                        "labels",
                        Value::List(
                            f.value
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|x| x.as_str())
                                        .map(Value::from)
                                        .collect()
                                })
                                .unwrap_or_default(),
                        ),
                    ),
                    "name" | "tag" | "resource" => {
                        b.set(&f.filter_type, Value::opt_string(f.value.as_str()))
                    }
                    _ => {}
                }
                if matches!(f.filter_type.as_str(), "tag" | "label") {
                    b.set(
                        "decoration",
                        Value::opt_string(f.decoration.clone().filter(|d| !d.is_empty())),
                    );
                }
                b
            })
            .collect(),
    )
}

fn policy_from(v: &Value, id: Option<i64>) -> ReplicationPolicy {
    let registry = Registry::reference(v.i64_attr("registry_id").unwrap_or_default());
    let push = v.str_attr("action") == Some("push");
    let deletion = v.bool_attr("deletion").unwrap_or(false);
    ReplicationPolicy {
        id,
        name: v.str_attr("name").unwrap_or_default().to_string(),
        description: Some(v.str_attr("description").unwrap_or_default().to_string()),
        src_registry: (!push).then(|| registry.clone()),
        dest_registry: push.then_some(registry),
        dest_namespace: v.str_attr("dest_namespace").map(str::to_string),
        dest_namespace_replace_count: Some(v.i64_attr("dest_namespace_replace").unwrap_or(0) as i8),
        trigger: Some(trigger_of(v.str_attr("schedule").unwrap_or("manual"))),
        filters: harbor_filters(v),
        replicate_deletion: deletion,
        deletion,
        override_: v.bool_attr("override").unwrap_or(true),
        enabled: v.bool_attr("enabled").unwrap_or(true),
        speed: Some(v.i64_attr("speed").unwrap_or(-1) as i32),
        copy_by_chunk: Some(v.bool_attr("copy_by_chunk").unwrap_or(false)),
        single_active_replication: v.bool_attr("single_active_replication").filter(|b| *b),
        ..Default::default()
    }
}

fn to_state(p: &ReplicationPolicy, prior: &Value) -> Value {
    let mut v = if matches!(prior, Value::Object(_)) {
        prior.clone()
    } else {
        Value::null_object(&ReplicationResource::schema().ty())
    };
    let id = p.id.unwrap_or_default();
    let dest = p.dest_registry.as_ref().and_then(|r| r.id).unwrap_or(0);
    let src = p.src_registry.as_ref().and_then(|r| r.id).unwrap_or(0);
    v.set("id", Value::String(format!("/replication/policies/{id}")));
    v.set("replication_policy_id", Value::int(id));
    v.set("name", Value::from(p.name.as_str()));
    v.set(
        "action",
        Value::from(if dest > 0 { "push" } else { "pull" }),
    );
    v.set("registry_id", Value::int(if dest > 0 { dest } else { src }));
    v.set("schedule", Value::String(schedule_of(&p.trigger)));
    v.set("enabled", p.enabled.into());
    v.set("override", p.override_.into());
    v.set("deletion", p.deletion.into());
    v.set("copy_by_chunk", p.copy_by_chunk.unwrap_or(false).into());
    v.set(
        "single_active_replication",
        p.single_active_replication.unwrap_or(false).into(),
    );
    v.set(
        "dest_namespace",
        Value::opt_string(p.dest_namespace.clone().filter(|s| !s.is_empty())),
    );
    v.set(
        "dest_namespace_replace",
        Value::int(p.dest_namespace_replace_count.unwrap_or(-1) as i64),
    );
    // Harbor stores a negative speed as 0 (unlimited); show it as the -1 users write.
    let speed = p.speed.unwrap_or(0) as i64;
    v.set("speed", Value::int(if speed <= 0 { -1 } else { speed }));
    v.set(
        "description",
        Value::from(p.description.as_deref().unwrap_or("")),
    );
    if !same_filters(&harbor_filters(prior), &p.filters) {
        v.set("filters", filter_blocks(&p.filters));
    }
    if v.get("execute_on_changed").is_null() {
        v.set("execute_on_changed", false.into());
    }
    v
}

fn policy_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_not_found() {
        d.attr_error(AttributePath::attr("registry_id"), "Registry endpoint not found", "`registry_id` names no registry in Harbor. Reference `harbor_registry.<name>.registry_id`.");
    }
    d
}

impl ReplicationResource {
    async fn maybe_execute(
        &self,
        h: &HarborContext,
        planned: &Value,
        id: i64,
        state: &mut Value,
    ) -> Result<(), ApplyError> {
        if planned.bool_attr("execute_on_changed") != Some(true) {
            state.set("execution_id", Value::Null);
            return Ok(());
        }
        let name = planned.str_attr("name").unwrap_or_default();
        match h.client.start_replication(id).await {
            Ok(exec) => {
                tracing::info!(
                    policy = id,
                    execution = exec,
                    "started replication execution"
                );
                state.set("execution_id", Value::int(exec));
                Ok(())
            }
            Err(e) => {
                state.set("execution_id", Value::Null);
                Err(ApplyError {
                    diags: api_diag(
                        "Could not start an execution of replication policy",
                        name,
                        &e,
                    ),
                    partial_state: Some(state.clone()),
                })
            }
        }
    }
}

#[async_trait]
impl Resource<HarborContext> for ReplicationResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/replication/policies/{policy_id}").describe(
                "policy_id",
                "The replication policy's numeric id in Harbor.",
            ),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_replication"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let schedule = config.str_attr("schedule");
        if let Some(s) = schedule.filter(|s| *s != "manual" && *s != "event_based")
            && let Err(e) = check_cron(s)
        {
            diags.attr_error(
                AttributePath::attr("schedule"),
                format!("Invalid schedule {s:?}"),
                format!("{e} Or use `manual` or `event_based`."),
            );
        }
        if schedule == Some("event_based") && config.str_attr("action") == Some("pull") {
            diags.attr_error(
                AttributePath::attr("schedule"),
                "event_based does not work for pull policies",
                "Harbor fires event-based replication only for pushes from this Harbor; a pull policy with it would never run. Use a cron schedule, or a push policy on the other Harbor.",
            );
        }
        if schedule == Some("event_based")
            && config.bool_attr("single_active_replication") == Some(true)
        {
            diags.attr_error(
                AttributePath::attr("single_active_replication"),
                "single_active_replication cannot be combined with event_based",
                "Harbor refuses this combination. Remove `single_active_replication` or use a cron schedule.",
            );
        }
        if config.bool_attr("execute_on_changed") == Some(true)
            && config.bool_attr("enabled") == Some(false)
        {
            diags.attr_error(AttributePath::attr("execute_on_changed"), "A disabled policy cannot run", "Harbor refuses to execute a disabled policy. Set `enabled = true` or `execute_on_changed = false`.");
        }
        for (i, b) in config.get("filters").elements().iter().enumerate() {
            let p = AttributePath::attr("filters").join_index(i);
            if !b.get("decoration").is_null() && b.get("tag").is_null() && b.get("labels").is_null()
            {
                diags.attr_error(p.join_attr("decoration"), "decoration needs tag or labels", "Harbor applies `decoration` only to tag and label filters; set `tag` or `labels` in this block, or remove `decoration`.");
            }
            if ["name", "tag", "labels", "resource"]
                .iter()
                .all(|k| b.get(k).is_null())
            {
                diags.attr_error(
                    p,
                    "Empty filters block",
                    "Set at least one of `name`, `tag`, `labels` or `resource`.",
                );
            }
        }
    }

    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        if let Some(h) = ctx.data
            && ctx.planned.bool_attr("single_active_replication") == Some(true)
            && !h.supports(Feature::SingleActiveReplication)
        {
            ctx.diags.attr_error(
                AttributePath::attr("single_active_replication"),
                "single_active_replication needs Harbor 2.14 or later",
                "Remove it, or upgrade Harbor.",
            );
        }
        // Nothing changes server-side when only execute_on_changed changes, but the execution id
        // is only known after an execution runs.
        if ctx.planned.bool_attr("execute_on_changed") != Some(true)
            && !ctx.is_create()
            && ctx.planned.get("execution_id").is_unknown()
        {
            ctx.planned
                .set("execution_id", ctx.prior.get("execution_id").clone());
        }
    }

    /// goharbor/harbor's state (version 0): its unset values become nulls, in `filters` too.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(
                &mut raw,
                &["dest_namespace", "execution_id"],
                &[(
                    "filters",
                    &["name", "tag", "labels", "resource", "decoration"],
                )],
            );
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let Some(id) = locate(h, state).await? else {
            return Ok(None);
        };
        let name = state.str_attr("name").unwrap_or_default();
        let p = not_found_is_none(h.client.get_replication_policy(id).await)
            .map_err(|e| api_diag("Could not read replication policy", name, &e))?;
        Ok(p.map(|p| to_state(&p, state)))
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let name = planned.str_attr("name").unwrap_or_default().to_string();
        let id = h.client.create_replication_policy(&policy_from(planned, None)).await.map_err(|e| {
            let mut d = policy_diag("Could not create replication policy", &name, &e);
            if e.is_unsettled() {
                return super::unsettled_create(d, "replication policy", planned);
            }
            if e.is_conflict() {
                d.attr_error(AttributePath::attr("name"), format!("Replication policy {name} already exists"), "Import it with `terraform import <address> <policy id>`, or choose another name.");
            }
            d.into()
        })?;
        let mut state = planned.clone();
        state.set("id", Value::String(format!("/replication/policies/{id}")));
        state.set("replication_policy_id", Value::int(id));
        self.maybe_execute(h, planned, id, &mut state).await?;
        Ok(state)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let id = prior.i64_attr("replication_policy_id").unwrap_or_default();
        let name = planned.str_attr("name").unwrap_or_default().to_string();
        let mut state = planned.clone();
        let local_only = ["execute_on_changed", "execution_id"];
        let server_change = match (planned, prior) {
            (Value::Object(a), Value::Object(b)) => a
                .iter()
                .any(|(k, v)| !local_only.contains(&k.as_str()) && b.get(k) != Some(v)),
            _ => true,
        };
        // Regrouping filters blocks (as after an import) changes nothing in Harbor: skip the PUT.
        let (want, have) = (policy_from(planned, Some(id)), policy_from(prior, Some(id)));
        let same_policy = same_filters(&want.filters, &have.filters)
            && ReplicationPolicy {
                filters: vec![],
                ..want
            } == ReplicationPolicy {
                filters: vec![],
                ..have
            };
        if server_change && !same_policy {
            h.client
                .update_replication_policy(id, &policy_from(planned, Some(id)))
                .await
                .map_err(|e| policy_diag("Could not update replication policy", &name, &e))?;
            self.maybe_execute(h, planned, id, &mut state).await?;
        } else if state.get("execution_id").is_unknown() {
            state.set("execution_id", prior.get("execution_id").clone());
        }
        Ok(state)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let Some(id) = locate(h, prior).await? else {
            return Ok(());
        };
        let name = prior.str_attr("name").unwrap_or_default();
        h.client.delete_replication_policy(id).await.map_err(|e| {
            let mut d = api_diag("Could not delete replication policy", name, &e);
            if e.is_precondition_failed() {
                d.error("The policy has running executions", "Harbor deletes a policy only when none of its executions is running. Stop them (or wait) and apply again.");
            }
            d
        })
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let pid = numeric_import_id(id, "/replication/policies/", "harbor_replication", "policy")?;
        match not_found_is_none(h.client.get_replication_policy(pid).await)
            .map_err(|e| api_diag("Could not read replication policy", id, &e))?
        {
            Some(p) => Ok(to_state(&p, &Value::Null)),
            None => Err(import_not_found("replication policy", id)),
        }
    }
}

/// The policy a state names: by id, or, for a create left unsettled (no id, see
/// `unsettled_create`), the policy Harbor has with that name and the same registries.
async fn locate(h: &HarborContext, state: &Value) -> Result<Option<i64>, Diagnostics> {
    if let Some(id) = state.i64_attr("replication_policy_id") {
        return Ok(Some(id));
    }
    let name = state.str_attr("name").unwrap_or_default();
    h.client
        .find_created_replication_policy(&policy_from(state, None))
        .await
        .map_err(|e| api_diag("Could not look up replication policy", name, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ReplicationResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn cron_rules_match_harbor() {
        assert!(check_cron("0 0 */2 * * *").is_ok());
        assert!(check_cron("0 */15 * * * *").is_ok());
        assert!(check_cron("0 0 2 * *").unwrap_err().contains("six"));
        assert!(
            check_cron("5 0 2 * * *")
                .unwrap_err()
                .contains("start with `0`")
        );
        assert!(check_cron("0 * * * * *").unwrap_err().contains("minutes"));
        assert!(
            check_cron("0 99 * * * *")
                .unwrap_err()
                .contains("above maximum")
        );
        assert!(check_cron("0 0 0 * * 7").is_err());
    }

    #[test]
    fn several_keys_in_one_block_all_apply_and_read_back_without_diff() {
        let mut v = Value::null_object(&ReplicationResource::schema().ty());
        let block = Value::object([
            ("name", Value::from("library/**")),
            ("tag", Value::from("v*")),
            ("labels", Value::List(vec![Value::from("prod")])),
            ("resource", Value::Null),
            ("decoration", Value::from("excludes")),
        ]);
        v.set("filters", Value::Set(vec![block]));
        let fs = harbor_filters(&v);
        assert_eq!(fs.len(), 3);
        assert_eq!(fs[1].decoration.as_deref(), Some("excludes"));
        assert!(same_filters(
            &fs,
            &fs.iter().rev().cloned().collect::<Vec<_>>()
        ));
        let p = ReplicationPolicy {
            id: Some(1),
            filters: fs,
            ..Default::default()
        };
        assert_eq!(to_state(&p, &v).get("filters"), v.get("filters"));
    }

    #[test]
    fn schedules_round_trip() {
        for s in ["manual", "event_based", "0 0 2 * * *"] {
            assert_eq!(schedule_of(&Some(trigger_of(s))), s);
        }
        assert_eq!(schedule_of(&None), "manual");
    }
}
