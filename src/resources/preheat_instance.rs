//! `harbor_preheat_instance`: a P2P preheat provider instance (Dragonfly or Kraken) Harbor can
//! push images to before they are pulled.
//!
//! Harbor never returns an instance's credentials, so `username`, `password` and `token` are
//! kept as configured (drift in them cannot be seen); every other field is read back. The
//! credentials are sensitive and have write-only variants. Harbor does not contact the instance
//! when it is created (`CreateInstance` in `src/controller/p2p/preheat/controller.go`).
//!
//! Requests: create = `POST /p2p/preheat/instances` then `GET /p2p/preheat/instances/{name}`;
//! read = that GET; update = `PUT /p2p/preheat/instances/{name}` (with the id: Harbor updates the
//! instance whose id is in the body) then a GET; delete = `DELETE /p2p/preheat/instances/{name}`.

use crate::schema::identity::IdentityTemplate;
use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{PreheatInstance, Secret};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{
    SCHEMA_VERSION_AFTER_GO, api_diag, go_zero_values_to_null, not_found_is_none, unsettled_create,
};

pub struct PreheatInstanceResource;

const PATH: &str = "/p2p/preheat/instances/";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreheatInstanceModel {
    pub id: Known<Option<String>>,
    pub instance_id: Known<Option<i64>>,
    pub name: String,
    pub vendor: String,
    pub endpoint: String,
    pub description: String,
    pub auth_mode: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub password_wo: Option<String>,
    pub password_wo_version: Option<i64>,
    pub token: Option<String>,
    pub token_wo: Option<String>,
    pub token_wo_version: Option<i64>,
    pub custom_header: Option<String>,
    pub default: bool,
    pub enabled: bool,
    pub insecure: bool,
    pub status: Known<Option<String>>,
    pub setup_timestamp: Known<Option<i64>>,
}

impl PreheatInstanceModel {
    /// Harbor's fields over `prior`'s credentials (which Harbor never returns).
    fn from_harbor(i: &PreheatInstance, prior: Option<&PreheatInstanceModel>) -> Self {
        let keep = |f: fn(&PreheatInstanceModel) -> Option<String>| prior.and_then(f);
        PreheatInstanceModel {
            id: Some(format!("{PATH}{}", i.name)).into(),
            instance_id: Some(i.id).into(),
            name: i.name.clone(),
            vendor: i.vendor.clone(),
            endpoint: i.endpoint.clone(),
            description: i.description.clone(),
            auth_mode: i.auth_mode.clone(),
            username: keep(|m| m.username.clone()),
            password: keep(|m| m.password.clone()),
            password_wo: None,
            password_wo_version: prior.and_then(|m| m.password_wo_version),
            token: keep(|m| m.token.clone()),
            token_wo: None,
            token_wo_version: prior.and_then(|m| m.token_wo_version),
            custom_header: keep(|m| m.custom_header.clone()),
            default: i.default,
            enabled: i.enabled,
            insecure: i.insecure,
            status: Some(i.status.clone()).into(),
            setup_timestamp: Some(i.setup_timestamp).into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &PreheatInstanceResource::schema().ty())
    }

    /// `auth_info` for the mode: BASIC `{username, password}`, OAUTH `{token}`, CUSTOM
    /// `{<custom_header>: token}`; write-only values come from the configuration.
    fn auth_info(&self, config: &Value) -> BTreeMap<String, Secret> {
        let password = self
            .password
            .clone()
            .or_else(|| config.str_attr("password_wo").map(str::to_string));
        let token = self
            .token
            .clone()
            .or_else(|| config.str_attr("token_wo").map(str::to_string));
        let mut info = BTreeMap::new();
        match self.auth_mode.as_str() {
            "BASIC" => {
                info.insert(
                    "username".to_string(),
                    Secret::new(self.username.clone().unwrap_or_default()),
                );
                info.insert(
                    "password".to_string(),
                    Secret::new(password.unwrap_or_default()),
                );
            }
            "OAUTH" => {
                info.insert("token".to_string(), Secret::new(token.unwrap_or_default()));
            }
            "CUSTOM" => {
                info.insert(
                    self.custom_header.clone().unwrap_or_default(),
                    Secret::new(token.unwrap_or_default()),
                );
            }
            _ => {}
        }
        info
    }

