//! `harbor_immutable_tag_rule`: a project's rule making matching tags immutable: Harbor then
//! refuses to push over them or delete them (and retention spares them).
//!
//! Requests: read = `GET /projects/{id}/immutabletagrules` (Harbor has no single-rule GET; the
//! list is paged through); create = `POST` there, then one `PUT` when the rule is to be disabled
//! (Harbor stores every new rule enabled); update = one `PUT`, two when both the selectors and
//! `disabled` change (Harbor applies one of the two per request); delete = `DELETE
//! /projects/{id}/immutabletagrules/{rule_id}`.
//!
//! Unlike goharbor/harbor, each pair of patterns is one-of at plan time (goharbor let both be set
//! and silently kept the excluding one), and `repo_excluding` reads back.

use crate::schema::identity::IdentityTemplate;
use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{ImmutableRule, Selector};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::lifecycle::{exactly_one, names_project, project_id};
use super::{api_diag, go_zero_values_to_null, unsettled_create};

pub struct ImmutableTagRuleResource;

const TYPE: &str = "harbor_immutable_tag_rule";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImmutableTagRuleModel {
    pub id: Known<Option<String>>,
    pub rule_id: Known<Option<i64>>,
    pub project_id: String,
    pub disabled: bool,
    pub repo_matching: Option<String>,
    pub repo_excluding: Option<String>,
    pub tag_matching: Option<String>,
    pub tag_excluding: Option<String>,
}

/// The pattern of the first selector with `decoration`, as Harbor's matcher uses only the first.
fn pattern(selectors: Option<&Vec<Selector>>, decoration: &str) -> Option<String> {
    selectors
        .and_then(|s| s.first())
        .filter(|s| s.decoration == decoration)
        .map(|s| s.pattern.clone())
}

impl ImmutableTagRuleModel {
    fn from_harbor(r: &ImmutableRule, project: i64, prior_project: Option<&str>) -> Self {
        let id = r.id.unwrap_or_default();
        let repo = r.scope_selectors.get("repository");
        ImmutableTagRuleModel {
            id: Some(format!("/projects/{project}/immutabletagrules/{id}")).into(),
            rule_id: Some(id).into(),
            project_id: match prior_project {
                Some(text) if names_project(text, project) => text.to_owned(),
                _ => format!("/projects/{project}"),
            },
            disabled: r.disabled,
            repo_matching: pattern(repo, "repoMatches"),
            repo_excluding: pattern(repo, "repoExcludes"),
            tag_matching: pattern(Some(&r.tag_selectors), "matches"),
            tag_excluding: pattern(Some(&r.tag_selectors), "excludes"),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ImmutableTagRuleResource::schema().ty())
    }

    /// The rule as goharbor/harbor sends it: one repository and one tag selector.
    fn to_harbor(&self) -> ImmutableRule {
        let repo = match (&self.repo_matching, &self.repo_excluding) {
            (_, Some(p)) => Selector::doublestar("repoExcludes", p),
            (Some(p), None) => Selector::doublestar("repoMatches", p),
            (None, None) => Selector::doublestar("repoMatches", "**"),
        };
        let tag = match (&self.tag_matching, &self.tag_excluding) {
            (_, Some(p)) => Selector::doublestar("excludes", p),
            (Some(p), None) => Selector::doublestar("matches", p),
            (None, None) => Selector::doublestar("matches", "**"),
        };
        ImmutableRule {
            disabled: self.disabled,
            action: "immutable".into(),
            template: "immutable_template".into(),
            tag_selectors: vec![tag],
            scope_selectors: BTreeMap::from([("repository".to_string(), vec![repo])]),
            ..Default::default()
        }
    }

    /// The project id: the computed id path holds it once the rule exists.
    fn project_number(&self) -> Option<i64> {
        self.id
            .value()
            .and_then(|p| p.strip_prefix("/projects/"))
            .and_then(|p| p.split('/').next())
            .and_then(|p| p.parse().ok())
    }
}

