//! `harbor_project`: a Harbor project with its scanning and security settings, CVE allowlist and
//! storage quota. Attribute names, types and defaults are goharbor/harbor's, so existing HCL and
//! state carry over; unlike it, every field (the quota included) is read back, removing a setting
//! restores Harbor's default, and bad input is refused at plan time.
//!
//! Requests: read = `GET /projects/{id}` + `GET /projects/{id}/summary` (the quota), sent at once,
//! and batched with concurrent reads into list requests (`harbor/batch.rs`); create =
//! `POST /projects` (quota and metadata; `reuse_sys_cve_allowlist` is `false` only when an
//! allowlist is configured) then `PUT /projects/{id}` with the allowlist when there is one,
//! because Harbor ignores an allowlist sent on create; update = `PUT /projects/{id}`
//! when metadata or allowlist change, plus `GET /quotas?reference_id=` and `PUT /quotas/{id}` when
//! the quota changes; delete = `DELETE /projects/{id}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::models::{CveAllowlist, CveAllowlistItem, Project, ProjectMetadata, ProjectReq};
use crate::harbor::{self, Feature, ProjectRef};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::{
    api_diag, bytes_to_gib, gib_to_bytes, not_found_is_none, parse_import_id,
    storage_quota_validator,
};

pub struct ProjectResource;

const SEVERITIES: &[&str] = &["none", "low", "medium", "high", "critical"];

/// Harbor's project name rule: lower-case alphanumerics separated by single `.`, `_` or `-`, 1–255 long.
pub fn valid_project_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let bytes = name.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    bytes.windows(2).all(|w| alnum(w[0]) || alnum(w[1]))
        && bytes.iter().all(|b| alnum(*b) || b".-_".contains(b))
}

fn project_name_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let Some(name) = v.as_str()
            && !valid_project_name(name)
        {
            diags.attr_error(
                    path.clone(),
                    format!("Invalid project name {name:?}"),
                    "Harbor project names are 1 to 255 characters of lower-case letters and digits, optionally \
                     separated by single `.`, `_` or `-` (for example `team-a.images`).",
                );
        }
    })
}

/// Harbor's allowlist rule (`pkg/allowlist/validator.go` `Validate`): no blank id (after
/// trimming) and no id twice. Harbor answers a bare 500 otherwise, so it is checked here.
fn cve_allowlist_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        let mut seen: Vec<&str> = Vec::new();
        for (i, item) in v.elements().iter().enumerate() {
            let Some(id) = item.as_str() else { continue };
            if id.trim().is_empty() {
                diags.attr_error(
                    path.join_index(i),
                    "Blank CVE id in cve_allowlist",
                    "Harbor refuses empty or whitespace-only CVE ids. Remove the entry or write the id, e.g. `CVE-2024-1234`.",
                );
            } else if seen.contains(&id) {
                diags.attr_error(
                    path.join_index(i),
                    format!("{id} appears twice in cve_allowlist"),
                    "Harbor refuses an allowlist that names a CVE twice. Remove the repeated entry.",
                );
            } else {
                seen.push(id);
            }
        }
    })
}

