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
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::Feature;
use crate::harbor::models::{
    Registry, ReplicationFilter, ReplicationPolicy, ReplicationTrigger, ReplicationTriggerSettings,
};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Type, Value};

/// The resource's state and plan. Arguments with a default are `Option`: a state written by
/// goharbor/harbor may hold null there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationModel {
    pub id: Known<Option<String>>,
    pub replication_policy_id: Known<Option<i64>>,
    pub name: String,
    pub action: String,
    pub registry_id: i64,
    pub schedule: Option<String>,
    pub enabled: Option<bool>,
    #[serde(rename = "override")]
    pub override_: Option<bool>,
    pub deletion: Option<bool>,
    pub copy_by_chunk: Option<bool>,
    pub single_active_replication: Option<bool>,
    pub dest_namespace: Option<String>,
    pub dest_namespace_replace: Option<i64>,
    pub speed: Option<i64>,
    pub description: Option<String>,
    pub execute_on_changed: Option<bool>,
    pub execution_id: Known<Option<i64>>,
    pub filters: Option<Vec<FilterModel>>,
}

/// One `filters` block.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FilterModel {
    pub name: Option<String>,
    pub tag: Option<String>,
    pub labels: Option<Vec<String>>,
    pub resource: Option<String>,
    pub decoration: Option<String>,
}

/// What `validate` and `modify_plan` look at, in configurations and plans where any of it may
/// still be unknown.
#[derive(Debug, Serialize, Deserialize)]
struct ReplicationPlanView {
    action: Known<Option<String>>,
    schedule: Known<Option<String>>,
    enabled: Known<Option<bool>>,
    single_active_replication: Known<Option<bool>>,
    execute_on_changed: Known<Option<bool>>,
    // `f64`, as every number in a view: hooks see values before validation refuses a fraction.
    execution_id: Known<Option<f64>>,
    filters: Known<Option<Vec<FilterView>>>,
}

/// A `filters` block in a configuration: only whether each key is set matters.
#[derive(Debug, Serialize, Deserialize)]
struct FilterView {
    name: Known<Option<String>>,
    tag: Known<Option<String>>,
    labels: Known<Option<Vec<Known<Option<String>>>>>,
    resource: Known<Option<String>>,
    decoration: Known<Option<String>>,
}

