//! `harbor_scanner`: a scanner adapter registered in Harbor (Trivy, Grype, or any adapter
//! speaking Harbor's pluggable scanner API). goharbor/harbor has no such resource.
//!
//! Harbor asks the adapter for its metadata (`GET {url}/api/v1/metadata`) before it registers
//! it, and answers 500 when the adapter is unreachable or its answer is not valid; updates are
//! not checked. Harbor never returns the credential, so `access_credential` is kept as
//! configured (drift in it cannot be seen). Harbor always has at most one default scanner and
//! cannot unset one: another must be made the default (`SetRegistrationByDefault` in
//! src/controller/scanner/base_controller.go), and the default cannot be disabled.
//!
//! Requests: create = `POST /scanners`, then `PATCH /scanners/{uuid}` (`is_default`) when
//! `default = true`, then `GET /scanners/{uuid}`; read = that GET (by name with `ex_name` when a
//! lost create left no uuid); update = `PUT /scanners/{uuid}` when a registration field changes,
//! the PATCH when it must become the default, then the GET; delete = `DELETE /scanners/{uuid}`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::models::ScannerRegistration;
use crate::harbor::{ScannerRegistrationReq, Secret};
use crate::schema::def::validators;
use crate::schema::identity::IdentityTemplate;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{api_diag, import_not_found, not_found_is_none, unsettled_create};

pub struct ScannerResource;

const PATH: &str = "/scanners/";

/// Harbor's auth types; `None` is Harbor's empty string.
/// Harbor's `Registration.Validate` accepts `APIKey` for the key header, not the header's name
/// `X-ScannerAdapter-API-Key` that its swagger's description lists (a real Harbor v2.15.2 refused that).
const AUTH_TYPES: &[&str] = &["None", "Basic", "Bearer", "APIKey"];

/// The resource's state and plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScannerModel {
    pub id: Known<Option<String>>,
    pub uuid: Known<Option<String>>,
    pub name: String,
    pub description: String,
    pub url: String,
    pub auth: String,
    pub access_credential: Option<String>,
    pub access_credential_wo: Option<String>,
    pub access_credential_wo_version: Option<i64>,
    pub skip_cert_verify: bool,
    pub use_internal_addr: bool,
    pub disabled: bool,
    pub default: Known<Option<bool>>,
}

/// What validation and planning look at; any of it may be unknown until apply.
#[derive(Debug, Serialize, Deserialize)]
struct ScannerPlanView {
    name: Known<Option<String>>,
    auth: Known<Option<String>>,
    access_credential: Known<Option<String>>,
    access_credential_wo: Known<Option<String>>,
    access_credential_wo_version: Known<Option<f64>>,
    disabled: Known<Option<bool>>,
    default: Known<Option<bool>>,
}

/// Harbor's `lib.ValidateHTTPURL` as far as it changes a valid URL: spaces and trailing slashes
/// go, a URL without a scheme gets `http://`.
fn normalize(url: &str) -> String {
    let u = url.trim().trim_end_matches('/');
    if u.contains("://") {
        u.to_string()
    } else {
        format!("http://{u}")
    }
}

impl ScannerModel {
    /// The state for a registration as Harbor returns it. The credential (never returned) and
    /// the URL as written (when Harbor's is its normal form) come from `prior`.
    fn from_harbor(r: &ScannerRegistration, prior: Option<&ScannerModel>) -> Self {
        let url = match prior {
            Some(p) if normalize(&p.url) == r.url => p.url.clone(),
            _ => r.url.clone(),
        };
        let auth = match r.auth.as_deref().unwrap_or("") {
            "" => "None".to_string(),
            a => a.to_string(),
        };
        ScannerModel {
            id: Some(format!("{PATH}{}", r.uuid)).into(),
            uuid: Some(r.uuid.clone()).into(),
            name: r.name.clone(),
            description: r.description.clone().unwrap_or_default(),
            url,
            auth,
            access_credential: prior.and_then(|p| p.access_credential.clone()),
            access_credential_wo: None,
            access_credential_wo_version: prior.and_then(|p| p.access_credential_wo_version),
            skip_cert_verify: r.skip_cert_verify,
            use_internal_addr: r.use_internal_addr,
            disabled: r.disabled,
            default: Some(r.is_default).into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ScannerResource::schema().ty())
    }

