//! `harbor_registry`: a registry endpoint, the other end of replication and proxy caches.
//! goharbor/harbor's HCL works unchanged; unlike it, `provider_name` is checked at plan time,
//! `endpoint_url` may be left out where Harbor fixes it, URL normalisation never shows as a diff,
//! and credentials (`access_id`, `access_secret`, `endpoint_url`) update in place.
//! After an import the state holds Harbor's spelling of the URL; a configuration spelling it
//! differently plans one update, which sends nothing (URLs are compared normalised).
//!
//! Harbor masks the secret on read (`*****`), so drift of the secret cannot be seen: the state
//! keeps what was last applied, and a changed `access_secret` (or `access_secret_wo_version`) is
//! sent in place.
//!
//! Requests: read = `GET /registries/{id}`; create = `POST /registries` + `GET` (status and the
//! URL Harbor settled on); update = `PUT /registries/{id}` with only the changed fields;
//! delete = `DELETE /registries/{id}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::models::{Registry, RegistryCredential, RegistryUpdate};
use crate::harbor::{Feature, Secret, normalize_url};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{api_diag, import_not_found, not_found_is_none, numeric_import_id};

pub struct RegistryResource;

/// goharbor/harbor's friendly provider names and Harbor's own type names, mapped to Harbor's types.
pub const PROVIDERS: &[(&str, &str)] = &[
    ("alibaba", "ali-acr"),
    ("aws", "aws-ecr"),
    ("azure", "azure-acr"),
    ("docker-hub", "docker-hub"),
    ("docker-registry", "docker-registry"),
    ("gitlab", "gitlab"),
    ("github", "github-ghcr"),
    ("google", "google-gcr"),
    ("harbor", "harbor"),
    ("huawei", "huawei-SWR"),
    ("jfrog", "jfrog-artifactory"),
    ("quay", "quay"),
    ("tencent", "tencent-tcr"),
    ("volcengine", "volcengine-cr"),
    ("dtr", "dtr"),
    ("ali-acr", "ali-acr"),
    ("aws-ecr", "aws-ecr"),
    ("azure-acr", "azure-acr"),
    ("github-ghcr", "github-ghcr"),
    ("google-gcr", "google-gcr"),
    ("huawei-SWR", "huawei-SWR"),
    ("jfrog-artifactory", "jfrog-artifactory"),
    ("tencent-tcr", "tencent-tcr"),
    ("volcengine-cr", "volcengine-cr"),
];

/// Types whose URL Harbor fixes, so `endpoint_url` may be left out.
const FIXED_URLS: &[(&str, &str)] = &[
    ("docker-hub", "https://hub.docker.com"),
    ("github-ghcr", "https://ghcr.io"),
];

pub fn harbor_type(provider_name: &str) -> Option<&'static str> {
    PROVIDERS
        .iter()
        .find(|(n, _)| *n == provider_name)
        .map(|(_, t)| *t)
}

/// The friendly name goharbor/harbor would show for a Harbor type (used on import).
fn friendly_name(harbor_type: &str) -> String {
    PROVIDERS
        .iter()
        .find(|(_, t)| *t == harbor_type)
        .map(|(n, _)| n.to_string())
        .unwrap_or_else(|| harbor_type.to_string())
}