impl ProjectResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new("A Harbor project: where repositories live, with its scanning and security policy, CVE allowlist and storage quota.")
                .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The project's API path, `/projects/<project_id>` (as goharbor/harbor sets it)."))
                .attr(
                    Attribute::string("name")
                        .required()
                        .requires_replace()
                        .describe("The project name. Harbor cannot rename projects: changing it replaces the project.")
                        .validate(project_name_validator()),
                )
                .attr(Attribute::number("project_id").computed().use_state_for_unknown().describe("Harbor's numeric project id."))
                .attr(
                    Attribute::number("registry_id")
                        .optional_computed()
                        .requires_replace()
                        .use_state_for_unknown()
                        .describe("Makes the project a proxy cache of this registry endpoint (`harbor_registry.x.registry_id`). Cannot change after creation: changing it replaces the project.")
                        .validate(validators::int_at_least(1)),
                )
                .attr(Attribute::bool("public").default(false).describe("Whether anyone may pull from the project without logging in."))
                .attr(Attribute::bool("vulnerability_scanning").default(true).describe("Scan images automatically when they are pushed (Harbor's `auto_scan`)."))
                .attr(Attribute::string("vulnerability_scanner").optional_computed().use_state_for_unknown().describe("Name of the scanner registration the project uses (for example `Trivy`). Unset leaves the project's scanner as Harbor has it (the system default for new projects); it is then read back only after an import."))
                .attr(
                    Attribute::number("storage_quota")
                        .default(-1)
                        .describe("Storage quota in GiB; -1 for unlimited. Read back from Harbor, so a change made elsewhere shows in the plan. Changing it needs system-level access (an admin, or a system robot with quota permissions).")
                        .validate(storage_quota_validator()),
                )
                .attr(
                    Attribute::typed("cve_allowlist", Type::list(Type::String))
                        .optional()
                        .describe("CVE ids to ignore when deciding whether an image may be pulled. When set (and not empty), the project uses this list instead of the system allowlist; unset or empty, it uses the system allowlist. Ids must be unique and not blank.")
                        .validate(cve_allowlist_validator()),
                )
                .attr(Attribute::bool("enable_content_trust").default(false).describe("Allow only signed images to be pulled (Notary; inert since Harbor 2.9)."))
                .attr(Attribute::bool("enable_content_trust_cosign").default(false).describe("Allow only images signed with cosign to be pulled."))
                .attr(Attribute::bool("auto_sbom_generation").default(false).describe("Generate an SBOM automatically when images are pushed."))
                .attr(
                    Attribute::string("deployment_security")
                        .optional()
                        .describe("Block pulling images with vulnerabilities of this severity or worse: `none`, `low`, `medium`, `high` or `critical`. Empty or unset allows every image.")
                        .validate(std::sync::Arc::new(|v, path, diags| {
                            if let Some(s) = v.as_str()
                                && !s.is_empty() && !SEVERITIES.contains(&s) {
                                    diags.attr_error(
                                        path.clone(),
                                        format!("Invalid deployment_security {s:?}"),
                                        "Use one of none, low, medium, high, critical, or leave it empty to allow every image.",
                                    );
                                }
                        })),
                )
                .attr(Attribute::bool("force_destroy").default(false).describe("Delete the project's repositories when destroying it. Without it, destroying a project that holds images fails."))
                .attr(
                    Attribute::number("proxy_speed_kb")
                        .default(-1)
                        .describe("Proxy-cache projects only: bandwidth limit for pulls from the upstream registry, in KB/s; -1 for unlimited. Harbor 2.12 and later.")
                        .validate(validators::int_between(-1, i32::MAX as i64)),
                )
                .attr(Attribute::bool("proxy_cache_local_on_not_found").default(false).describe("Proxy-cache projects only: serve the cached copy when the upstream no longer has the image. Harbor 2.15.1 and later.")),
        )
    }
}

/// The resource's state and plan. Arguments with a default are `Option`: a state written by
/// goharbor/harbor (or by an older version of this provider) may hold null there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectModel {
    pub id: Known<Option<String>>,
    pub name: String,
    pub project_id: Known<Option<i64>>,
    pub registry_id: Known<Option<i64>>,
    pub public: Option<bool>,
    pub vulnerability_scanning: Option<bool>,
    pub vulnerability_scanner: Known<Option<String>>,
    pub storage_quota: Option<i64>,
    pub cve_allowlist: Option<Vec<String>>,
    pub enable_content_trust: Option<bool>,
    pub enable_content_trust_cosign: Option<bool>,
    pub auto_sbom_generation: Option<bool>,
    pub deployment_security: Option<String>,
    pub force_destroy: Option<bool>,
    pub proxy_speed_kb: Option<i64>,
    pub proxy_cache_local_on_not_found: Option<bool>,
}

/// What `validate` and `modify_plan` look at, in configurations and plans where any of it may
/// still be unknown. Numbers are `f64`: a hook sees values before validation refuses a fraction.
#[derive(Debug, Serialize, Deserialize)]
struct ProjectPlanView {
    registry_id: Known<Option<f64>>,
    auto_sbom_generation: Known<Option<bool>>,
    proxy_speed_kb: Known<Option<f64>>,
    proxy_cache_local_on_not_found: Known<Option<bool>>,
}