    fn to_harbor(&self, id: i64, auth_info: Option<BTreeMap<String, Secret>>) -> PreheatInstance {
        PreheatInstance {
            id,
            name: self.name.clone(),
            description: self.description.clone(),
            vendor: self.vendor.clone(),
            endpoint: self.endpoint.clone(),
            auth_mode: self.auth_mode.clone(),
            auth_info,
            enabled: self.enabled,
            default: self.default,
            insecure: self.insecure,
            ..Default::default()
        }
    }
}

/// Harbor's `nameRegex` (`src/server/v2.0/handler/preheat.go`): letters and digits, joined by
/// single `.`, `_` or `-`.
fn name_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let Some(name) = v.as_str() {
            let ok = !name.is_empty()
                && name
                    .split(['.', '_', '-'])
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
            if !ok {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid preheat instance name {name:?}"),
                    "Harbor accepts letters and digits, joined by single `.`, `_` or `-` (no leading, trailing or doubled separators).",
                );
            }
        }
    })
}

impl PreheatInstanceResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A P2P preheat provider instance (Dragonfly or Kraken). Harbor does not contact it when it is created; \
                 it is used by preheat policies. Its credentials are never returned by Harbor, so they are kept as configured.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The instance's API path, `/p2p/preheat/instances/<name>` (goharbor's id)."))
            .attr(Attribute::number("instance_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the instance."))
            .attr(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .describe("The instance's name, unique in Harbor. Changing it replaces the instance.")
                    .validate(name_validator()),
            )
            .attr(
                Attribute::string("vendor")
                    .required()
                    .requires_replace()
                    .describe("`dragonfly` or `kraken`. Harbor cannot change an instance's vendor, so changing it replaces the instance.")
                    .validate(validators::one_of(&["dragonfly", "kraken"])),
            )
            .attr(Attribute::string("endpoint").required().describe("The instance's URL, e.g. `http://dragonfly-manager:8080`. Harbor allows one instance per endpoint.").validate(validators::not_empty()))
            .attr(Attribute::string("description").optional().default("").describe("A description."))
            .attr(
                Attribute::string("auth_mode")
                    .optional()
                    .default("NONE")
                    .describe("`NONE`, `BASIC` (`username` and `password`), `OAUTH` (`token`, sent as `Bearer`) or `CUSTOM` (`token` sent in the header `custom_header`).")
                    .validate(validators::one_of(&["NONE", "BASIC", "OAUTH", "CUSTOM"])),
            )
            .attr(Attribute::string("username").optional().describe("`BASIC` only: the user name."))
            .attr(Attribute::string("password").optional().sensitive().describe("`BASIC` only: the password, stored in state (see `password_wo`)."))
            .attr(Attribute::string("password_wo").optional().sensitive().write_only().describe("The password, write-only: never stored in plan or state (Terraform 1.11 and later). Bump `password_wo_version` to send a new value."))
            .attr(Attribute::number("password_wo_version").optional().describe("Change this number to send a new `password_wo`."))
            .attr(Attribute::string("token").optional().sensitive().describe("`OAUTH` or `CUSTOM` only: the token, stored in state (see `token_wo`)."))
            .attr(Attribute::string("token_wo").optional().sensitive().write_only().describe("The token, write-only: never stored in plan or state (Terraform 1.11 and later). Bump `token_wo_version` to send a new value."))
            .attr(Attribute::number("token_wo_version").optional().describe("Change this number to send a new `token_wo`."))
            .attr(Attribute::string("custom_header").optional().describe("`CUSTOM` only: the header that carries the token."))
            .attr(Attribute::bool("default").optional().default(false).describe("Whether this is Harbor's default instance. Making one instance the default clears it on the others."))
            .attr(Attribute::bool("enabled").optional().default(true).describe("Whether the instance is enabled."))
            .attr(Attribute::bool("insecure").optional().default(false).describe("Whether Harbor skips verifying the instance's TLS certificate."))
            .attr(Attribute::string("status").computed().use_state_for_unknown().describe("The health status Harbor reports (Harbor 2.15 always says `Unknown`)."))
            .attr(Attribute::number("setup_timestamp").computed().use_state_for_unknown().describe("When the instance was set up (Unix seconds).")),
        )
    }

    async fn fetch(
        &self,
        h: &HarborContext,
        name: &str,
        prior: Option<&PreheatInstanceModel>,
    ) -> Result<Option<PreheatInstanceModel>, Diagnostics> {
        let i = not_found_is_none(h.client.get_preheat_instance(name).await)
            .map_err(|e| api_diag("Could not read preheat instance", name, &e))?;
        Ok(i.map(|i| PreheatInstanceModel::from_harbor(&i, prior)))
    }
}