impl RegistryResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new("A registry endpoint: a remote registry that replication policies push to or pull from, or that a proxy-cache project mirrors.")
                .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The registry's API path, `/registries/<registry_id>`."))
                .attr(Attribute::number("registry_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the registry."))
                .attr(
                    Attribute::string("provider_name")
                        .required()
                        .requires_replace()
                        .describe(
                            "The kind of registry: `harbor`, `docker-hub`, `docker-registry`, `github`, `aws`, `azure`, `google`, `alibaba`, `huawei`, `jfrog`, `quay`, `gitlab`, `tencent`, `volcengine`, `dtr`, or Harbor's own type name. Changing it replaces the registry.",
                        )
                        .validate(std::sync::Arc::new(|v, path, diags| {
                            if let Some(p) = v.as_str()
                                && harbor_type(p).is_none()
                            {
                                let names: Vec<&str> = PROVIDERS.iter().take(15).map(|(n, _)| *n).collect();
                                diags.attr_error(
                                    path.clone(),
                                    format!("Unknown provider_name {p:?}"),
                                    format!("Harbor supports these registry providers: {}. (`helm` and `artifact-hub` have no replication adapter in Harbor 2.x.)", names.join(", ")),
                                );
                            }
                        })),
                )
                .attr(Attribute::string("name").required().describe("The endpoint's name in Harbor (unique, at most 64 characters).").validate(std::sync::Arc::new(|v, path, diags| {
                    if let Some(n) = v.as_str()
                        && (n.trim().is_empty() || n.chars().count() > 64)
                    {
                        diags.attr_error(path.clone(), format!("Invalid registry name {n:?}"), "Use 1 to 64 characters.");
                    }
                })))
                .attr(Attribute::string("endpoint_url").optional_computed().describe("The registry's URL. Optional for `docker-hub` and `github`, whose URLs Harbor fixes. Harbor's normalisation (trailing `/`, added `http://`) never shows as a change."))
                .attr(Attribute::string("description").default("").describe("A description."))
                .attr(Attribute::string("access_id").default("").describe("User name or access key for the remote registry."))
                .attr(Attribute::string("access_secret").default("").sensitive().describe("Password or secret for the remote registry. Harbor never returns it, so it is not drift-checked; changing it updates the registry in place."))
                .attr(Attribute::string("access_secret_wo").optional().sensitive().write_only().describe("The secret, write-only: never stored in plan or state (Terraform 1.11+). Bump `access_secret_wo_version` to apply a new value."))
                .attr(Attribute::number("access_secret_wo_version").optional().describe("Change this number to apply a new `access_secret_wo`."))
                .attr(Attribute::bool("insecure").default(false).describe("Skip verification of the remote registry's TLS certificate."))
                .attr(Attribute::string("ca_certificate").optional().describe("PEM of the CA that signed the remote registry's certificate. Harbor 2.15 and later."))
                .attr(Attribute::string("status").computed().use_state_for_unknown().describe("Harbor's last health check of the endpoint: `healthy` or `unhealthy`.")),
        )
    }
}

/// The resource's state and plan. Arguments with a default are `Option`: a state written by
/// goharbor/harbor may hold null there. `access_secret_wo` is write-only: null except in a
/// configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryModel {
    pub id: Known<Option<String>>,
    pub registry_id: Known<Option<i64>>,
    pub provider_name: String,
    pub name: String,
    pub endpoint_url: Known<Option<String>>,
    pub description: Option<String>,
    pub access_id: Option<String>,
    pub access_secret: Option<String>,
    pub access_secret_wo: Option<String>,
    pub access_secret_wo_version: Option<i64>,
    pub insecure: Option<bool>,
    pub ca_certificate: Option<String>,
    pub status: Known<Option<String>>,
}

/// What `validate` and `modify_plan` look at, in configurations and plans where any of it may
/// still be unknown.
#[derive(Debug, Serialize, Deserialize)]
struct RegistryPlanView {
    provider_name: Known<Option<String>>,
    endpoint_url: Known<Option<String>>,
    access_id: Known<Option<String>>,
    access_secret: Known<Option<String>>,
    access_secret_wo: Known<Option<String>>,
    ca_certificate: Known<Option<String>>,
}

impl RegistryModel {
    pub(crate) fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &RegistryResource::schema().ty())
    }

    fn registry_type(&self) -> &'static str {
        harbor_type(&self.provider_name).unwrap_or("")
    }

    fn url(&self) -> &str {
        self.endpoint_url.value().map(String::as_str).unwrap_or("")
    }
}

/// The secret to send: the write-only one when configured, else `access_secret`.
fn secret_of(planned: &RegistryModel, config: &RegistryModel) -> String {
    config
        .access_secret_wo
        .as_ref()
        .or(planned.access_secret.as_ref())
        .cloned()
        .unwrap_or_default()
}