impl ProjectModel {
    pub(crate) fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectResource::schema().ty())
    }

    /// The severity that blocks pulls; `None` when every image may be pulled.
    fn severity(&self) -> Option<&str> {
        self.deployment_security
            .as_deref()
            .filter(|s| !s.is_empty())
    }

    fn proxy_flag(&self) -> bool {
        self.proxy_cache_local_on_not_found == Some(true)
    }

    /// The settings that go to Harbor in the project's metadata or allowlist.
    fn metadata_differs(&self, other: &ProjectModel) -> bool {
        self.public != other.public
            || self.vulnerability_scanning != other.vulnerability_scanning
            || self.enable_content_trust != other.enable_content_trust
            || self.enable_content_trust_cosign != other.enable_content_trust_cosign
            || self.auto_sbom_generation != other.auto_sbom_generation
            || self.deployment_security != other.deployment_security
            || self.proxy_speed_kb != other.proxy_speed_kb
            || self.proxy_cache_local_on_not_found != other.proxy_cache_local_on_not_found
            || self.cve_allowlist != other.cve_allowlist
    }
}

fn bool_meta(v: bool) -> Option<String> {
    Some(v.to_string())
}

fn meta_bool(s: &Option<String>, default: bool) -> bool {
    s.as_deref().map(|s| s == "true").unwrap_or(default)
}

/// The metadata our attributes manage, from a planned state. Every managed key is sent, so a
/// setting removed from the configuration is written back as its default rather than left stale.
fn metadata_from(planned: &ProjectModel, proxy: bool) -> ProjectMetadata {
    let severity = planned.severity();
    let allowlist = allowlist_items(planned);
    ProjectMetadata {
        public: bool_meta(planned.public.unwrap_or(false)),
        auto_scan: bool_meta(planned.vulnerability_scanning.unwrap_or(true)),
        enable_content_trust: bool_meta(planned.enable_content_trust.unwrap_or(false)),
        enable_content_trust_cosign: bool_meta(
            planned.enable_content_trust_cosign.unwrap_or(false),
        ),
        auto_sbom_generation: bool_meta(planned.auto_sbom_generation.unwrap_or(false)),
        prevent_vul: bool_meta(severity.is_some()),
        severity: severity.map(str::to_string),
        reuse_sys_cve_allowlist: bool_meta(allowlist.is_empty()),
        proxy_speed_kb: proxy.then(|| planned.proxy_speed_kb.unwrap_or(-1).to_string()),
        proxy_cache_local_on_not_found: (proxy && planned.proxy_flag()).then(|| "true".to_string()),
        ..Default::default()
    }
}

fn allowlist_items(v: &ProjectModel) -> Vec<CveAllowlistItem> {
    v.cve_allowlist
        .iter()
        .flatten()
        .map(|c| CveAllowlistItem {
            cve_id: c.to_string(),
        })
        .collect()
}

/// Builds the state from what Harbor returned. `prior` supplies what Harbor cannot tell us:
/// `force_destroy` (ours alone), whether an empty allowlist or deployment setting was written as
/// `[]`/`""` or left out, and whether the scanner is managed at all.
pub(crate) fn to_state(
    p: &Project,
    storage_bytes: Option<i64>,
    scanner: Option<String>,
    prior: Option<&ProjectModel>,
) -> ProjectModel {
    let m = &p.metadata;
    let deployment = if meta_bool(&m.prevent_vul, false) {
        let sev = m.severity.clone().unwrap_or_else(|| "low".into());
        Some(if sev == "negligible" {
            "none".into()
        } else {
            sev
        })
    } else if prior.and_then(|p| p.deployment_security.as_deref()) == Some("") {
        Some(String::new())
    } else {
        None
    };
    let items: Vec<String> = p
        .cve_allowlist
        .items
        .iter()
        .map(|i| i.cve_id.clone())
        .collect();
    let allowlist = if items.is_empty() && prior.is_none_or(|p| p.cve_allowlist.is_none()) {
        None
    } else {
        Some(items)
    };
    ProjectModel {
        id: Some(format!("/projects/{}", p.project_id)).into(),
        name: p.name.clone(),
        project_id: Some(p.project_id).into(),
        registry_id: p.registry_id.filter(|r| *r > 0).into(),
        public: Some(meta_bool(&m.public, false)),
        vulnerability_scanning: Some(meta_bool(&m.auto_scan, false)),
        vulnerability_scanner: scanner.into(),
        storage_quota: Some(storage_bytes.map(bytes_to_gib).unwrap_or(-1)),
        cve_allowlist: allowlist,
        enable_content_trust: Some(meta_bool(&m.enable_content_trust, false)),
        enable_content_trust_cosign: Some(meta_bool(&m.enable_content_trust_cosign, false)),
        auto_sbom_generation: Some(meta_bool(&m.auto_sbom_generation, false)),
        deployment_security: deployment,
        force_destroy: Some(prior.and_then(|p| p.force_destroy).unwrap_or(false)),
        proxy_speed_kb: Some(
            m.proxy_speed_kb
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1),
        ),
        proxy_cache_local_on_not_found: Some(meta_bool(&m.proxy_cache_local_on_not_found, false)),
    }
}