/// `/projects/<pid>/immutabletagrules/<id>` (goharbor's import id) or `<pid>/<id>`.
fn parse_id(id: &str) -> Option<(i64, i64)> {
    let rest = id.trim().trim_start_matches("/projects/");
    let (project, rule) = match rest.split_once("/immutabletagrules/") {
        Some(pair) => pair,
        None => rest.split_once('/')?,
    };
    Some((project.parse().ok()?, rule.parse().ok()?))
}

impl ImmutableTagRuleResource {
    pub fn schema() -> Schema {
        let pattern = |name: &str, what: &str| {
            Attribute::string(name)
                .optional()
                .describe(what.to_owned())
                .validate(crate::schema::def::validators::not_empty())
        };
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "An immutable tag rule of a project: tags it matches can be neither pushed over nor deleted \
                 (tag retention spares them too). Patterns are doublestar globs: `*`, `**`, `?`, `[a-z]`, and \
                 `{a,b}` for several values.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The rule's API path, `/projects/<project_id>/immutabletagrules/<rule_id>` (as goharbor/harbor sets it)."))
            .attr(Attribute::number("rule_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the rule."))
            .attr(
                Attribute::string("project_id")
                    .required()
                    .requires_replace()
                    .describe("The project: `harbor_project.<name>.id` (`/projects/<id>`), a numeric id, or a project name. Changing it replaces the rule.")
                    .validate(crate::schema::def::validators::not_empty()),
            )
            .attr(Attribute::bool("disabled").default(false).describe("Whether the rule is switched off."))
            .attr(pattern("repo_matching", "Repositories the rule covers (the name without the project), e.g. `**` for all. Exactly one of `repo_matching` and `repo_excluding`."))
            .attr(pattern("repo_excluding", "Repositories the rule does not cover; it covers all others."))
            .attr(pattern("tag_matching", "Tags the rule protects, e.g. `v*` or `{latest,stable}`. Exactly one of `tag_matching` and `tag_excluding`."))
            .attr(pattern("tag_excluding", "Tags the rule does not protect; it protects all others.")),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for ImmutableTagRuleResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/projects/{project_id}/immutabletagrules/{rule_id}")
                .describe("project_id", "The project's numeric id in Harbor.")
                .describe("rule_id", "The rule's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ImmutableTagRuleModel>(
            &Self::schema().ty(),
        ))
    }

    /// Harbor's matcher uses one repository and one tag selector per rule, so each pair is one-of.
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let root = AttributePath::root();
        exactly_one(
            config,
            &root,
            &["repo_matching", "repo_excluding"],
            "Use `repo_matching = \"**\"` to cover every repository.",
            TYPE,
            diags,
        );
        exactly_one(
            config,
            &root,
            &["tag_matching", "tag_excluding"],
            "Use `tag_matching = \"**\"` to protect every tag.",
            TYPE,
            diags,
        );
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ImmutableTagRuleModel = model::from_value(state)?;
        let (Some(&id), Some(project)) = (state.rule_id.value(), state.project_number()) else {
            return Ok(None);
        };
        let rule = match h.client.get_immutable_rule(project, id).await {
            Ok(r) => r,
            // The project is gone, and its rules with it.
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                return Err(api_diag(
                    "Could not read immutable tag rules of project",
                    &state.project_id,
                    &e,
                ));
            }
        };
        Ok(match rule {
            Some(r) => Some(
                ImmutableTagRuleModel::from_harbor(&r, project, Some(&state.project_id))
                    .to_value()?,
            ),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned_value = planned;
        let planned: ImmutableTagRuleModel = model::from_value(planned)?;
        let project = project_id(h, &planned.project_id, TYPE, "project_id").await?;
        let body = planned.to_harbor();
        let what = format!("{} (project {})", TYPE, planned.project_id);
        let id = match h.client.create_immutable_rule(project, &body).await {
            Ok(id) => id,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    api_diag("Could not create", &what, &e),
                    "immutable tag rule",
                    planned_value,
                ));
            }
            Err(e) => {
                let mut d = api_diag("Could not create", &what, &e);
                if e.is_conflict() {
                    d.error(
                        "The project already has a rule with these patterns",
                        "Harbor keeps one rule per set of patterns. Import the existing rule with `terraform import <address> /projects/<project_id>/immutabletagrules/<rule_id>`, or change the patterns.",
                    );
                }
                return Err(d.into());
            }
        };
        let state = ImmutableTagRuleModel {
            id: Some(format!("/projects/{project}/immutabletagrules/{id}")).into(),
            rule_id: Some(id).into(),
            ..planned
        };
        if planned_disabled(&state) {
            // Harbor made it enabled; the second request switches it off.
            if let Err(e) = h
                .client
                .update_immutable_rule(project, id, &state.to_harbor(), false)
                .await
            {
                // The rule exists: keep it in state (enabled) so it is not orphaned.
                let partial = ImmutableTagRuleModel {
                    disabled: false,
                    ..state
                };
                return Err(ApplyError {
                    diags: api_diag("Could not disable", &what, &e),
                    partial_state: Some(partial.to_value()?),
                });
            }
        }
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ImmutableTagRuleModel = model::from_value(prior)?;
        let planned: ImmutableTagRuleModel = model::from_value(planned)?;
        let id = prior.rule_id.value().copied().unwrap_or_default();
        let project = prior.project_number().unwrap_or_default();
        let what = format!("{} (project {})", TYPE, planned.project_id);
        h.client
            .update_immutable_rule(project, id, &planned.to_harbor(), prior.disabled)
            .await
            .map_err(|e| {
                let mut d = api_diag("Could not update", &what, &e);
                if e.status() == Some(500) {
                    d.error(
                        "Another rule of the project may have these patterns",
                        "Harbor refuses a second rule with the same patterns (it answers 500 on update). Change the patterns or remove the other rule.",
                    );
                }
                d
            })?;
        Ok(planned.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ImmutableTagRuleModel = model::from_value(prior)?;
        let (Some(&id), Some(project)) = (prior.rule_id.value(), prior.project_number()) else {
            return Ok(());
        };
        h.client
            .delete_immutable_rule(project, id)
            .await
            .map_err(|e| api_diag("Could not delete", &format!("{TYPE} {id}"), &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let Some((project, rule)) = parse_id(id) else {
            let mut d = Diagnostics::new();
            d.error(
                format!("Invalid import id for {TYPE}"),
                format!("{id:?}: use `/projects/<project_id>/immutabletagrules/<rule_id>` or `<project_id>/<rule_id>`."),
            );
            return Err(d);
        };
        let found = match h.client.get_immutable_rule(project, rule).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                return Err(api_diag(
                    "Could not read immutable tag rules of project",
                    &project.to_string(),
                    &e,
                ));
            }
        };
        match found {
            Some(r) => Ok(ImmutableTagRuleModel::from_harbor(&r, project, None).to_value()?),
            None => Err(super::import_not_found("immutable tag rule", id)),
        }
    }

    /// goharbor/harbor's state (version 0): `""` for unset patterns; the ids come from `id`.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            go_zero_values_to_null(
                &mut raw,
                &[
                    "repo_matching",
                    "repo_excluding",
                    "tag_matching",
                    "tag_excluding",
                ],
                &[],
            );
            if let Some((_, rule)) = raw.get("id").and_then(|v| v.as_str()).and_then(parse_id)
                && let Some(obj) = raw.as_object_mut()
            {
                obj.insert("rule_id".into(), rule.into());
            }
        }
        Ok(raw)
    }
}

fn planned_disabled(m: &ImmutableTagRuleModel) -> bool {
    m.disabled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ImmutableTagRuleResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn import_ids() {
        assert_eq!(parse_id("/projects/4/immutabletagrules/25"), Some((4, 25)));
        assert_eq!(parse_id("4/25"), Some((4, 25)));
        assert_eq!(parse_id("/projects/x/immutabletagrules/25"), None);
        assert_eq!(parse_id("25"), None);
    }
}