/// The state for a registry as Harbor returns it. `prior` supplies what Harbor does not tell:
/// the secret (Harbor masks it), the write-only version, and the user's spelling of the
/// provider and URL when they name the same thing.
pub(crate) fn to_state(r: &Registry, prior: Option<&RegistryModel>) -> RegistryModel {
    let id = r.id.unwrap_or_default();
    let same_type =
        prior.and_then(|p| harbor_type(&p.provider_name)) == Some(r.registry_type.as_str());
    // Keep the configured spelling when Harbor's normalised URL is the same address.
    let kept_url = prior
        .and_then(|p| p.endpoint_url.value())
        .filter(|u| normalize_url(u) == r.url);
    let cred = r.credential.clone().unwrap_or_default();
    RegistryModel {
        id: Some(format!("/registries/{id}")).into(),
        registry_id: Some(id).into(),
        provider_name: match prior {
            Some(p) if same_type => p.provider_name.clone(),
            _ => friendly_name(&r.registry_type),
        },
        name: r.name.clone(),
        endpoint_url: Some(kept_url.cloned().unwrap_or_else(|| r.url.clone())).into(),
        description: Some(r.description.clone().unwrap_or_default()),
        access_id: Some(cred.access_key.unwrap_or_default()),
        access_secret: Some(
            prior
                .and_then(|p| p.access_secret.clone())
                .unwrap_or_default(),
        ),
        access_secret_wo: prior.and_then(|p| p.access_secret_wo.clone()),
        access_secret_wo_version: prior.and_then(|p| p.access_secret_wo_version),
        insecure: Some(r.insecure),
        ca_certificate: r.ca_certificate.clone().filter(|c| !c.is_empty()),
        status: r.status.clone().into(),
    }
}

fn registry_diag(
    what: &str,
    name: &str,
    url: &str,
    kind: &str,
    e: &crate::harbor::Error,
) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    // Harbor builds a `harbor` adapter by asking the remote's `/api/version` first
    // (`pkg/reg/adapter/harbor/base/client.go` `NewClient`); when that fails Harbor answers with a
    // bare 500 (or the remote's own error status), never reaching its health check.
    if kind == "harbor" && e.status().is_some_and(|s| s != 400 && s != 409) {
        d.attr_error(
            AttributePath::attr("endpoint_url"),
            format!("Harbor cannot reach the registry at {url}"),
            "Before checking its health, Harbor asks the remote's /api/version, and that call failed (Harbor reports this as an \
             internal server error). Check `endpoint_url`, `insecure`/`ca_certificate`, and that Harbor (not this machine) can \
             reach the URL.",
        );
    }
    if e.status() == Some(400) && e.to_string().contains("unhealthy") {
        d.attr_error(
            AttributePath::attr("endpoint_url"),
            format!("Harbor cannot reach the registry at {url}"),
            "Harbor checks the endpoint when it is created or changed, and the check failed. Check `endpoint_url`, the credentials, \
             `insecure`/`ca_certificate`, and that Harbor (not this machine) can reach the URL.",
        );
    }
    d
}

/// Harbor's `ValidateCACertificate` (`common/http/transport.go`): blank passes; otherwise at least
/// one `CERTIFICATE` PEM block, each one a DER structure.
pub(crate) fn check_ca_pem(raw: &str) -> Result<(), String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = raw.trim();
    if pem.is_empty() {
        return Ok(());
    }
    let mut found = 0;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        match cert {
            Ok(der) if der.first() == Some(&0x30) && der.len() > 2 => found += 1,
            Ok(_) => return Err("A CERTIFICATE block does not hold a certificate".into()),
            Err(e) => return Err(format!("The PEM does not decode ({e})")),
        }
    }
    if found == 0 {
        return Err("It holds no `-----BEGIN CERTIFICATE-----` block".into());
    }
    Ok(())
}