fn project_ref(state: &ProjectModel) -> Option<ProjectRef> {
    state.project_id.value().copied().map(ProjectRef::Id)
}

/// The project a state names: by id, or, for a create left unsettled (no id, see
/// `unsettled_create`), the project Harbor has by that name with what was sent.
async fn locate(
    h: &HarborContext,
    state: &ProjectModel,
) -> Result<Option<ProjectRef>, Diagnostics> {
    if let Some(r) = project_ref(state) {
        return Ok(Some(r));
    }
    let found = h
        .client
        .find_created_project(&create_request(state))
        .await
        .map_err(|e| api_diag("Could not look up project", &state.name, &e))?;
    Ok(found.map(ProjectRef::Id))
}

/// `POST /projects` for a planned project; also what a later read matches an unsettled create
/// against.
fn create_request(planned: &ProjectModel) -> ProjectReq {
    let registry_id = planned.registry_id.value().copied();
    ProjectReq {
        project_name: Some(planned.name.clone()),
        metadata: Some(metadata_from(planned, registry_id.is_some())),
        // Harbor ignores an allowlist in `POST /projects` (its `CreateProject` handler keeps
        // name, owner, registry and metadata; the controller creates an empty allowlist), so
        // create sets it with a PUT afterwards.
        cve_allowlist: None,
        storage_limit: Some(gib_to_bytes(planned.storage_quota.unwrap_or(-1))),
        registry_id,
        ..Default::default()
    }
}

impl ProjectResource {
    /// Reads the project and its quota (and its scanner when managed); `None` when it is gone.
    async fn fetch(
        &self,
        h: &HarborContext,
        r: &ProjectRef,
        with_scanner: bool,
        prior: Option<&ProjectModel>,
    ) -> Result<Option<ProjectModel>, Diagnostics> {
        // By id, the project and its quota are read at once, each batched with the reads
        // running beside it (`harbor/batch.rs`); by name (import), the quota needs the id first.
        let (project, storage) = match r {
            ProjectRef::Id(id) => {
                tokio::join!(
                    h.client.read_project(*id),
                    h.client.read_project_storage(*id)
                )
            }
            ProjectRef::Name(_) => match h.client.get_project(r).await {
                Ok(p) => {
                    let storage = h
                        .client
                        .project_summary(&ProjectRef::Id(p.project_id))
                        .await
                        .map(|s| s.quota.and_then(|q| q.hard.storage));
                    (Ok(p), storage)
                }
                Err(e) => (Err(e), Ok(None)),
            },
        };
        let Some(project) = not_found_is_none(project)
            .map_err(|e| api_diag("Could not read project", &r.to_string(), &e))?
        else {
            return Ok(None);
        };
        let id = ProjectRef::Id(project.project_id);
        let storage = storage
            .map_err(|e| api_diag("Could not read the quota of project", &project.name, &e))?;
        let scanner = if with_scanner {
            let s = h.client.get_project_scanner(&id).await.map_err(|e| {
                api_diag("Could not read the scanner of project", &project.name, &e)
            })?;
            s.map(|s| s.name)
        } else {
            None
        };
        Ok(Some(to_state(&project, storage, scanner, prior)))
    }

