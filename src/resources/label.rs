//! `harbor_label`: a label, global (no `project_id`) or of one project. Labels mark artifacts and
//! feed replication filters.
//!
//! Requests: create = `POST /labels` (plus `GET /projects/{name}` when the project is given by
//! name); read = `GET /labels/{id}`; update = `PUT /labels/{id}` (name, description, colour:
//! Harbor changes nothing else, so a new project replaces the label); delete =
//! `DELETE /labels/{id}`.
//!
//! Unlike goharbor/harbor, `color` has no default (goharbor sent the string `"false"`), and
//! `project_id` is read back.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::Label;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::lifecycle::{names_project, project_id};
use super::{
    api_diag, go_zero_values_to_null, import_not_found, not_found_is_none, numeric_import_id,
    unsettled_create,
};

pub struct LabelResource;

const TYPE: &str = "harbor_label";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelModel {
    pub id: Known<Option<String>>,
    pub label_id: Known<Option<i64>>,
    pub name: String,
    pub description: Option<String>,
    pub color: Known<Option<String>>,
    pub project_id: Option<String>,
    pub scope: Known<Option<String>>,
}

impl LabelModel {
    /// The state for `l` as Harbor returns it; `project_id` keeps the form the prior state wrote
    /// when it names the same project.
    fn from_harbor(l: &Label, prior_project: Option<&str>) -> Self {
        let id = l.id.unwrap_or_default();
        let project_id = l
            .project_id
            .filter(|p| *p > 0)
            .map(|p| match prior_project {
                Some(text) if names_project(text, p) => text.to_owned(),
                _ => format!("/projects/{p}"),
            });
        LabelModel {
            id: Some(format!("/labels/{id}")).into(),
            label_id: Some(id).into(),
            name: l.name.clone(),
            description: Some(l.description.clone()).filter(|d| !d.is_empty()),
            color: Some(l.color.clone()).into(),
            project_id,
            scope: Some(l.scope.clone()).into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &LabelResource::schema().ty())
    }

    /// The request body: a label of the project, or a global one.
    fn to_harbor(&self, project: Option<i64>) -> Label {
        Label {
            name: self.name.clone(),
            description: self.description.clone().unwrap_or_default(),
            color: self.color.value().cloned().unwrap_or_default(),
            scope: if project.is_some() { "p" } else { "g" }.into(),
            project_id: project,
            ..Default::default()
        }
    }
}

