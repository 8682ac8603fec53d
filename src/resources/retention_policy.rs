//! `harbor_retention_policy`: a project's tag retention policy: 1 to 15 rules, each keeping some
//! artifacts of some repositories; a run deletes what no rule keeps (immutable tags excepted).
//!
//! Requests: create = `POST /retentions` (plus `GET /projects/{id}` to adopt the empty policy
//! goharbor/harbor leaves behind, see below); read = `GET /retentions/{id}`, and when that fails
//! `GET /projects/{id}` to tell a deleted policy (Harbor answers 500 for it) from a failing Harbor;
//! update = `PUT /retentions/{id}`; delete = `DELETE /retentions/{id}` (the policy and the
//! project's `retention_id`).
//!
//! Each rule's one-of choices (what to retain, which repositories, which tags) are checked at plan
//! time naming the attribute; goharbor/harbor checked them in CustomizeDiff, after the plan had
//! been made for unknown values. goharbor's delete PUT an empty rule list and left the policy in
//! the project; a create that finds such an empty policy adopts it instead of failing.

use crate::schema::identity::IdentityTemplate;
use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::HarborContext;
use crate::harbor::{RetentionPolicy, RetentionRule, RetentionScope, RetentionTrigger, Selector};
use crate::schema::def::Nesting;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::lifecycle::{
    exactly_one, names_project, project_id, schedule_cron, schedule_of, schedule_validator,
};
use super::{api_diag, go_zero_values_to_null, import_not_found, numeric_import_id};

pub struct RetentionPolicyResource;

const TYPE: &str = "harbor_retention_policy";