    async fn set_scanner(
        &self,
        h: &HarborContext,
        r: &ProjectRef,
        name: &str,
    ) -> Result<(), Diagnostics> {
        let scanners = h
            .client
            .list_scanners()
            .await
            .map_err(|e| api_diag("Could not list scanners for project", &r.to_string(), &e))?;
        let Some(s) = scanners.iter().find(|s| s.name == name) else {
            let names: Vec<&str> = scanners.iter().map(|s| s.name.as_str()).collect();
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("vulnerability_scanner"),
                format!("No scanner named {name:?}"),
                format!("Harbor has these scanner registrations: {}. Use one of them, or register the scanner first.", names.join(", ")),
            );
            return Err(d);
        };
        h.client
            .set_project_scanner(r, &s.uuid)
            .await
            .map_err(|e| api_diag("Could not set the scanner of project", &r.to_string(), &e))
    }

    async fn set_quota(
        &self,
        h: &HarborContext,
        project_id: i64,
        name: &str,
        gib: i64,
    ) -> Result<(), Diagnostics> {
        let quotas = h
            .client
            .list_project_quotas(project_id)
            .await
            .map_err(|e| quota_diag(name, &e))?;
        let Some(q) = quotas.first() else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("storage_quota"),
                format!("Project {name} has no quota"),
                "Harbor creates project quotas only while `quota_per_project_enable` is on. Turn it on in Harbor's configuration, or leave `storage_quota` at -1.",
            );
            return Err(d);
        };
        h.client
            .update_quota_storage(q.id, gib_to_bytes(gib))
            .await
            .map_err(|e| quota_diag(name, &e))
    }
}

fn quota_diag(name: &str, e: &harbor::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    let hint = if e.is_forbidden() {
        " Changing quotas needs system-level access: use an admin, or a system robot with quota read, list and update permissions."
    } else {
        ""
    };
    d.attr_error(
        AttributePath::attr("storage_quota"),
        format!("Could not set the storage quota of project {name}"),
        format!("{e}.{hint}"),
    );
    d
}