fn set(config: &Value, name: &str) -> bool {
    !config.get(name).is_null()
}

#[async_trait]
impl Resource<HarborContext> for PreheatInstanceResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/p2p/preheat/instances/{name:string}").describe(
                "name",
                "The instance's name, which Harbor's API addresses it by.",
            ),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_preheat_instance"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<PreheatInstanceModel>(
            &Self::schema().ty(),
        ))
    }

    /// Each credential belongs to one auth mode; a credential the mode does not use would be
    /// silently dropped (goharbor does so), so it is an error here.
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        for plain in ["password", "token"] {
            super::shared_write_only::check_pair(config, plain, "the value", diags);
        }
        let mode = config.get("auth_mode");
        if mode.is_unknown() {
            return;
        }
        let mode = mode.as_str().unwrap_or("NONE");
        let has_password = set(config, "password") || set(config, "password_wo");
        let has_token = set(config, "token") || set(config, "token_wo");
        let uses: &[&str] = match mode {
            "BASIC" => &["username", "password", "password_wo"],
            "OAUTH" => &["token", "token_wo"],
            "CUSTOM" => &["token", "token_wo", "custom_header"],
            _ => &[],
        };
        for a in [
            "username",
            "password",
            "password_wo",
            "token",
            "token_wo",
            "custom_header",
        ] {
            // An empty string is goharbor's "unset" (its defaults are "").
            let given = match config.get(a) {
                Value::String(s) => !s.is_empty(),
                v => !v.is_null(),
            };
            if given && !uses.contains(&a) {
                diags.attr_error(
                    AttributePath::attr(a),
                    format!("{a} is not used with auth_mode {mode:?}"),
                    format!("Remove `{a}`, or set `auth_mode` to the mode that uses it (username and password: BASIC; token: OAUTH or CUSTOM; custom_header: CUSTOM)."),
                );
            }
        }
        // Attached to `auth_mode`: the missing attribute has no line in the configuration.
        let missing = |_: &str, diags: &mut Diagnostics, what: &str| {
            diags.attr_error(
                AttributePath::attr("auth_mode"),
                format!("auth_mode {mode:?} needs {what}"),
                format!("Set `{what}` (or its write-only variant), or choose another `auth_mode`."),
            );
        };
        match mode {
            "BASIC" => {
                if !set(config, "username") {
                    missing("username", diags, "username");
                }
                if !has_password {
                    missing("password", diags, "password");
                }
            }
            "OAUTH" if !has_token => missing("token", diags, "token"),
            "CUSTOM" => {
                if !has_token {
                    missing("token", diags, "token");
                }
                if !set(config, "custom_header") {
                    missing("custom_header", diags, "custom_header");
                }
            }
            _ => {}
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: PreheatInstanceModel = model::from_value(state)?;
        Ok(match self.fetch(h, &state.name, Some(&state)).await? {
            Some(m) => Some(m.to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let m: PreheatInstanceModel = model::from_value(planned)?;
        let body = m.to_harbor(0, Some(m.auth_info(config)));
        match h.client.create_preheat_instance(&body).await {
            Ok(()) => {}
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    api_diag("Could not create preheat instance", &m.name, &e),
                    "preheat instance",
                    planned,
                ));
            }
            Err(e) => {
                let mut d = api_diag("Could not create preheat instance", &m.name, &e);
                if e.is_conflict() {
                    d.attr_error(
                        AttributePath::attr("endpoint"),
                        "Another preheat instance has this name or endpoint",
                        "Harbor allows one instance per name and per endpoint: import the existing one, or change `name` or `endpoint`.",
                    );
                }
                return Err(d.into());
            }
        }
        let state =
            self.fetch(h, &m.name, Some(&m)).await?.ok_or_else(|| {
                let mut d = Diagnostics::new();
                d.error(
                format!("Preheat instance {} vanished right after its create", m.name),
                "Harbor answered 201 but the instance cannot be read. Run `terraform apply` again.",
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
        let prior: PreheatInstanceModel = model::from_value(prior)?;
        let m: PreheatInstanceModel = model::from_value(planned)?;
        let id = prior.instance_id.value().copied().unwrap_or_default();
        // Harbor keeps its stored credentials when `auth_info` is left out (unless the mode is
        // NONE), so they are sent only when one of them changed, or the mode did.
        let credentials_change = m.auth_mode != prior.auth_mode
            || m.username != prior.username
            || m.password != prior.password
            || m.token != prior.token
            || m.custom_header != prior.custom_header
            || m.password_wo_version != prior.password_wo_version
            || m.token_wo_version != prior.token_wo_version;
        let auth = credentials_change.then(|| m.auth_info(config));
        let mut body = m.to_harbor(id, auth);
        // Harbor's PUT writes `setup_timestamp` from the body (0 when left out).
        body.setup_timestamp = prior.setup_timestamp.value().copied().unwrap_or(0);
        h.client
            .update_preheat_instance(&m.name, &body)
            .await
            .map_err(|e| api_diag("Could not update preheat instance", &m.name, &e))?;
        let state = self.fetch(h, &m.name, Some(&m)).await?.ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                format!("Preheat instance {} vanished during its update", m.name),
                "Run `terraform apply` again: the next plan re-creates it.",
            );
            d
        })?;
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: PreheatInstanceModel = model::from_value(prior)?;
        h.client
            .delete_preheat_instance(&prior.name)
            .await
            .map_err(|e| api_diag("Could not delete preheat instance", &prior.name, &e))
    }

    /// `/p2p/preheat/instances/<name>` (goharbor's form) or the bare name. Credentials cannot
    /// be imported: set them in the configuration (the first apply sends them).
    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let name = id.trim().strip_prefix(PATH).unwrap_or(id.trim());
        if name.is_empty() || name.contains('/') {
            let mut d = Diagnostics::new();
            d.error(
                "Invalid import id for harbor_preheat_instance",
                format!("{id:?}: use the instance's name or `{PATH}<name>`."),
            );
            return Err(d);
        }
        match self.fetch(h, name, None).await? {
            Some(m) => Ok(m.to_value()?),
            None => Err(super::import_not_found("preheat instance", name)),
        }
    }

    /// goharbor/harbor's state (version 0): unset credentials are `""`; it has no numeric id,
    /// status or setup time (the next refresh fills them).
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            go_zero_values_to_null(&mut raw, &["username", "password", "token"], &[]);
            if let Some(obj) = raw.as_object_mut() {
                for k in [
                    "instance_id",
                    "password_wo",
                    "password_wo_version",
                    "token_wo",
                    "token_wo_version",
                    "custom_header",
                    "status",
                    "setup_timestamp",
                ] {
                    obj.entry(k).or_insert(serde_json::Value::Null);
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
            PreheatInstanceResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