#[async_trait]
impl Resource<HarborContext> for RegistryResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/registries/{registry_id}").describe(
                "registry_id",
                "The registry endpoint's numeric id in Harbor.",
            ),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_registry"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<RegistryModel>(&ty)
                .and_then(|()| model::check_view::<RegistryPlanView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<RegistryPlanView>(config, diags) else {
            return;
        };
        let ty = config.provider_name.value().and_then(|p| harbor_type(p));
        if config.endpoint_url.is_null()
            && ty.is_some_and(|t| !FIXED_URLS.iter().any(|(f, _)| *f == t))
        {
            diags.attr_error(
                AttributePath::attr("endpoint_url"),
                "Missing endpoint_url",
                "Set `endpoint_url` to the registry's URL; only `docker-hub` and `github` have a URL fixed by Harbor.",
            );
        }
        if let Some(url) = config.endpoint_url.value() {
            let n = normalize_url(url);
            if !(n.starts_with("http://") || n.starts_with("https://"))
                || n.split("://").nth(1).is_none_or(|h| h.is_empty())
            {
                diags.attr_error(
                    AttributePath::attr("endpoint_url"),
                    format!("Invalid endpoint_url {url:?}"),
                    "Use an http:// or https:// URL with a host.",
                );
            }
        }
        if let Some(ca) = config.ca_certificate.value()
            && let Err(why) = check_ca_pem(ca)
        {
            diags.attr_error(
                AttributePath::attr("ca_certificate"),
                "ca_certificate is not a PEM certificate",
                format!("{why}. Harbor refuses it. Paste the CA's certificate in PEM form (`-----BEGIN CERTIFICATE-----` ...), for example with `file(\"ca.pem\")`, or leave `ca_certificate` unset."),
            );
        }
        // Harbor keeps a credential only with an access key (`pkg/reg/manager.go`): a secret
        // without one is dropped silently, and the state would claim a credential Harbor lacks.
        let secret_set = config.access_secret.value().is_some_and(|s| !s.is_empty());
        let has_secret = secret_set || !config.access_secret_wo.is_null();
        let id = &config.access_id;
        if has_secret && (id.is_null() || id.value().is_some_and(|i| i.is_empty())) {
            let attr = if config.access_secret_wo.is_null() {
                "access_secret"
            } else {
                "access_secret_wo"
            };
            diags.attr_error(
                AttributePath::attr(attr),
                format!("{attr} needs access_id"),
                "Harbor stores a registry credential only together with an access id and drops a secret without one. Set `access_id` (the user name or access key), or remove the secret.",
            );
        }
        if !config.access_secret_wo.is_null() && secret_set {
            diags.attr_error(
                AttributePath::attr("access_secret_wo"),
                "access_secret and access_secret_wo conflict",
                "Set the secret in one of them, not both.",
            );
        }
    }

    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        let Some(config) = model::read_view::<RegistryPlanView>(ctx.config, ctx.diags) else {
            return;
        };
        let Some(mut planned) = model::read_view::<RegistryPlanView>(ctx.planned, ctx.diags) else {
            return;
        };
        if let Some(h) = ctx.data
            && !config.ca_certificate.is_null()
            && !h.supports(Feature::RegistryCaCertificate)
        {
            ctx.diags.attr_error(
                AttributePath::attr("ca_certificate"),
                "ca_certificate needs Harbor 2.15 or later",
                "The connected Harbor does not store registry CA certificates. Remove `ca_certificate` (and use `insecure` only if you must), or upgrade Harbor.",
            );
        }
        // A fixed URL is known at plan time; other URLs Harbor normalises are kept as configured.
        let planned_type = planned
            .provider_name
            .value()
            .and_then(|p| harbor_type(p))
            .unwrap_or("");
        if config.endpoint_url.is_null()
            && planned.endpoint_url.is_unknown()
            && let Some((_, url)) = FIXED_URLS.iter().find(|(t, _)| *t == planned_type)
        {
            planned.endpoint_url = Some(url.to_string()).into();
            if let Err(e) = model::write_view(&planned, &Self::schema().ty(), ctx.planned) {
                ctx.diags.extend(e.into());
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
                    "ca_certificate",
                    "access_secret_wo",
                    "access_secret_wo_version",
                ],
                &[],
            );
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: RegistryModel = model::from_value(state)?;
        let Some(id) = locate(h, &state).await? else {
            return Ok(None);
        };
        let r = not_found_is_none(h.client.read_registry(id).await)
            .map_err(|e| api_diag("Could not read registry", &state.name, &e))?;
        match r {
            Some(r) => Ok(Some(to_state(&r, Some(&state)).to_value()?)),
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned_value: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: RegistryModel = model::from_value(planned_value)?;
        let config: RegistryModel = model::from_value(config)?;
        let name = planned.name.clone();
        let url = planned.url().to_string();
        let body = create_request(&planned, secret_of(&planned, &config));
        let id = h.client.create_registry(&body).await.map_err(|e| {
            let mut d = registry_diag(
                "Could not create registry",
                &name,
                &url,
                planned.registry_type(),
                &e,
            );
            if e.is_unsettled() {
                return super::unsettled_create(d, "registry", planned_value);
            }
            if e.is_conflict() {
                d.attr_error(AttributePath::attr("name"), format!("Registry {name} already exists"), "Import it with `terraform import <address> <registry id>`, or choose another name.");
            }
            d.into()
        })?;
        let mut state = RegistryModel {
            id: Some(format!("/registries/{id}")).into(),
            registry_id: Some(id).into(),
            ..planned
        };
        match h.client.get_registry(id).await {
            Ok(r) => {
                if state.endpoint_url.is_unknown() {
                    state.endpoint_url = Some(r.url).into();
                }
                state.status = r.status.into();
            }
            Err(e) => {
                state.status = None.into();
                if state.endpoint_url.is_unknown() {
                    state.endpoint_url = None.into();
                }
                return Err(ApplyError {
                    diags: api_diag("Created registry, but could not read it back:", &name, &e),
                    partial_state: Some(state.to_value()?),
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
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: RegistryModel = model::from_value(prior)?;
        let planned: RegistryModel = model::from_value(planned)?;
        let config: RegistryModel = model::from_value(config)?;
        let id = prior.registry_id.value().copied().unwrap_or_default();
        let name = planned.name.clone();
        let url = planned.url().to_string();
        // Another spelling of the same address (as after an import) is no change for Harbor.
        let url_changed = planned.endpoint_url.value().map(|u| normalize_url(u))
            != prior.endpoint_url.value().map(|u| normalize_url(u));
        let secret_changed = planned.access_secret != prior.access_secret
            || planned.access_secret_wo_version != prior.access_secret_wo_version;
        let access_id_changed = planned.access_id != prior.access_id;
        // Send the secret with a URL or key change too: newer Harbor clears it otherwise.
        let send_secret = secret_changed || url_changed || access_id_changed;
        let update = RegistryUpdate {
            name: (planned.name != prior.name).then(|| name.clone()),
            description: if planned.description != prior.description {
                planned.description.clone()
            } else {
                None
            },
            url: url_changed.then(|| url.clone()),
            credential_type: send_secret.then(|| "basic".to_string()),
            access_key: if access_id_changed || send_secret {
                planned.access_id.clone()
            } else {
                None
            },
            access_secret: send_secret.then(|| Secret::new(secret_of(&planned, &config))),
            insecure: (planned.insecure != prior.insecure)
                .then(|| planned.insecure.unwrap_or(false)),
            ca_certificate: if planned.ca_certificate != prior.ca_certificate {
                Some(planned.ca_certificate.clone().unwrap_or_default())
            } else {
                None
            },
        };
        if update != RegistryUpdate::default() {
            h.client.update_registry(id, &update).await.map_err(|e| {
                registry_diag(
                    "Could not update registry",
                    &name,
                    &url,
                    planned.registry_type(),
                    &e,
                )
            })?;
        }
        Ok(planned.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: RegistryModel = model::from_value(prior)?;
        let Some(id) = locate(h, &prior).await? else {
            return Ok(());
        };
        let name = prior.name.clone();
        match h.client.delete_registry(id).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_precondition_failed() => {
                // Name the users, so the fix is obvious; these calls happen only on this failure.
                let policies = h
                    .client
                    .list_replication_policies(None)
                    .await
                    .unwrap_or_default();
                let users: Vec<String> = policies
                    .iter()
                    .filter(|p| {
                        [&p.src_registry, &p.dest_registry]
                            .iter()
                            .any(|r| r.as_ref().and_then(|r| r.id) == Some(id))
                    })
                    .map(|p| format!("replication policy {:?}", p.name))
                    .chain(
                        h.client
                            .list_projects(&Default::default())
                            .await
                            .unwrap_or_default()
                            .iter()
                            .filter(|p| p.registry_id == Some(id))
                            .map(|p| format!("proxy-cache project {:?}", p.name)),
                    )
                    .collect();
                let mut d = Diagnostics::new();
                d.error(
                    format!("Registry {name} is still in use"),
                    format!(
                        "{e}. Used by: {}. Delete or change those first (in Terraform, reference `harbor_registry.<name>.registry_id` from them so the order follows).",
                        if users.is_empty() { "(Harbor did not say)".to_string() } else { users.join(", ") }
                    ),
                );
                Err(d)
            }
            Err(e) => Err(api_diag("Could not delete registry", &name, &e)),
        }
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let rid = numeric_import_id(id, "/registries/", "harbor_registry", "registry")?;
        match not_found_is_none(h.client.get_registry(rid).await)
            .map_err(|e| api_diag("Could not read registry", id, &e))?
        {
            Some(r) => Ok(to_state(&r, None).to_value()?),
            None => Err(import_not_found("registry", id)),
        }
    }
}

/// `POST /registries` for a planned registry; also what a later read matches an unsettled
/// create against (name, type and URL; the secret plays no part there).
fn create_request(planned: &RegistryModel, secret: String) -> Registry {
    Registry {
        name: planned.name.clone(),
        url: planned.url().to_string(),
        registry_type: planned.registry_type().to_string(),
        credential: Some(RegistryCredential {
            credential_type: Some("basic".into()),
            access_key: Some(planned.access_id.clone().unwrap_or_default()),
            access_secret: Some(Secret::new(secret)),
        }),
        insecure: planned.insecure.unwrap_or(false),
        ca_certificate: planned.ca_certificate.clone(),
        description: planned.description.clone(),
        ..Default::default()
    }
}

/// The registry a state names: by id, or, for a create left unsettled (no id, see
/// `unsettled_create`), the registry Harbor has with that name, type and URL.
async fn locate(h: &HarborContext, state: &RegistryModel) -> Result<Option<i64>, Diagnostics> {
    if let Some(&id) = state.registry_id.value() {
        return Ok(Some(id));
    }
    h.client
        .find_created_registry(&create_request(state, String::new()))
        .await
        .map_err(|e| api_diag("Could not look up registry", &state.name, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            RegistryResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    /// A `harbor` remote whose `/api/version` cannot be reached makes Harbor answer 500; the error
    /// then names `endpoint_url` and says what Harbor tried. Other types and statuses do not.
    #[test]
    fn harbor_remote_500_names_the_endpoint() {
        let e = crate::harbor::Error::Api {
            status: 500,
            code: Some("UNKNOWN".into()),
            message: "internal server error".into(),
            request_id: None,
            method: "POST".into(),
            path: "/registries".into(),
        };
        let endpoint = |d: &Diagnostics| {
            d.0.iter()
                .any(|x| x.path == Some(AttributePath::attr("endpoint_url")))
        };
        let d = registry_diag("Could not create registry", "r", "http://h", "harbor", &e);
        assert!(endpoint(&d), "{:?}", d.0);
        assert!(d.0.iter().any(|x| x.detail.contains("/api/version")));
        let d = registry_diag(
            "Could not create registry",
            "r",
            "http://h",
            "docker-hub",
            &e,
        );
        assert!(!endpoint(&d), "{:?}", d.0);
    }

    #[test]
    fn friendly_names_map_to_harbor_types() {
        assert_eq!(harbor_type("github"), Some("github-ghcr"));
        assert_eq!(harbor_type("aws-ecr"), Some("aws-ecr"));
        assert_eq!(harbor_type("helm"), None);
        assert_eq!(friendly_name("github-ghcr"), "github");
    }

    #[test]
    fn normalised_urls_keep_the_configured_spelling() {
        let mut prior: RegistryModel =
            model::from_value(&model::sample_value(&RegistryResource::schema().ty())).unwrap();
        prior.endpoint_url = Some("https://replica.example.com/".to_string()).into();
        prior.provider_name = "harbor".into();
        let r = Registry {
            id: Some(3),
            url: "https://replica.example.com".into(),
            registry_type: "harbor".into(),
            ..Default::default()
        };
        let v = to_state(&r, Some(&prior));
        assert_eq!(
            v.endpoint_url.value().map(String::as_str),
            Some("https://replica.example.com/")
        );
        assert_eq!(v.provider_name, "harbor");
    }
}