    /// The registration to send; the credential is the configured one, or the write-only one
    /// from the configuration (write-only values reach the provider only there).
    fn to_harbor(&self, config: &Value) -> ScannerRegistrationReq {
        let write_only = model::from_value::<ScannerPlanView>(config)
            .ok()
            .and_then(|c| c.access_credential_wo.value().cloned());
        let credential = self
            .access_credential
            .clone()
            .or(write_only)
            .unwrap_or_default();
        let auth = if self.auth == "None" {
            String::new()
        } else {
            self.auth.clone()
        };
        ScannerRegistrationReq {
            name: self.name.clone(),
            description: self.description.clone(),
            url: self.url.clone(),
            access_credential: Secret::new(if auth.is_empty() {
                String::new()
            } else {
                credential
            }),
            auth,
            skip_cert_verify: self.skip_cert_verify,
            use_internal_addr: self.use_internal_addr,
            disabled: self.disabled,
        }
    }

    fn uuid(&self) -> Option<String> {
        self.uuid.value().cloned().or_else(|| {
            self.id
                .value()
                .and_then(|i| i.strip_prefix(PATH))
                .map(str::to_string)
        })
    }
}

fn name_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let Some(name) = v.as_str() {
            if name.is_empty() || name.len() > 128 {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid scanner name {name:?}"),
                    "Harbor accepts a name of 1 to 128 characters.",
                );
            } else if name == "Trivy" {
                diags.attr_error(
                    path.clone(),
                    "The scanner name \"Trivy\" is reserved",
                    "Harbor keeps the name `Trivy` for its built-in adapter and refuses it for any other (`isReservedName`). Choose another name, such as `trivy-external`.",
                );
            }
        }
    })
}

fn url_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let Some(url) = v.as_str() {
            let n = normalize(url);
            let host = n.split("://").nth(1).unwrap_or("");
            if !(n.starts_with("http://") || n.starts_with("https://"))
                || host.is_empty()
                || host.starts_with('/')
            {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid scanner url {url:?}"),
                    "Use the adapter's base URL with http:// or https:// and a host, e.g. `http://harbor-scanner-trivy:8080`.",
                );
            }
        }
    })
}

fn scanner_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            "Scanners need system-level access",
            "Use an admin account, or a system robot with the scanner permissions (create, read, update, delete).",
        );
    }
    d
}