/// The retain choices: attribute, Harbor template.
const RETAIN: [(&str, &str); 5] = [
    ("always_retain", "always"),
    ("most_recently_pulled", "latestPulledN"),
    ("most_recently_pushed", "latestPushedK"),
    ("n_days_since_last_pull", "nDaysSinceLastPull"),
    ("n_days_since_last_push", "nDaysSinceLastPush"),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleModel {
    pub disabled: bool,
    pub always_retain: Option<bool>,
    pub most_recently_pulled: Option<i64>,
    pub most_recently_pushed: Option<i64>,
    pub n_days_since_last_pull: Option<i64>,
    pub n_days_since_last_push: Option<i64>,
    pub repo_matching: Option<String>,
    pub repo_excluding: Option<String>,
    pub tag_matching: Option<String>,
    pub tag_excluding: Option<String>,
    pub untagged_artifacts: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RetentionPolicyModel {
    pub id: Known<Option<String>>,
    pub retention_id: Known<Option<i64>>,
    pub scope: String,
    pub schedule: Option<String>,
    pub rule: Vec<RuleModel>,
}

fn first(selectors: Option<&Vec<Selector>>) -> Option<&Selector> {
    selectors.and_then(|s| s.first())
}

impl RuleModel {
    fn from_harbor(r: &RetentionRule) -> Self {
        let param = |name: &str| {
            r.params
                .get(name)
                .and_then(|v| v.as_f64())
                .map(|f| f as i64)
        };
        let tag = first(Some(&r.tag_selectors));
        let repo = first(r.scope_selectors.get("repository"));
        let pick = |sel: Option<&Selector>, decoration: &str| {
            sel.filter(|s| s.decoration == decoration)
                .map(|s| s.pattern.clone())
        };
        // The doublestar selector's default (`selectors/doublestar` `New`): untagged artifacts go
        // with `matches`, not with `excludes`, unless `extras` says otherwise.
        let untagged = tag
            .and_then(|t| t.extras.as_deref())
            .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
            .map(|v| v.get("untagged").and_then(|u| u.as_bool()).unwrap_or(false))
            .unwrap_or_else(|| tag.is_none_or(|t| t.decoration != "excludes"));
        RuleModel {
            disabled: r.disabled,
            always_retain: (r.template == "always").then_some(true),
            most_recently_pulled: (r.template == "latestPulledN")
                .then(|| param("latestPulledN"))
                .flatten(),
            most_recently_pushed: (r.template == "latestPushedK")
                .then(|| param("latestPushedK"))
                .flatten(),
            n_days_since_last_pull: (r.template == "nDaysSinceLastPull")
                .then(|| param("nDaysSinceLastPull"))
                .flatten(),
            n_days_since_last_push: (r.template == "nDaysSinceLastPush")
                .then(|| param("nDaysSinceLastPush"))
                .flatten(),
            repo_matching: pick(repo, "repoMatches"),
            repo_excluding: pick(repo, "repoExcludes"),
            tag_matching: pick(tag, "matches"),
            tag_excluding: pick(tag, "excludes"),
            untagged_artifacts: untagged,
        }
    }

    /// The rule as goharbor/harbor sends it: template and parameter, one tag selector with the
    /// `untagged` extras, one repository selector.
    fn to_harbor(&self) -> RetentionRule {
        let (template, params) = if let Some(n) = self.most_recently_pulled {
            ("latestPulledN", json!({ "latestPulledN": n }))
        } else if let Some(n) = self.most_recently_pushed {
            ("latestPushedK", json!({ "latestPushedK": n }))
        } else if let Some(n) = self.n_days_since_last_pull {
            ("nDaysSinceLastPull", json!({ "nDaysSinceLastPull": n }))
        } else if let Some(n) = self.n_days_since_last_push {
            ("nDaysSinceLastPush", json!({ "nDaysSinceLastPush": n }))
        } else {
            ("always", json!({}))
        };
        let extras = Some(format!("{{\"untagged\":{}}}", self.untagged_artifacts));
        let tag = match (&self.tag_matching, &self.tag_excluding) {
            (_, Some(p)) => Selector::doublestar("excludes", p),
            (Some(p), None) => Selector::doublestar("matches", p),
            (None, None) => Selector::doublestar("matches", "**"),
        };
        let repo = match (&self.repo_matching, &self.repo_excluding) {
            (_, Some(p)) => Selector::doublestar("repoExcludes", p),
            (Some(p), None) => Selector::doublestar("repoMatches", p),
            (None, None) => Selector::doublestar("repoMatches", "**"),
        };
        RetentionRule {
            disabled: self.disabled,
            action: "retain".into(),
            template: template.into(),
            params: serde_json::from_value(params).unwrap_or_default(),
            tag_selectors: vec![Selector { extras, ..tag }],
            scope_selectors: BTreeMap::from([("repository".to_string(), vec![repo])]),
            ..Default::default()
        }
    }
}

impl RetentionPolicyModel {
    fn from_harbor(p: &RetentionPolicy, prior: Option<&RetentionPolicyModel>) -> Self {
        let id = p.id.unwrap_or_default();
        let project = p.scope.reference;
        RetentionPolicyModel {
            id: Some(format!("/retentions/{id}")).into(),
            retention_id: Some(id).into(),
            scope: match prior {
                Some(m) if names_project(&m.scope, project) => m.scope.clone(),
                _ => format!("/projects/{project}"),
            },
            schedule: schedule_of(p.trigger.cron(), prior.and_then(|m| m.schedule.as_deref())),
            rule: p.rules.iter().map(RuleModel::from_harbor).collect(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &RetentionPolicyResource::schema().ty())
    }

    fn to_harbor(&self, project: i64) -> RetentionPolicy {
        RetentionPolicy {
            id: None,
            algorithm: "or".into(),
            rules: self.rule.iter().map(RuleModel::to_harbor).collect(),
            trigger: RetentionTrigger {
                kind: "Schedule".into(),
                settings: BTreeMap::from([(
                    "cron".to_string(),
                    json!(
                        self.schedule
                            .as_deref()
                            .map(schedule_cron)
                            .unwrap_or_default()
                    ),
                )]),
            },
            scope: RetentionScope {
                level: "project".into(),
                reference: project,
            },
        }
    }

    fn project_number(&self) -> Option<i64> {
        match super::lifecycle::project_ref(&self.scope) {
            crate::harbor::ProjectRef::Id(id) => Some(id),
            crate::harbor::ProjectRef::Name(_) => None,
        }
    }
}

fn count_validator(max: i64, what: &'static str) -> crate::schema::def::Validator {
    std::sync::Arc::new(move |v, path, diags| {
        if let Some(n) = v.as_i64()
            && !(0..=max).contains(&n)
        {
            diags.attr_error(
                path.clone(),
                format!("Invalid {what} {n}"),
                format!("Use a whole number from 0 to {max}; Harbor would silently use its default for anything else."),
            );
        }
    })
}

impl RetentionPolicyResource {
    pub fn schema() -> Schema {
        let pattern = |name: &str, what: &str| {
            Attribute::string(name)
                .optional()
                .describe(what.to_owned())
                .validate(crate::schema::def::validators::not_empty())
        };
        let rule = Block::new("A rule: what it retains, in which repositories, among which tags. Exactly one retain choice, one of `repo_matching`/`repo_excluding`, one of `tag_matching`/`tag_excluding`.")
            .attr(Attribute::bool("disabled").default(false).describe("Whether the rule is switched off."))
            .attr(Attribute::bool("always_retain").optional().describe("Retain every artifact the selectors pick."))
            .attr(Attribute::number("most_recently_pulled").optional().describe("Retain the N most recently pulled artifacts.").validate(count_validator(32_766, "most_recently_pulled")))
            .attr(Attribute::number("most_recently_pushed").optional().describe("Retain the N most recently pushed artifacts.").validate(count_validator(32_766, "most_recently_pushed")))
            .attr(Attribute::number("n_days_since_last_pull").optional().describe("Retain the artifacts pulled within the last N days.").validate(count_validator(20_190_904, "n_days_since_last_pull")))
            .attr(Attribute::number("n_days_since_last_push").optional().describe("Retain the artifacts pushed within the last N days.").validate(count_validator(20_190_904, "n_days_since_last_push")))
            .attr(pattern("repo_matching", "Repositories the rule applies to (the name without the project), e.g. `**`. Several: `{a,b}`."))
            .attr(pattern("repo_excluding", "Repositories the rule does not apply to; it applies to all others."))
            .attr(pattern("tag_matching", "Tags the rule applies to, e.g. `**` or `{latest,snapshot}`."))
            .attr(pattern("tag_excluding", "Tags the rule does not apply to; it applies to all others."))
            .attr(Attribute::bool("untagged_artifacts").default(true).describe("Whether untagged artifacts are among those the rule looks at."));
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "The tag retention policy of a project. A run deletes every artifact that no rule retains, except \
                 tags an immutable tag rule protects. Harbor keeps one policy per project. Patterns are doublestar \
                 globs (`*`, `**`, `{a,b}`).",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The policy's API path, `/retentions/<retention_id>` (as goharbor/harbor sets it)."))
            .attr(Attribute::number("retention_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the policy."))
            .attr(
                Attribute::string("scope")
                    .required()
                    .requires_replace()
                    .describe("The project: `harbor_project.<name>.id` (`/projects/<id>`), a numeric id, or a project name. Changing it replaces the policy.")
                    .validate(crate::schema::def::validators::not_empty()),
            )
            .attr(
                Attribute::string("schedule")
                    .optional()
                    .describe("When the policy runs: `Hourly`, `Daily`, `Weekly`, or a six-field cron with seconds 0 (`0 30 2 * * *`). Not set: only when run by hand.")
                    .validate(schedule_validator()),
            )
            .block_bounded("rule", Nesting::List, rule, 1, 15),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for RetentionPolicyResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/retentions/{retention_id}").describe(
                "retention_id",
                "The retention policy's numeric id in Harbor.",
            ),
        )
    }

    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<RetentionPolicyModel>(
            &Self::schema().ty(),
        ))
    }

    /// Each rule's three one-of groups, at plan time and naming `rule[i].<attribute>`.
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let retain: Vec<&str> = RETAIN.iter().map(|(a, _)| *a).collect();
        for (i, rule) in config.get("rule").elements().iter().enumerate() {
            let path = AttributePath::attr("rule").join_index(i);
            exactly_one(
                rule,
                &path,
                &retain,
                "They say what the rule keeps.",
                TYPE,
                diags,
            );
            exactly_one(
                rule,
                &path,
                &["repo_matching", "repo_excluding"],
                "Use `repo_matching = \"**\"` for every repository.",
                TYPE,
                diags,
            );
            exactly_one(
                rule,
                &path,
                &["tag_matching", "tag_excluding"],
                "Use `tag_matching = \"**\"` for every tag.",
                TYPE,
                diags,
            );
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: RetentionPolicyModel = model::from_value(state)?;
        let Some(&id) = state.retention_id.value() else {
            return Ok(None);
        };
        match h.client.get_retention(id).await {
            // Policy ids are never reused, and Harbor deletes a project's policies with it.
            Ok(p) => Ok(Some(
                RetentionPolicyModel::from_harbor(&p, Some(&state)).to_value()?,
            )),
            Err(e) => {
                let project = match state.project_number() {
                    Some(p) => Some(p),
                    None => h
                        .client
                        .get_project(&super::lifecycle::project_ref(&state.scope))
                        .await
                        .ok()
                        .map(|p| p.project_id),
                };
                let gone = match project {
                    Some(p) => !h.client.retention_exists(p, id).await.map_err(|e2| {
                        api_diag(
                            "Could not read the project of retention policy",
                            &state.scope,
                            &e2,
                        )
                    })?,
                    None => true,
                };
                if gone {
                    Ok(None)
                } else {
                    Err(api_diag(
                        "Could not read retention policy of project",
                        &state.scope,
                        &e,
                    ))
                }
            }
        }
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: RetentionPolicyModel = model::from_value(planned)?;
        let project = project_id(h, &planned.scope, TYPE, "scope").await?;
        let body = planned.to_harbor(project);
        let what = format!("of project {}", planned.scope);
        let id = match h.client.create_retention(&body).await {
            Ok(id) => id,
            Err(e) if e.status() == Some(400) => {
                // goharbor/harbor's destroy left an empty policy in the project: take it over.
                let existing = h.client.project_retention_id(project).await.ok().flatten();
                let leftover = match existing {
                    Some(old) => h
                        .client
                        .get_retention(old)
                        .await
                        .ok()
                        .filter(|p| p.rules.is_empty())
                        .map(|_| old),
                    None => None,
                };
                match leftover {
                    Some(old) => {
                        h.client.update_retention(old, &body).await.map_err(|e| {
                            api_diag("Could not update the empty retention policy", &what, &e)
                        })?;
                        old
                    }
                    None => {
                        let mut d = api_diag("Could not create retention policy", &what, &e);
                        if let Some(old) = existing {
                            d.attr_error(
                                AttributePath::attr("scope"),
                                format!("Project {} already has retention policy {old}", planned.scope),
                                format!("Harbor keeps one policy per project (proxy-cache projects get one automatically). Import it instead: `terraform import <address> /retentions/{old}`."),
                            );
                        }
                        return Err(d.into());
                    }
                }
            }
            Err(e) => {
                return Err(api_diag("Could not create retention policy", &what, &e).into());
            }
        };
        let state = RetentionPolicyModel {
            id: Some(format!("/retentions/{id}")).into(),
            retention_id: Some(id).into(),
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: RetentionPolicyModel = model::from_value(prior)?;
        let planned: RetentionPolicyModel = model::from_value(planned)?;
        let id = prior.retention_id.value().copied().unwrap_or_default();
        let project = project_id(h, &planned.scope, TYPE, "scope").await?;
        h.client
            .update_retention(id, &planned.to_harbor(project))
            .await
            .map_err(|e| {
                api_diag(
                    "Could not update retention policy of project",
                    &planned.scope,
                    &e,
                )
            })?;
        Ok(planned.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: RetentionPolicyModel = model::from_value(prior)?;
        let Some(&id) = prior.retention_id.value() else {
            return Ok(());
        };
        let project = match prior.project_number() {
            Some(p) => p,
            None => match h
                .client
                .get_project(&super::lifecycle::project_ref(&prior.scope))
                .await
            {
                Ok(p) => p.project_id,
                // No project, no policy.
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(api_diag("Could not read project", &prior.scope, &e)),
            },
        };
        h.client.delete_retention(project, id).await.map_err(|e| {
            api_diag(
                "Could not delete retention policy of project",
                &prior.scope,
                &e,
            )
        })
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let n = numeric_import_id(id, "/retentions/", TYPE, "retention policy")?;
        match h.client.get_retention(n).await {
            Ok(p) => Ok(RetentionPolicyModel::from_harbor(&p, None).to_value()?),
            Err(e) if matches!(e.status(), Some(400 | 404 | 500)) => {
                Err(import_not_found("retention policy", id))
            }
            Err(e) => Err(api_diag("Could not read retention policy", id, &e)),
        }
    }

    /// goharbor/harbor's state (version 0): SDK zero values (`""`, `0`, `false` for
    /// `always_retain`) stand for unset.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            go_zero_values_to_null(
                &mut raw,
                &["schedule"],
                &[(
                    "rule",
                    &[
                        "most_recently_pulled",
                        "most_recently_pushed",
                        "n_days_since_last_pull",
                        "n_days_since_last_push",
                        "repo_matching",
                        "repo_excluding",
                        "tag_matching",
                        "tag_excluding",
                    ],
                )],
            );
            if let Some(obj) = raw.as_object_mut() {
                if let Some(rules) = obj.get_mut("rule").and_then(|r| r.as_array_mut()) {
                    for r in rules {
                        if r.get("always_retain") == Some(&serde_json::Value::Bool(false))
                            && let Some(o) = r.as_object_mut()
                        {
                            o.insert("always_retain".into(), serde_json::Value::Null);
                        }
                    }
                }
                let id = obj
                    .get("id")
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.strip_prefix("/retentions/"))
                    .and_then(|s| s.parse::<i64>().ok());
                if let Some(id) = id {
                    obj.insert("retention_id".into(), id.into());
                }
            }
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            RetentionPolicyResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn rules_round_trip_through_harbor_form() {
        let rule = RuleModel {
            disabled: false,
            always_retain: None,
            most_recently_pulled: None,
            most_recently_pushed: Some(3),
            n_days_since_last_pull: None,
            n_days_since_last_push: None,
            repo_matching: Some("**".into()),
            repo_excluding: None,
            tag_matching: None,
            tag_excluding: Some("latest".into()),
            untagged_artifacts: true,
        };
        let back = RuleModel::from_harbor(&rule.to_harbor());
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&rule).unwrap()
        );
    }
}