impl LabelResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A label: global when `project_id` is not set, else a label of that project. Labels mark \
                 artifacts and can select them in replication filters.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The label's API path, `/labels/<label_id>` (as goharbor/harbor sets it)."))
            .attr(Attribute::number("label_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the label."))
            .attr(
                Attribute::string("name")
                    .required()
                    .describe("The label's name, unique among the global labels or within the project (at most 128 characters).")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && (s.is_empty() || s.chars().count() > 128)
                        {
                            diags.attr_error(
                                path.clone(),
                                "Invalid label name",
                                "`name` must have 1 to 128 characters (Harbor's `Label.Valid`).",
                            );
                        }
                    })),
            )
            .attr(
                Attribute::string("description")
                    .optional()
                    .describe("A description. Leave it out rather than setting `\"\"`: Harbor does not tell an empty description from none.")
                    .validate(crate::schema::def::validators::not_empty()),
            )
            .attr(
                Attribute::string("color")
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe("The colour Harbor's UI shows, such as `#0065AB` (at most 16 characters). When not set, the label keeps the colour it has (none for a new label).")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && s.chars().count() > 16
                        {
                            diags.attr_error(
                                path.clone(),
                                "Invalid label color",
                                "`color` has at most 16 characters in Harbor's database; use a hex colour such as `#0065AB`.",
                            );
                        }
                    })),
            )
            .attr(
                Attribute::string("project_id")
                    .optional()
                    .requires_replace()
                    .describe("The project the label belongs to: `harbor_project.<name>.id` (`/projects/<id>`), a numeric id, or a project name. Not set: a global label. Changing it replaces the label.")
                    .validate(crate::schema::def::validators::not_empty()),
            )
            .attr(Attribute::string("scope").computed().use_state_for_unknown().describe("`g` for a global label, `p` for a project label.")),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for LabelResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/labels/{label_id}")
                .describe("label_id", "The label's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        TYPE
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<LabelModel>(&Self::schema().ty()))
    }

    fn validate(&self, _config: &Value, _caps: ClientCaps, _diags: &mut Diagnostics) {}

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: LabelModel = model::from_value(state)?;
        let Some(&id) = state.label_id.value() else {
            return Ok(None);
        };
        let found = not_found_is_none(h.client.get_label(id).await)
            .map_err(|e| api_diag("Could not read label", &state.name, &e))?;
        Ok(match found {
            Some(l) => Some(LabelModel::from_harbor(&l, state.project_id.as_deref()).to_value()?),
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
        let planned: LabelModel = model::from_value(planned)?;
        let project = match &planned.project_id {
            Some(p) => Some(project_id(h, p, TYPE, "project_id").await?),
            None => None,
        };
        let body = planned.to_harbor(project);
        let id = match h.client.create_label(&body).await {
            Ok(id) => id,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    api_diag("Could not create label", &planned.name, &e),
                    "label",
                    planned_value,
                ));
            }
            Err(e) => {
                let mut d = api_diag("Could not create label", &planned.name, &e);
                if e.is_conflict() {
                    d.attr_error(
                        AttributePath::attr("name"),
                        format!("A label named {} already exists there", planned.name),
                        "Label names are unique among global labels and within a project. Choose another name, or import the existing label with `terraform import <address> /labels/<id>`.",
                    );
                }
                return Err(d.into());
            }
        };
        let state = LabelModel {
            id: Some(format!("/labels/{id}")).into(),
            label_id: Some(id).into(),
            color: Some(body.color.clone()).into(),
            scope: Some(body.scope.clone()).into(),
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
        let prior: LabelModel = model::from_value(prior)?;
        let planned: LabelModel = model::from_value(planned)?;
        let id = prior.label_id.value().copied().unwrap_or_default();
        let body = planned.to_harbor(None);
        h.client.update_label(id, &body).await.map_err(|e| {
            let mut d = api_diag("Could not update label", &planned.name, &e);
            if e.is_conflict() {
                d.attr_error(
                    AttributePath::attr("name"),
                    format!("A label named {} already exists there", planned.name),
                    "Choose a name no other label in the same scope has.",
                );
            }
            d
        })?;
        let state = LabelModel {
            color: Some(body.color).into(),
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: LabelModel = model::from_value(prior)?;
        let Some(&id) = prior.label_id.value() else {
            return Ok(());
        };
        h.client
            .delete_label(id)
            .await
            .map_err(|e| api_diag("Could not delete label", &prior.name, &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let n = numeric_import_id(id, "/labels/", TYPE, "label")?;
        match not_found_is_none(h.client.get_label(n).await)
            .map_err(|e| api_diag("Could not read label", id, &e))?
        {
            Some(l) => Ok(LabelModel::from_harbor(&l, None).to_value()?),
            None => Err(import_not_found("label", id)),
        }
    }

    /// goharbor/harbor's state (version 0): `""` for unset strings, `color` possibly its default
    /// `"false"` (kept: Harbor stores it, and `color` keeps what Harbor has when not set).
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            go_zero_values_to_null(&mut raw, &["description", "project_id"], &[]);
            if let Some(id) = raw
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| s.strip_prefix("/labels/"))
                .and_then(|s| s.parse::<i64>().ok())
                && let Some(obj) = raw.as_object_mut()
            {
                obj.insert("label_id".into(), id.into());
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
        assert_eq!(LabelResource::schema().check_rules(), Vec::<String>::new());
    }
}