impl ScannerResource {
    pub fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(
                "A scanner adapter registered in Harbor: Trivy, Grype, or any adapter speaking Harbor's pluggable scanner \
                 API. Harbor asks the adapter for its metadata (`GET <url>/api/v1/metadata`) before registering it, so the \
                 adapter must be up when this resource is created. Harbor never returns the credential: it is kept as \
                 configured, and a change made to it outside Terraform cannot be seen. Import with `/scanners/<uuid>`. \
                 Harbor has one default scanner and has no way to unset it: another scanner must be made the default. \
                 Set `default = true` on one scanner only, and do not also set `harbor_interrogation_services.default_scanner` \
                 to another scanner (the two would undo each other). Destroying the default scanner leaves Harbor \
                 without one: scanning, and scan-all, stop until another is made the default. The built-in `Trivy` \
                 registration cannot be changed or deleted (Harbor answers 403); its name is reserved.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The registration's API path, `/scanners/<uuid>`."))
            .attr(Attribute::string("uuid").computed().use_state_for_unknown().describe("Harbor's id of the registration."))
            .attr(
                Attribute::string("name")
                    .required()
                    .describe("The registration's name, unique in Harbor. `Trivy` is reserved for the built-in adapter.")
                    .validate(name_validator()),
            )
            .attr(Attribute::string("description").optional().default("").describe("A description."))
            .attr(
                Attribute::string("url")
                    .required()
                    .describe("The adapter's base URL, e.g. `http://harbor-scanner-trivy:8080`; unique in Harbor. Harbor must reach it when the scanner is created.")
                    .validate(url_validator()),
            )
            .attr(
                Attribute::string("auth")
                    .optional()
                    .default("None")
                    .describe("How Harbor authenticates to the adapter: `None`, `Basic` (the credential is `user:password`), `Bearer` (a token) or `APIKey` (a key Harbor sends in the `X-ScannerAdapter-API-Key` header). Every type but `None` needs a credential.")
                    .validate(validators::one_of(AUTH_TYPES)),
            )
            .attr(Attribute::string("access_credential").optional().sensitive().describe("The credential for `auth`, stored in state (sensitive). Conflicts with `access_credential_wo`."))
            .attr(Attribute::string("access_credential_wo").optional().sensitive().write_only().describe("The credential, write-only: never stored in plan or state (Terraform 1.11 and later). Set with `access_credential_wo_version`; bump the version to send a new value."))
            .attr(Attribute::number("access_credential_wo_version").optional().describe("Change this number to send a new `access_credential_wo`."))
            .attr(Attribute::bool("skip_cert_verify").optional().default(false).describe("Whether Harbor skips verifying the adapter's TLS certificate."))
            .attr(Attribute::bool("use_internal_addr").optional().default(false).describe("Whether the adapter pulls artifacts through Harbor's internal registry address instead of its external URL."))
            .attr(Attribute::bool("disabled").optional().default(false).describe("Whether the registration is disabled. Harbor refuses to disable its default scanner."))
            .attr(
                Attribute::bool("default")
                    .optional_computed()
                    .describe("`true` makes this Harbor's default scanner (and puts it back if another is made the default outside Terraform). Unset, it reads whether Harbor has it as the default. `false` says it must not be: Harbor cannot unset a default, so a plan where this scanner is the default fails until another is made the default."),
            ),
        )
    }

    async fn fetch(
        &self,
        h: &HarborContext,
        uuid: &str,
        name: &str,
        prior: Option<&ScannerModel>,
    ) -> Result<Option<ScannerModel>, Diagnostics> {
        let r = not_found_is_none(h.client.get_scanner(uuid).await)
            .map_err(|e| scanner_diag("Could not read scanner", name, &e))?;
        Ok(r.map(|r| ScannerModel::from_harbor(&r, prior)))
    }

    async fn make_default(
        &self,
        h: &HarborContext,
        uuid: &str,
        name: &str,
    ) -> Result<(), Diagnostics> {
        h.client.set_default_scanner(uuid).await.map_err(|e| {
            let mut d = scanner_diag("Could not make the default scanner:", name, &e);
            if e.is_not_found() {
                d.attr_error(
                    AttributePath::attr("default"),
                    "Harbor makes only an enabled scanner the default",
                    "Set `disabled = false`, or leave `default` unset.",
                );
            }
            d
        })
    }
}

/// Harbor answers a failed check of the adapter with a 500 that hides why.
fn create_diag(m: &ScannerModel, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = scanner_diag("Could not register scanner", &m.name, e);
    if e.is_conflict() {
        d.attr_error(
            AttributePath::attr("name"),
            "Another scanner has this name or URL",
            "Harbor allows one registration per name and per URL: import the existing one (`terraform import <address> /scanners/<uuid>`), or change `name` or `url`.",
        );
    } else if e.status() == Some(500) {
        d.attr_error(
            AttributePath::attr("url"),
            format!("Harbor could not check the scanner adapter at {}", m.url),
            "Harbor asks the adapter for `GET <url>/api/v1/metadata` before registering it and answers 500 when that fails: check that the adapter is up and reachable from Harbor at this URL, that `auth` and the credential are what it expects, and that it speaks Harbor's scanner API v1. Harbor's core log says why.",
        );
    }
    d
}