#[async_trait]
impl Resource<HarborContext> for ProjectResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/projects/{project_id}")
                .describe("project_id", "The project's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_project"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<ProjectModel>(&ty)
                .and_then(|()| model::check_view::<ProjectPlanView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<ProjectPlanView>(config, diags) else {
            return;
        };
        // Proxy-only settings without a proxy: Harbor drops them silently, so refuse them here.
        if config.registry_id.is_null() {
            if config.proxy_speed_kb.value().is_some_and(|v| *v != -1.0) {
                diags.attr_error(
                    AttributePath::attr("proxy_speed_kb"),
                    "proxy_speed_kb needs registry_id",
                    "`proxy_speed_kb` applies only to proxy-cache projects. Set `registry_id` to the upstream registry, or remove `proxy_speed_kb`.",
                );
            }
            if config.proxy_cache_local_on_not_found.value() == Some(&true) {
                diags.attr_error(
                    AttributePath::attr("proxy_cache_local_on_not_found"),
                    "proxy_cache_local_on_not_found needs registry_id",
                    "`proxy_cache_local_on_not_found` applies only to proxy-cache projects. Set `registry_id`, or remove it.",
                );
            }
        }
    }

    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        let Some(h) = ctx.data else { return };
        let Some(planned) = model::read_view::<ProjectPlanView>(ctx.planned, ctx.diags) else {
            return;
        };
        let gates = [
            (
                "auto_sbom_generation",
                Feature::AutoSbomGeneration,
                planned.auto_sbom_generation.value() == Some(&true),
            ),
            (
                "proxy_speed_kb",
                Feature::ProxySpeedKb,
                planned.proxy_speed_kb.value().is_some_and(|v| *v != -1.0),
            ),
            (
                "proxy_cache_local_on_not_found",
                Feature::ProxyCacheLocalOnNotFound,
                planned.proxy_cache_local_on_not_found.value() == Some(&true),
            ),
        ];
        for (attr, feature, used) in gates {
            if used && !h.supports(feature) {
                let have = h.version.map(|v| v.to_string()).unwrap_or_default();
                ctx.diags.attr_error(
                    AttributePath::attr(attr),
                    format!(
                        "{attr} needs Harbor {} or later",
                        feature.min_version_text()
                    ),
                    format!("The connected Harbor is {have}. Remove `{attr}` or upgrade Harbor."),
                );
            }
        }
    }

    /// goharbor/harbor's state (version 0): its unset values become nulls.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(
                &mut raw,
                &[
                    "deployment_security",
                    "vulnerability_scanner",
                    "registry_id",
                    "cve_allowlist",
                ],
                &[],
            );
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectModel = model::from_value(state)?;
        let Some(r) = locate(h, &state).await? else {
            return Ok(None);
        };
        let with_scanner = !state.vulnerability_scanner.is_null();
        match self.fetch(h, &r, with_scanner, Some(&state)).await? {
            Some(found) => Ok(Some(found.to_value()?)),
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned_value: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: ProjectModel = model::from_value(planned_value)?;
        let name = planned.name.clone();
        let req = create_request(&planned);
        let id = h.client.create_project(&req).await.map_err(|e| {
            let mut d = api_diag("Could not create project", &name, &e);
            if e.is_unsettled() {
                return super::unsettled_create(d, "project", planned_value);
            }
            if e.is_conflict() {
                d.attr_error(
                    AttributePath::attr("name"),
                    format!("Project {name} already exists in Harbor"),
                    format!("Import it with `terraform import <address> {name}` to manage it here, or choose another name."),
                );
            }
            d.into()
        })?;
        let mut state = ProjectModel {
            id: Some(format!("/projects/{id}")).into(),
            project_id: Some(id).into(),
            registry_id: planned.registry_id.value().copied().into(),
            vulnerability_scanner: match &planned.vulnerability_scanner {
                Known::Unknown => None.into(),
                known => known.clone(),
            },
            ..planned.clone()
        };
        let items = allowlist_items(&planned);
        if !items.is_empty() {
            let req = ProjectReq {
                cve_allowlist: Some(CveAllowlist {
                    items,
                    project_id: Some(id),
                    ..Default::default()
                }),
                ..Default::default()
            };
            if let Err(e) = h.client.update_project(&ProjectRef::Id(id), &req).await {
                // The project exists: keep it in state (tainted), without the allowlist it lacks.
                let mut d = api_diag("Could not set the CVE allowlist of project", &name, &e);
                d.attr_error(
                    AttributePath::attr("cve_allowlist"),
                    format!("Project {name} was created without its CVE allowlist"),
                    "Harbor sets a project's allowlist only by an update after creating it, and that update failed. The project is kept in state as tainted: the next apply replaces it, or run `terraform untaint` and apply to only set the allowlist.",
                );
                state.cve_allowlist = None;
                return Err(ApplyError {
                    diags: d,
                    partial_state: Some(state.to_value()?),
                });
            }
        }
        if let Some(scanner) = planned.vulnerability_scanner.value()
            && let Err(d) = self.set_scanner(h, &ProjectRef::Id(id), scanner).await
        {
            state.vulnerability_scanner = None.into();
            return Err(ApplyError {
                diags: d,
                partial_state: Some(state.to_value()?),
            });
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
        let prior: ProjectModel = model::from_value(prior)?;
        let planned: ProjectModel = model::from_value(planned)?;
        let id = prior.project_id.value().copied().unwrap_or_default();
        let r = ProjectRef::Id(id);
        let name = planned.name.clone();
        let proxy = planned.registry_id.value().is_some();
        if planned.metadata_differs(&prior) {
            let req = ProjectReq {
                metadata: Some(metadata_from(&planned, proxy)),
                cve_allowlist: Some(CveAllowlist {
                    items: allowlist_items(&planned),
                    project_id: Some(id),
                    ..Default::default()
                }),
                ..Default::default()
            };
            h.client
                .update_project(&r, &req)
                .await
                .map_err(|e| api_diag("Could not update project", &name, &e))?;
            // Harbor merges metadata on PUT: keys we no longer want must be deleted explicitly.
            if prior.severity().is_some() && planned.severity().is_none() {
                h.client
                    .delete_project_metadata(&r, "severity")
                    .await
                    .map_err(|e| {
                        api_diag("Could not clear deployment_security of project", &name, &e)
                    })?;
            }
            if !planned.proxy_flag() && prior.proxy_flag() {
                h.client
                    .delete_project_metadata(&r, "proxy_cache_local_on_not_found")
                    .await
                    .map_err(|e| {
                        api_diag(
                            "Could not clear proxy_cache_local_on_not_found of project",
                            &name,
                            &e,
                        )
                    })?;
            }
        }
        if planned.storage_quota != prior.storage_quota {
            self.set_quota(h, id, &name, planned.storage_quota.unwrap_or(-1))
                .await?;
        }
        if planned.vulnerability_scanner != prior.vulnerability_scanner
            && let Some(s) = planned.vulnerability_scanner.value()
        {
            self.set_scanner(h, &r, s).await?;
        }
        Ok(planned.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectModel = model::from_value(prior)?;
        let Some(r) = locate(h, &prior).await? else {
            return Ok(());
        };
        let name = prior.name.clone();
        match h.client.delete_project(&r).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_precondition_failed() && prior.force_destroy == Some(true) => {
                let repos =
                    h.client.list_repositories(&name).await.map_err(|e| {
                        api_diag("Could not list repositories of project", &name, &e)
                    })?;
                for repo in repos {
                    let short = repo
                        .name
                        .strip_prefix(&format!("{name}/"))
                        .unwrap_or(&repo.name)
                        .to_string();
                    h.client
                        .delete_repository(&name, &short)
                        .await
                        .map_err(|e| {
                            api_diag("Could not delete a repository of project", &name, &e)
                        })?;
                }
                h.client
                    .delete_project(&r)
                    .await
                    .map_err(|e| api_diag("Could not delete project", &name, &e))
            }
            Err(e) if e.is_precondition_failed() => {
                let mut d = Diagnostics::new();
                d.attr_error(
                    AttributePath::attr("force_destroy"),
                    format!("Project {name} still holds repositories"),
                    format!("{e}. Harbor deletes only empty projects. Set `force_destroy = true` (and apply) to delete its repositories with it, or delete them first."),
                );
                Err(d)
            }
            Err(e) => Err(api_diag("Could not delete project", &name, &e)),
        }
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let r = parse_import_id(id, "/projects/").map_err(|msg| {
            let mut d = Diagnostics::new();
            d.error(
                "Invalid import id for harbor_project",
                format!("{msg} Use the project name, its numeric id, or `/projects/<id>`."),
            );
            d
        })?;
        let r = match r {
            super::ImportRef::Id(i) => ProjectRef::Id(i),
            super::ImportRef::Name(n) => ProjectRef::Name(n),
        };
        match self.fetch(h, &r, true, None).await? {
            Some(found) => Ok(found.to_value()?),
            None => {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Cannot import project {id}"),
                    format!("Harbor has no project {id}. Check the name or id."),
                );
                Err(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::GIB;

    #[test]
    fn project_names_follow_harbor_rules() {
        for ok in ["a", "team-a", "team.a_b-c", "0", "a1b2"] {
            assert!(valid_project_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Team",
            "-a",
            "a-",
            "a--b",
            "a..b",
            "a b",
            "a/b",
            &"a".repeat(256),
        ] {
            assert!(!valid_project_name(bad), "{bad}");
        }
    }

    #[test]
    fn quota_converts_gib_and_unlimited() {
        assert_eq!(gib_to_bytes(-1), -1);
        assert_eq!(gib_to_bytes(2), 2 * GIB);
        assert_eq!(bytes_to_gib(2 * GIB), 2);
        assert_eq!(bytes_to_gib(-1), -1);
    }

    #[test]
    fn removing_deployment_security_turns_prevent_vul_off() {
        let mut v: ProjectModel =
            model::from_value(&model::sample_value(&ProjectResource::schema().ty())).unwrap();
        v.deployment_security = Some("high".into());
        let m = metadata_from(&v, false);
        assert_eq!(
            (m.prevent_vul.as_deref(), m.severity.as_deref()),
            (Some("true"), Some("high"))
        );
        v.deployment_security = Some(String::new());
        let m = metadata_from(&v, false);
        assert_eq!(
            (m.prevent_vul.as_deref(), m.severity),
            (Some("false"), None)
        );
        assert_eq!(
            m.proxy_speed_kb, None,
            "proxy-only keys are not sent for normal projects"
        );
    }

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