impl ReplicationModel {
    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ReplicationResource::schema().ty())
    }

    /// The model without what never reaches Harbor, for telling whether a plan changes the policy.
    fn server_side(&self) -> ReplicationModel {
        ReplicationModel {
            execute_on_changed: None,
            execution_id: Known::Unknown,
            ..self.clone()
        }
    }
}

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
    if let Err(e) = harbor_cron::parse(cron) {
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
    if let Err(e) = harbor_cron::validate_replication_cron(cron) {
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
fn harbor_filters(v: &ReplicationModel) -> Vec<ReplicationFilter> {
    let mut out = Vec::new();
    for b in v.filters.iter().flatten() {
        let decoration = b.decoration.clone();
        if let Some(n) = &b.name {
            out.push(ReplicationFilter {
                filter_type: "name".into(),
                value: n.as_str().into(),
                decoration: None,
            });
        }
        if let Some(t) = &b.tag {
            out.push(ReplicationFilter {
                filter_type: "tag".into(),
                value: t.as_str().into(),
                decoration: decoration.clone(),
            });
        }
        if let Some(labels) = &b.labels {
            let labels: Vec<serde_json::Value> = labels.iter().map(|l| l.as_str().into()).collect();
            out.push(ReplicationFilter {
                filter_type: "label".into(),
                value: labels.into(),
                decoration: decoration.clone(),
            });
        }
        if let Some(r) = &b.resource {
            out.push(ReplicationFilter {
                filter_type: "resource".into(),
                value: r.as_str().into(),
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

fn filter_blocks(fs: &[ReplicationFilter]) -> Vec<FilterModel> {
    fs.iter()
        .map(|f| {
            let mut b = FilterModel::default();
            let text = || f.value.as_str().map(str::to_string);
            match f.filter_type.as_str() {
                "label" => {
                    b.labels = Some(
                        f.value
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str())
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default(),
                    )
                }
                "name" => b.name = text(),
                "tag" => b.tag = text(),
                "resource" => b.resource = text(),
                _ => {}
            }
            if matches!(f.filter_type.as_str(), "tag" | "label") {
                b.decoration = f.decoration.clone().filter(|d| !d.is_empty());
            }
            b
        })
        .collect()
}

fn policy_from(v: &ReplicationModel, id: Option<i64>) -> ReplicationPolicy {
    let registry = Registry::reference(v.registry_id);
    let push = v.action == "push";
    let deletion = v.deletion.unwrap_or(false);
    ReplicationPolicy {
        id,
        name: v.name.clone(),
        description: Some(v.description.clone().unwrap_or_default()),
        src_registry: (!push).then(|| registry.clone()),
        dest_registry: push.then_some(registry),
        dest_namespace: v.dest_namespace.clone(),
        dest_namespace_replace_count: Some(v.dest_namespace_replace.unwrap_or(0) as i8),
        trigger: Some(trigger_of(v.schedule.as_deref().unwrap_or("manual"))),
        filters: harbor_filters(v),
        replicate_deletion: deletion,
        deletion,
        override_: v.override_.unwrap_or(true),
        enabled: v.enabled.unwrap_or(true),
        speed: Some(v.speed.unwrap_or(-1) as i32),
        copy_by_chunk: Some(v.copy_by_chunk.unwrap_or(false)),
        single_active_replication: v.single_active_replication.filter(|b| *b),
        ..Default::default()
    }
}

/// The state for a policy as Harbor returns it. `prior` supplies what Harbor does not tell:
/// `execute_on_changed` and `execution_id` (ours alone), and the grouping of filter keys into
/// blocks, kept while it means the same filters.
fn to_state(p: &ReplicationPolicy, prior: Option<&ReplicationModel>) -> ReplicationModel {
    let id = p.id.unwrap_or_default();
    let dest = p.dest_registry.as_ref().and_then(|r| r.id).unwrap_or(0);
    let src = p.src_registry.as_ref().and_then(|r| r.id).unwrap_or(0);
    // Harbor stores a negative speed as 0 (unlimited); show it as the -1 users write.
    let speed = p.speed.unwrap_or(0) as i64;
    let prior_filters = prior.and_then(|m| m.filters.clone());
    let prior_harbor = prior.map(harbor_filters).unwrap_or_default();
    let filters = if same_filters(&prior_harbor, &p.filters) {
        prior_filters
    } else {
        Some(filter_blocks(&p.filters))
    };
    ReplicationModel {
        id: Some(format!("/replication/policies/{id}")).into(),
        replication_policy_id: Some(id).into(),
        name: p.name.clone(),
        action: if dest > 0 { "push" } else { "pull" }.into(),
        registry_id: if dest > 0 { dest } else { src },
        schedule: Some(schedule_of(&p.trigger)),
        enabled: Some(p.enabled),
        override_: Some(p.override_),
        deletion: Some(p.deletion),
        copy_by_chunk: Some(p.copy_by_chunk.unwrap_or(false)),
        single_active_replication: Some(p.single_active_replication.unwrap_or(false)),
        dest_namespace: p.dest_namespace.clone().filter(|s| !s.is_empty()),
        dest_namespace_replace: Some(p.dest_namespace_replace_count.unwrap_or(-1) as i64),
        speed: Some(if speed <= 0 { -1 } else { speed }),
        description: Some(p.description.clone().unwrap_or_default()),
        execute_on_changed: Some(prior.and_then(|m| m.execute_on_changed).unwrap_or(false)),
        execution_id: prior
            .map(|m| m.execution_id.clone())
            .unwrap_or(Known::Value(None)),
        filters,
    }
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
        planned: &ReplicationModel,
        id: i64,
        state: &mut ReplicationModel,
    ) -> Result<(), ApplyError> {
        if planned.execute_on_changed != Some(true) {
            state.execution_id = None.into();
            return Ok(());
        }
        match h.client.start_replication(id).await {
            Ok(exec) => {
                tracing::info!(
                    policy = id,
                    execution = exec,
                    "started replication execution"
                );
                state.execution_id = Some(exec).into();
                Ok(())
            }
            Err(e) => {
                state.execution_id = None.into();
                Err(ApplyError {
                    diags: api_diag(
                        "Could not start an execution of replication policy",
                        &planned.name,
                        &e,
                    ),
                    partial_state: Some(state.to_value()?),
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

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<ReplicationModel>(&ty)
                .and_then(|()| model::check_view::<ReplicationPlanView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<ReplicationPlanView>(config, diags) else {
            return;
        };
        let schedule = config.schedule.value().map(String::as_str);
        if let Some(s) = schedule.filter(|s| *s != "manual" && *s != "event_based")
            && let Err(e) = check_cron(s)
        {
            diags.attr_error(
                AttributePath::attr("schedule"),
                format!("Invalid schedule {s:?}"),
                format!("{e} Or use `manual` or `event_based`."),
            );
        }
        if schedule == Some("event_based")
            && config.action.value().map(String::as_str) == Some("pull")
        {
            diags.attr_error(
                AttributePath::attr("schedule"),
                "event_based does not work for pull policies",
                "Harbor fires event-based replication only for pushes from this Harbor; a pull policy with it would never run. Use a cron schedule, or a push policy on the other Harbor.",
            );
        }
        if schedule == Some("event_based")
            && config.single_active_replication.value() == Some(&true)
        {
            diags.attr_error(
                AttributePath::attr("single_active_replication"),
                "single_active_replication cannot be combined with event_based",
                "Harbor refuses this combination. Remove `single_active_replication` or use a cron schedule.",
            );
        }
        if config.execute_on_changed.value() == Some(&true)
            && config.enabled.value() == Some(&false)
        {
            diags.attr_error(AttributePath::attr("execute_on_changed"), "A disabled policy cannot run", "Harbor refuses to execute a disabled policy. Set `enabled = true` or `execute_on_changed = false`.");
        }
        for (i, b) in config.filters.value().into_iter().flatten().enumerate() {
            let p = AttributePath::attr("filters").join_index(i);
            if !b.decoration.is_null() && b.tag.is_null() && b.labels.is_null() {
                diags.attr_error(p.join_attr("decoration"), "decoration needs tag or labels", "Harbor applies `decoration` only to tag and label filters; set `tag` or `labels` in this block, or remove `decoration`.");
            }
            if b.name.is_null() && b.tag.is_null() && b.labels.is_null() && b.resource.is_null() {
                diags.attr_error(
                    p,
                    "Empty filters block",
                    "Set at least one of `name`, `tag`, `labels` or `resource`.",
                );
            }
        }
    }

    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        let Some(mut planned) = model::read_view::<ReplicationPlanView>(ctx.planned, ctx.diags)
        else {
            return;
        };
        if let Some(h) = ctx.data
            && planned.single_active_replication.value() == Some(&true)
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
        if planned.execute_on_changed.value() != Some(&true)
            && planned.execution_id.is_unknown()
            && let Some(prior) = model::read_view::<ReplicationPlanView>(ctx.prior, ctx.diags)
        {
            planned.execution_id = prior.execution_id;
            if let Err(e) = model::write_view(&planned, &Self::schema().ty(), ctx.planned) {
                ctx.diags.extend(e.into());
            }
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
        let state: ReplicationModel = model::from_value(state)?;
        let Some(id) = locate(h, &state).await? else {
            return Ok(None);
        };
        let p = not_found_is_none(h.client.read_replication_policy(id).await)
            .map_err(|e| api_diag("Could not read replication policy", &state.name, &e))?;
        match p {
            Some(p) => Ok(Some(to_state(&p, Some(&state)).to_value()?)),
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned_value: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: ReplicationModel = model::from_value(planned_value)?;
        let name = planned.name.clone();
        let id = h.client.create_replication_policy(&policy_from(&planned, None)).await.map_err(|e| {
            let mut d = policy_diag("Could not create replication policy", &name, &e);
            if e.is_unsettled() {
                return super::unsettled_create(d, "replication policy", planned_value);
            }
            if e.is_conflict() {
                d.attr_error(AttributePath::attr("name"), format!("Replication policy {name} already exists"), "Import it with `terraform import <address> <policy id>`, or choose another name.");
            }
            d.into()
        })?;
        let mut state = ReplicationModel {
            id: Some(format!("/replication/policies/{id}")).into(),
            replication_policy_id: Some(id).into(),
            ..planned.clone()
        };
        self.maybe_execute(h, &planned, id, &mut state).await?;
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ReplicationModel = model::from_value(prior)?;
        let planned: ReplicationModel = model::from_value(planned)?;
        let id = prior
            .replication_policy_id
            .value()
            .copied()
            .unwrap_or_default();
        let name = planned.name.clone();
        let mut state = planned.clone();
        let server_change = planned.server_side() != prior.server_side();
        // Regrouping filters blocks (as after an import) changes nothing in Harbor: skip the PUT.
        let (want, have) = (
            policy_from(&planned, Some(id)),
            policy_from(&prior, Some(id)),
        );
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
                .update_replication_policy(id, &policy_from(&planned, Some(id)))
                .await
                .map_err(|e| policy_diag("Could not update replication policy", &name, &e))?;
            self.maybe_execute(h, &planned, id, &mut state).await?;
        } else if state.execution_id.is_unknown() {
            state.execution_id = prior.execution_id.clone();
        }
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ReplicationModel = model::from_value(prior)?;
        let Some(id) = locate(h, &prior).await? else {
            return Ok(());
        };
        let name = prior.name.as_str();
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
            Some(p) => Ok(to_state(&p, None).to_value()?),
            None => Err(import_not_found("replication policy", id)),
        }
    }
}

/// The policy a state names: by id, or, for a create left unsettled (no id, see
/// `unsettled_create`), the policy Harbor has with that name and the same registries.
async fn locate(h: &HarborContext, state: &ReplicationModel) -> Result<Option<i64>, Diagnostics> {
    if let Some(&id) = state.replication_policy_id.value() {
        return Ok(Some(id));
    }
    h.client
        .find_created_replication_policy(&policy_from(state, None))
        .await
        .map_err(|e| api_diag("Could not look up replication policy", &state.name, &e))
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
        let mut v: ReplicationModel =
            model::from_value(&model::sample_value(&ReplicationResource::schema().ty())).unwrap();
        v.filters = Some(vec![FilterModel {
            name: Some("library/**".into()),
            tag: Some("v*".into()),
            labels: Some(vec!["prod".into()]),
            resource: None,
            decoration: Some("excludes".into()),
        }]);
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
        assert_eq!(to_state(&p, Some(&v)).filters, v.filters);
    }

    #[test]
    fn schedules_round_trip() {
        for s in ["manual", "event_based", "0 0 2 * * *"] {
            assert_eq!(schedule_of(&Some(trigger_of(s))), s);
        }
        assert_eq!(schedule_of(&None), "manual");
    }
}