#[async_trait]
impl Resource<HarborContext> for ScannerResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(IdentityTemplate::path("/scanners/{uuid:string}").describe(
            "uuid",
            "The registration's uuid, which Harbor's API addresses it by.",
        ))
    }

    fn type_name(&self) -> &'static str {
        "harbor_scanner"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<ScannerModel>(&ty)
                .and_then(|()| model::check_view::<ScannerPlanView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(c) = model::read_view::<ScannerPlanView>(config, diags) else {
            return;
        };
        let plain = !c.access_credential.is_null();
        let wo = !c.access_credential_wo.is_null();
        let version = !c.access_credential_wo_version.is_null();
        if plain && wo {
            diags.attr_error(
                AttributePath::attr("access_credential_wo"),
                "access_credential and access_credential_wo conflict",
                "Set the credential either in `access_credential` (stored in state) or in `access_credential_wo` (write-only), not both.",
            );
        }
        if wo != version && !c.access_credential_wo.is_unknown() {
            let missing = if wo {
                "access_credential_wo_version"
            } else {
                "access_credential_wo"
            };
            let at = if wo {
                "access_credential_wo"
            } else {
                "access_credential_wo_version"
            };
            diags.attr_error(
                AttributePath::attr(at),
                format!("{missing} is missing"),
                "`access_credential_wo` and `access_credential_wo_version` go together: set both (bump the version to send a new credential).",
            );
        }
        if let Some(auth) = c.auth.known() {
            let auth = auth.as_deref().unwrap_or("None");
            let has = plain || wo;
            if auth != "None" && !has && !c.access_credential.is_unknown() {
                diags.attr_error(
                    AttributePath::attr("auth"),
                    format!("auth {auth:?} needs a credential"),
                    "Harbor refuses an auth type without a credential: set `access_credential` (or `access_credential_wo`), or set `auth = \"None\"`.",
                );
            }
            if auth == "None" && has {
                let at = if plain {
                    "access_credential"
                } else {
                    "access_credential_wo"
                };
                diags.attr_error(
                    AttributePath::attr(at),
                    format!("{at} is not used with auth \"None\""),
                    "Harbor sends the credential only with an auth type: set `auth` to `Basic`, `Bearer` or `APIKey`, or remove the credential.",
                );
            }
        }
        if c.default.value() == Some(&true) && c.disabled.value() == Some(&true) {
            diags.attr_error(
                AttributePath::attr("disabled"),
                "The default scanner cannot be disabled",
                "Harbor refuses to disable its default scanner and to make a disabled one the default. Remove `disabled = true`, or `default = true`.",
            );
        }
    }

    /// Harbor has no way to unset its default scanner, nor to disable it: a plan asking either
    /// of the scanner that is the default now fails here, not halfway through the apply.
    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        if ctx.is_create() || ctx.planned.is_null() {
            return;
        }
        let Some(prior) = model::read_view::<ScannerPlanView>(ctx.prior, ctx.diags) else {
            return;
        };
        let Some(config) = model::read_view::<ScannerPlanView>(ctx.config, ctx.diags) else {
            return;
        };
        if prior.default.value() != Some(&true) {
            return;
        }
        let name = prior.name.value().cloned().unwrap_or_default();
        if config.default.value() == Some(&false) {
            ctx.diags.attr_error(
                AttributePath::attr("default"),
                format!("Scanner {name} is Harbor's default scanner"),
                "Harbor cannot unset its default scanner: make another scanner the default first (`default = true` on its `harbor_scanner`, or `harbor_interrogation_services.default_scanner`), or leave `default` unset here.",
            );
        }
        if config.disabled.value() == Some(&true) {
            ctx.diags.attr_error(
                AttributePath::attr("disabled"),
                format!("Scanner {name} is Harbor's default scanner and cannot be disabled"),
                "Make another scanner the default first (`default = true` on its `harbor_scanner`, or `harbor_interrogation_services.default_scanner`), then disable this one.",
            );
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ScannerModel = model::from_value(state)?;
        let uuid = match state.uuid() {
            Some(u) => u,
            // A create whose answer was lost: find it by name, if its URL is the one sent.
            None => match h.client.find_scanner(&state.name).await {
                Ok(Some(r)) if r.url == normalize(&state.url) => r.uuid,
                Ok(_) => return Ok(None),
                Err(e) => return Err(scanner_diag("Could not look up scanner", &state.name, &e)),
            },
        };
        Ok(
            match self.fetch(h, &uuid, &state.name, Some(&state)).await? {
                Some(m) => Some(m.to_value()?),
                None => None,
            },
        )
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let m: ScannerModel = model::from_value(planned)?;
        let uuid = match h.client.create_scanner(&m.to_harbor(config)).await {
            Ok(u) => u,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(create_diag(&m, &e), "scanner", planned));
            }
            Err(e) => return Err(create_diag(&m, &e).into()),
        };
        let registered = ScannerModel {
            id: Some(format!("{PATH}{uuid}")).into(),
            uuid: Some(uuid.clone()).into(),
            access_credential_wo: None,
            default: Known::Value(None),
            ..m.clone()
        };
        if m.default.value() == Some(&true) {
            self.make_default(h, &uuid, &m.name)
                .await
                .map_err(|diags| ApplyError {
                    diags,
                    partial_state: ScannerModel {
                        default: Some(false).into(),
                        ..registered.clone()
                    }
                    .to_value()
                    .ok(),
                })?;
        }
        let state = self
            .fetch(h, &uuid, &m.name, Some(&registered))
            .await?
            .ok_or_else(|| {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Scanner {} vanished right after its create", m.name),
                    "Harbor answered 201 but the registration cannot be read. Run `terraform apply` again.",
                );
                d
            })?;
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ScannerModel = model::from_value(prior)?;
        let m: ScannerModel = model::from_value(planned)?;
        let uuid = prior.uuid().unwrap_or_default();
        let registration_changes = m.name != prior.name
            || m.description != prior.description
            || normalize(&m.url) != normalize(&prior.url)
            || m.auth != prior.auth
            || m.access_credential != prior.access_credential
            || m.access_credential_wo_version != prior.access_credential_wo_version
            || m.skip_cert_verify != prior.skip_cert_verify
            || m.use_internal_addr != prior.use_internal_addr
            || m.disabled != prior.disabled;
        if registration_changes {
            h.client
                .update_scanner(&uuid, &m.to_harbor(config))
                .await
                .map_err(|e| scanner_diag("Could not update scanner", &m.name, &e))?;
        }
        if m.default.value() == Some(&true) && prior.default.value() != Some(&true) {
            let done = if registration_changes { &m } else { &prior };
            self.make_default(h, &uuid, &m.name)
                .await
                .map_err(|diags| ApplyError {
                    diags,
                    partial_state: ScannerModel {
                        id: prior.id.clone(),
                        uuid: prior.uuid.clone(),
                        access_credential_wo: None,
                        default: prior.default.clone(),
                        ..done.clone()
                    }
                    .to_value()
                    .ok(),
                })?;
        }
        let state = self
            .fetch(h, &uuid, &m.name, Some(&m))
            .await?
            .ok_or_else(|| {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Scanner {} vanished during its update", m.name),
                    "Run `terraform apply` again: the next plan re-creates it.",
                );
                d
            })?;
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ScannerModel = model::from_value(prior)?;
        let Some(uuid) = prior.uuid() else {
            return Ok(());
        };
        h.client
            .delete_scanner(&uuid)
            .await
            .map_err(|e| scanner_diag("Could not delete scanner", &prior.name, &e))
    }

    /// `/scanners/<uuid>`, the bare uuid, or the registration's name. The credential cannot be
    /// imported: it is null until the configuration sets it (the first apply sends it).
    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let key = id.trim().strip_prefix(PATH).unwrap_or(id.trim());
        if key.is_empty() || key.contains('/') {
            let mut d = Diagnostics::new();
            d.error(
                "Invalid import id for harbor_scanner",
                format!("{id:?}: use `{PATH}<uuid>`, the uuid, or the scanner's name."),
            );
            return Err(d);
        }
        if let Some(m) = self.fetch(h, key, key, None).await? {
            return Ok(m.to_value()?);
        }
        match h.client.find_scanner(key).await {
            Ok(Some(r)) => Ok(ScannerModel::from_harbor(&r, None).to_value()?),
            Ok(None) => Err(import_not_found("scanner", key)),
            Err(e) => Err(scanner_diag("Could not look up scanner", key, &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ScannerResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn urls_compare_in_harbor_normal_form() {
        assert_eq!(normalize(" http://a:8080/ "), "http://a:8080");
        assert_eq!(normalize("a:8080"), "http://a:8080");
        assert_eq!(normalize("https://a/x/"), "https://a/x");
    }
}
