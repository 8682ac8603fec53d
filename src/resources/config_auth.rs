//! `harbor_config_auth`: how people sign in to Harbor: the auth mode (database, LDAP, OIDC or
//! HTTP auth proxy) and every setting Harbor's configuration API has for those modes. One per
//! Harbor. goharbor/harbor's HCL (its attribute names, `ldap_scope = "subtree"`, the write-only
//! `oidc_client_secret_wo`) and its state work unchanged.
//!
//! Like `harbor_config_system`, it writes only the settings the configuration sets; the others
//! are read back into state and left as Harbor has them, and the attributes written are recorded
//! in `managed_settings`. Harbor never returns `ldap_search_password` or `oidc_client_secret`:
//! they are kept from the configuration (sensitive) or, with the `*_wo` variants, nowhere.
//!
//! Harbor refuses to change the auth mode once users other than `admin` exist in its database
//! (`authModeCanBeModified` in controller/config/controller.go); it says so in
//! `auth_mode.editable` of `GET /configurations`, which a refresh records in
//! `auth_mode_editable` so the plan can refuse the change before Harbor does.
//!
//! Requests: read = `GET /configurations`; create and update = `PUT /configurations` with
//! `auth_mode` and the configured settings, then `GET /configurations` (create adopts what Harbor
//! has); delete = `PUT /configurations` with `auth_mode = db_auth` and each managed setting at
//! Harbor's default (`lib/config/metadata/metadatalist.go`), except `ldap_url` and
//! `ldap_base_dn`, which Harbor refuses to empty. Import: any id; the id is `/configurations`
//! as in goharbor. Needs a system administrator.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::HarborContext;
use crate::harbor::models::{Configurations, ConfigurationsResponse};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::SCHEMA_VERSION_AFTER_GO;

pub struct ConfigAuthResource;

const ID: &str = "/configurations";

/// The modes, as Harbor names them, and goharbor's two short spellings.
const MODES: &[&str] = &[
    "db_auth",
    "ldap_auth",
    "oidc_auth",
    "http_auth",
    "ldap",
    "oidc",
];

/// goharbor sent `ldap` as `ldap_auth` and `oidc` as `oidc_auth`.
fn canonical(mode: &str) -> &str {
    match mode {
        "ldap" => "ldap_auth",
        "oidc" => "oidc_auth",
        m => m,
    }
}

/// The mode a setting belongs to; `None` for settings of every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Any,
    Db,
    Ldap,
    Oidc,
    Http,
}

impl Mode {
    fn auth_mode(self) -> &'static str {
        match self {
            Mode::Any => "",
            Mode::Db => "db_auth",
            Mode::Ldap => "ldap_auth",
            Mode::Oidc => "oidc_auth",
            Mode::Http => "http_auth",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Mode::Any => "",
            Mode::Db => "database",
            Mode::Ldap => "LDAP",
            Mode::Oidc => "OIDC",
            Mode::Http => "HTTP auth proxy",
        }
    }
}

/// How a setting's attribute value and Harbor's value relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Bool,
    Int,
    /// `base`, `onelevel`, `subtree` in Terraform (goharbor's words); 0, 1, 2 in Harbor.
    Scope,
    /// A map of strings in Terraform; its JSON text in Harbor.
    Map,
    /// Written, never answered by Harbor.
    Secret,
}

/// One setting: the attribute, Harbor's key, its kind and mode, and Harbor's default
/// (`metadatalist.go`); `None` when Harbor refuses to set it back (`NonEmptyStringType`).
struct Setting {
    attr: &'static str,
    key: &'static str,
    kind: Kind,
    mode: Mode,
    default: Option<fn() -> serde_json::Value>,
}

macro_rules! setting {
    ($attr:literal, $key:literal, $kind:ident, $mode:ident, $default:expr) => {
        Setting {
            attr: $attr,
            key: $key,
            kind: Kind::$kind,
            mode: Mode::$mode,
            default: Some(|| json!($default)),
        }
    };
    ($attr:literal, $key:literal, $kind:ident, $mode:ident) => {
        Setting {
            attr: $attr,
            key: $key,
            kind: Kind::$kind,
            mode: Mode::$mode,
            default: None,
        }
    };
}

const SETTINGS: &[Setting] = &[
    setting!("primary_auth_mode", "primary_auth_mode", Bool, Any, false),
    setting!("self_registration", "self_registration", Bool, Db, false),
    setting!("ldap_url", "ldap_url", Str, Ldap),
    setting!("ldap_search_dn", "ldap_search_dn", Str, Ldap, ""),
    setting!(
        "ldap_search_password",
        "ldap_search_password",
        Secret,
        Ldap,
        ""
    ),
    setting!("ldap_base_dn", "ldap_base_dn", Str, Ldap),
    setting!("ldap_filter", "ldap_filter", Str, Ldap, ""),
    setting!("ldap_uid", "ldap_uid", Str, Ldap, "cn"),
    setting!("ldap_scope", "ldap_scope", Scope, Ldap, 2),
    setting!("ldap_timeout", "ldap_timeout", Int, Ldap, 5),
    setting!("ldap_verify_cert", "ldap_verify_cert", Bool, Ldap, true),
    setting!("ldap_group_base_dn", "ldap_group_base_dn", Str, Ldap, ""),
    setting!(
        "ldap_group_filter",
        "ldap_group_search_filter",
        Str,
        Ldap,
        ""
    ),
    setting!("ldap_group_gid", "ldap_group_attribute_name", Str, Ldap, ""),
    setting!(
        "ldap_group_scope",
        "ldap_group_search_scope",
        Scope,
        Ldap,
        2
    ),
    setting!("ldap_group_admin_dn", "ldap_group_admin_dn", Str, Ldap, ""),
    setting!(
        "ldap_group_membership",
        "ldap_group_membership_attribute",
        Str,
        Ldap,
        "memberof"
    ),
    setting!(
        "ldap_group_attach_parallel",
        "ldap_group_attach_parallel",
        Bool,
        Ldap,
        false
    ),
    setting!("oidc_name", "oidc_name", Str, Oidc, ""),
    setting!("oidc_endpoint", "oidc_endpoint", Str, Oidc, ""),
    setting!("oidc_client_id", "oidc_client_id", Str, Oidc, ""),
    setting!("oidc_client_secret", "oidc_client_secret", Secret, Oidc, ""),
    setting!("oidc_groups_claim", "oidc_groups_claim", Str, Oidc, ""),
    setting!("oidc_admin_group", "oidc_admin_group", Str, Oidc, ""),
    setting!("oidc_group_filter", "oidc_group_filter", Str, Oidc, ""),
    setting!("oidc_scope", "oidc_scope", Str, Oidc, ""),
    setting!("oidc_user_claim", "oidc_user_claim", Str, Oidc, ""),
    setting!("oidc_verify_cert", "oidc_verify_cert", Bool, Oidc, true),
    setting!("oidc_auto_onboard", "oidc_auto_onboard", Bool, Oidc, false),
    setting!(
        "oidc_extra_redirect_parms",
        "oidc_extra_redirect_parms",
        Map,
        Oidc,
        "{}"
    ),
    setting!("oidc_logout", "oidc_logout", Bool, Oidc, false),
    setting!(
        "http_authproxy_endpoint",
        "http_authproxy_endpoint",
        Str,
        Http,
        ""
    ),
    setting!(
        "http_authproxy_tokenreview_endpoint",
        "http_authproxy_tokenreview_endpoint",
        Str,
        Http,
        ""
    ),
    setting!(
        "http_authproxy_admin_groups",
        "http_authproxy_admin_groups",
        Str,
        Http,
        ""
    ),
    setting!(
        "http_authproxy_admin_usernames",
        "http_authproxy_admin_usernames",
        Str,
        Http,
        ""
    ),
    setting!(
        "http_authproxy_verify_cert",
        "http_authproxy_verify_cert",
        Bool,
        Http,
        true
    ),
    setting!(
        "http_authproxy_skip_search",
        "http_authproxy_skip_search",
        Bool,
        Http,
        false
    ),
    setting!(
        "http_authproxy_server_certificate",
        "http_authproxy_server_certificate",
        Str,
        Http,
        ""
    ),
];

/// Other attributes that belong to one mode (for the plan-time mode check).
const MODE_EXTRAS: &[(&str, Mode)] = &[
    ("ldap_search_password_wo", Mode::Ldap),
    ("ldap_search_password_wo_version", Mode::Ldap),
    ("ldap_group_uid", Mode::Ldap),
    ("oidc_client_secret_wo", Mode::Oidc),
    ("oidc_client_secret_wo_version", Mode::Oidc),
];

const SCOPES: &[&str] = &["base", "onelevel", "subtree"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigAuthModel {
    pub id: Known<Option<String>>,
    pub auth_mode: String,
    pub auth_mode_editable: Known<Option<bool>>,
    pub primary_auth_mode: Known<Option<bool>>,
    pub self_registration: Known<Option<bool>>,
    pub ldap_url: Known<Option<String>>,
    pub ldap_search_dn: Known<Option<String>>,
    pub ldap_search_password: Option<String>,
    pub ldap_search_password_wo: Option<String>,
    pub ldap_search_password_wo_version: Option<i64>,
    pub ldap_base_dn: Known<Option<String>>,
    pub ldap_filter: Known<Option<String>>,
    pub ldap_uid: Known<Option<String>>,
    pub ldap_scope: Known<Option<String>>,
    pub ldap_timeout: Known<Option<i64>>,
    pub ldap_verify_cert: Known<Option<bool>>,
    pub ldap_group_base_dn: Known<Option<String>>,
    pub ldap_group_filter: Known<Option<String>>,
    pub ldap_group_gid: Known<Option<String>>,
    pub ldap_group_scope: Known<Option<String>>,
    pub ldap_group_admin_dn: Known<Option<String>>,
    pub ldap_group_membership: Known<Option<String>>,
    pub ldap_group_attach_parallel: Known<Option<bool>>,
    pub ldap_group_uid: Option<String>,
    pub oidc_name: Known<Option<String>>,
    pub oidc_endpoint: Known<Option<String>>,
    pub oidc_client_id: Known<Option<String>>,
    pub oidc_client_secret: Option<String>,
    pub oidc_client_secret_wo: Option<String>,
    pub oidc_client_secret_wo_version: Option<i64>,
    pub oidc_groups_claim: Known<Option<String>>,
    pub oidc_admin_group: Known<Option<String>>,
    pub oidc_group_filter: Known<Option<String>>,
    pub oidc_scope: Known<Option<String>>,
    pub oidc_user_claim: Known<Option<String>>,
    pub oidc_verify_cert: Known<Option<bool>>,
    pub oidc_auto_onboard: Known<Option<bool>>,
    pub oidc_extra_redirect_parms: Known<Option<BTreeMap<String, String>>>,
    pub oidc_logout: Known<Option<bool>>,
    pub http_authproxy_endpoint: Known<Option<String>>,
    pub http_authproxy_tokenreview_endpoint: Known<Option<String>>,
    pub http_authproxy_admin_groups: Known<Option<String>>,
    pub http_authproxy_admin_usernames: Known<Option<String>>,
    pub http_authproxy_verify_cert: Known<Option<bool>>,
    pub http_authproxy_skip_search: Known<Option<bool>>,
    pub http_authproxy_server_certificate: Known<Option<String>>,
    pub managed_settings: Known<Option<Vec<String>>>,
}

/// What validation and planning read: the values the rules look at (anything may be unknown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigAuthView {
    pub auth_mode: Known<Option<String>>,
    pub auth_mode_editable: Known<Option<bool>>,
    pub ldap_url: Known<Option<String>>,
    pub ldap_group_filter: Known<Option<String>>,
    pub ldap_group_gid: Known<Option<String>>,
    pub ldap_group_membership: Known<Option<String>>,
    pub oidc_endpoint: Known<Option<String>>,
    pub oidc_scope: Known<Option<String>>,
    pub http_authproxy_endpoint: Known<Option<String>>,
    pub http_authproxy_tokenreview_endpoint: Known<Option<String>>,
}

impl ConfigAuthModel {
    /// Every setting as Harbor has it; what Harbor cannot tell (secrets, versions, goharbor's
    /// `ldap_group_uid`, the managed list) comes from `keep`.
    fn from_harbor(
        cfg: &ConfigurationsResponse,
        keep: Option<&ConfigAuthModel>,
    ) -> Result<Self, ModelError> {
        let mut obj = serde_json::Map::new();
        for s in SETTINGS.iter().filter(|s| s.kind != Kind::Secret) {
            let v = cfg
                .get(s.key)
                .map(|i| i.value.clone())
                .unwrap_or(serde_json::Value::Null);
            obj.insert(s.attr.into(), from_harbor_value(s.kind, v));
        }
        let mode = cfg
            .get("auth_mode")
            .and_then(|i| i.value.as_str())
            .unwrap_or("db_auth")
            .to_string();
        // goharbor's short spelling stays while it means what Harbor has.
        let mode = match keep {
            Some(k) if canonical(&k.auth_mode) == mode => k.auth_mode.clone(),
            _ => mode,
        };
        // Settings of the other modes are not read: Harbor keeps them but does not use them,
        // and a configuration may not set them (validate), so an imported state that held them
        // would generate a configuration Terraform then refuses.
        for s in SETTINGS.iter().filter(|s| !belongs_to(s.mode, &mode)) {
            obj.insert(s.attr.into(), serde_json::Value::Null);
        }
        obj.insert("auth_mode".into(), json!(mode));
        obj.insert("id".into(), json!(ID));
        obj.insert("managed_settings".into(), serde_json::Value::Null);
        obj.insert(
            "auth_mode_editable".into(),
            json!(cfg.get("auth_mode").map(|i| i.editable)),
        );
        let mut m: ConfigAuthModel = serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|e| {
                <ModelError as serde::de::Error>::custom(format!(
                    "Harbor's configuration does not fit: {e}"
                ))
            })?;
        if let Some(k) = keep {
            m.ldap_search_password = k.ldap_search_password.clone();
            m.ldap_search_password_wo_version = k.ldap_search_password_wo_version;
            m.oidc_client_secret = k.oidc_client_secret.clone();
            m.oidc_client_secret_wo_version = k.oidc_client_secret_wo_version;
            m.ldap_group_uid = k.ldap_group_uid.clone();
            m.managed_settings = k.managed_settings.clone();
        }
        Ok(m)
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ConfigAuthResource::schema().ty())
    }
}

/// Whether a setting of `setting_mode` is used in auth mode `mode` (either spelling).
fn belongs_to(setting_mode: Mode, mode: &str) -> bool {
    setting_mode == Mode::Any || setting_mode.auth_mode() == canonical(mode)
}

/// Harbor's value of a setting as the attribute holds it.
fn from_harbor_value(kind: Kind, v: serde_json::Value) -> serde_json::Value {
    match kind {
        Kind::Scope => match v.as_i64() {
            Some(0) => json!("base"),
            Some(1) => json!("onelevel"),
            Some(_) => json!("subtree"),
            None => serde_json::Value::Null,
        },
        Kind::Map => v
            .as_str()
            .and_then(|t| serde_json::from_str::<BTreeMap<String, String>>(t).ok())
            .map_or(serde_json::Value::Null, |m| json!(m)),
        _ => v,
    }
}

/// An attribute's value as Harbor takes it.
fn to_harbor_value(kind: Kind, v: &serde_json::Value) -> serde_json::Value {
    match kind {
        Kind::Scope => json!(match v.as_str() {
            Some("base") => 0,
            Some("onelevel") => 1,
            _ => 2,
        }),
        Kind::Map => json!(serde_json::to_string(v).unwrap_or_else(|_| "{}".into())),
        _ => v.clone(),
    }
}

/// The settings the configuration sets, in schema order.
fn configured(config: &Value) -> Vec<String> {
    SETTINGS
        .iter()
        .filter(|s| !config.get(s.attr).is_null())
        .map(|s| s.attr.to_string())
        .collect()
}

/// The `PUT /configurations` body: the mode, the managed settings of `m`, and the write-only
/// secrets passed in.
fn body(m: &ConfigAuthModel, managed: &[String], write_only: &[(&str, String)]) -> Configurations {
    let values = serde_json::to_value(m).unwrap_or_default();
    let mut out = Configurations::new();
    out.insert("auth_mode".into(), json!(canonical(&m.auth_mode)));
    for s in SETTINGS
        .iter()
        .filter(|s| managed.iter().any(|a| a == s.attr))
    {
        let v = &values[s.attr];
        if !v.is_null() {
            out.insert(s.key.into(), to_harbor_value(s.kind, v));
        }
    }
    for (key, secret) in write_only {
        out.insert((*key).into(), json!(secret));
    }
    out
}

/// `ldap://host[:port]`, `ldaps://host[:port]` or `host[:port]` (Harbor's `formatURL` in
/// pkg/ldap/ldap.go, which adds `ldap://` and the port): `None` when fine, else why not.
pub(crate) fn ldap_url_problem(url: &str) -> Option<String> {
    let hostport = match url.split_once("://") {
        Some((scheme, rest)) => {
            if scheme != "ldap" && scheme != "ldaps" {
                return Some(format!(
                    "the scheme {scheme:?} is not one Harbor speaks: use ldap:// or ldaps://"
                ));
            }
            rest
        }
        None => url,
    };
    let hostport = hostport.trim_end_matches('/');
    if hostport.is_empty() || hostport.contains(['/', ' ', '?', '#']) {
        return Some("Harbor expects a host and an optional port, such as ldap://ldap.example.com:389, with no path".into());
    }
    if let Some((host, port)) = hostport.rsplit_once(':')
        && !hostport.starts_with('[')
    {
        if host.is_empty() || host.contains(':') {
            return Some(format!("{hostport:?} is not a host and port"));
        }
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return Some(format!("the port {port:?} is not a number from 1 to 65535"));
        }
    }
    None
}

/// An absolute `http(s)://host...` URL; `None` when fine.
fn http_url_problem(url: &str, https_only: bool) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| (!https_only).then(|| url.strip_prefix("http://")).flatten());
    let Some(rest) = rest else {
        return Some(if https_only {
            "Harbor's OIDC login needs the provider's https:// URL (its issuer)".into()
        } else {
            "use an absolute http:// or https:// URL".into()
        });
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Some(format!("{url:?} has no host"));
    }
    None
}

fn config_diag(what: &str, e: &crate::harbor::Error, current_mode: Option<&str>) -> Diagnostics {
    let mut d = Diagnostics::new();
    let summary = format!("{what} (harbor_config_auth)");
    let text = e.to_string();
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            summary,
            format!(
                "{text}. Authentication settings need a Harbor system administrator: configure the provider with one."
            ),
        );
    } else if text.contains("auth mode cannot be modified") {
        let from = current_mode.map_or(String::new(), |m| format!(" from {m:?}"));
        d.attr_error(
            AttributePath::attr("auth_mode"),
            summary,
            format!(
                "{text}. Harbor refuses to change the auth mode{from} once users other than admin exist in its \
                 database (local users, or LDAP/OIDC users who have signed in). Delete those users in Harbor \
                 first, or keep auth_mode{} as Harbor has it.",
                current_mode.map_or(String::new(), |m| format!(" = {m:?}"))
            ),
        );
    } else if text.contains("ldap group") {
        d.attr_error(
            AttributePath::attr("ldap_group_filter"),
            summary,
            format!(
                "{text}. With an LDAP group filter Harbor needs ldap_group_gid (the group name attribute, e.g. cn) and ldap_group_membership (e.g. memberof): set them."
            ),
        );
    } else if let Some(attr) = SETTINGS
        .iter()
        .find(|s| text.contains(&format!("item name {}:", s.key)))
    {
        d.attr_error(
            AttributePath::attr(attr.attr),
            summary,
            format!("{text}. Correct {} and apply again.", attr.attr),
        );
    } else {
        d.error(
            summary,
            format!("{text}. Check the values Harbor refused, then apply again."),
        );
    }
    d
}

impl ConfigAuthResource {
    pub fn schema() -> Schema {
        let setting = |a: Attribute| a.optional_computed().use_state_for_unknown();
        let s = |name: &str, d: &str| setting(Attribute::string(name)).describe(d);
        let b = |name: &str, d: &str| setting(Attribute::bool(name)).describe(d);
        let scope = |name: &str, d: &str| {
            setting(Attribute::string(name))
                .describe(d)
                .validate(validators::one_of(SCOPES))
        };
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "How people sign in to Harbor: the auth mode (`db_auth`, `ldap_auth`, `oidc_auth` or `http_auth`) and its \
                 settings. Only the settings this configuration sets are written; the others are read back into state \
                 and left as Harbor has them (goharbor reset several to its own defaults). A setting of another mode than \
                 `auth_mode` is refused at plan time. Harbor refuses to change the auth mode once users other than admin \
                 exist in its database; the plan says so when the last refresh saw such users (`auth_mode_editable`). \
                 Harbor has one set of settings: creating this resource adopts them; destroying it sets the auth mode back \
                 to `db_auth` and each setting this configuration wrote (`managed_settings`) back to Harbor's default, \
                 except `ldap_url` and `ldap_base_dn`, which Harbor cannot empty. Harbor never returns \
                 `ldap_search_password` or `oidc_client_secret`: they are kept in state (sensitive), or nowhere with the \
                 `*_wo` attributes (Terraform 1.11+). Needs a system administrator. Import with any id, e.g. `/configurations`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `/configurations`."))
            .attr(Attribute::string("auth_mode").required().describe("`db_auth` (Harbor's default: local users), `ldap_auth`, `oidc_auth` or `http_auth` (an HTTP authentication proxy). goharbor's `ldap` and `oidc` are accepted for `ldap_auth` and `oidc_auth`.").validate(validators::one_of(MODES)))
            .attr(Attribute::bool("auth_mode_editable").computed().use_state_for_unknown().describe("Whether Harbor lets the auth mode change: false once users other than admin exist in its database. As of the last refresh."))
            .attr(b("primary_auth_mode", "Make the LDAP, OIDC or HTTP mode the primary sign-in (Harbor's login page goes to it). Harbor's default: `false`."))
            .attr(b("self_registration", "`db_auth` only: people may sign up themselves. Harbor's default: `false`."))
            .attr(s("ldap_url", "`ldap_auth`: the LDAP server, `ldap://host:port`, `ldaps://host:port` or `host:port` (Harbor adds `ldap://`; port 636 means ldaps). Required with `ldap_auth`."))
            .attr(s("ldap_search_dn", "`ldap_auth`: the DN Harbor binds as to search users and groups."))
            .attr(Attribute::string("ldap_search_password").optional().sensitive().describe("`ldap_auth`: the password of `ldap_search_dn`, stored in state (sensitive). Harbor never returns it. Conflicts with `ldap_search_password_wo`."))
            .attr(Attribute::string("ldap_search_password_wo").optional().sensitive().write_only().describe("`ldap_auth`: the password of `ldap_search_dn`, write-only: never stored in plan or state (Terraform 1.11 and later). Set with `ldap_search_password_wo_version`; bump the version to apply a new value."))
            .attr(Attribute::number("ldap_search_password_wo_version").optional().describe("Change this number to apply a new `ldap_search_password_wo`."))
            .attr(s("ldap_base_dn", "`ldap_auth`: the DN users are searched under. Required with `ldap_auth`."))
            .attr(s("ldap_filter", "`ldap_auth`: an LDAP filter users must also match, such as `(objectClass=person)`."))
            .attr(s("ldap_uid", "`ldap_auth`: the attribute a sign-in name is matched against (`uid`, `cn`, `mail`, `sAMAccountName`, ...). Harbor's default: `cn`."))
            .attr(scope("ldap_scope", "`ldap_auth`: how deep users are searched: `base`, `onelevel` or `subtree` (Harbor's default)."))
            .attr(setting(Attribute::number("ldap_timeout")).describe("`ldap_auth`: seconds Harbor waits to connect to the LDAP server. Harbor's default: 5.").validate(validators::int_between(1, 3600)))
            .attr(b("ldap_verify_cert", "`ldap_auth`: verify the LDAP server's certificate (ldaps). Harbor's default: `true`."))
            .attr(s("ldap_group_base_dn", "`ldap_auth`: the DN groups are searched under; LDAP groups (`harbor_group` with type 1) must lie below it."))
            .attr(s("ldap_group_filter", "`ldap_auth`: an LDAP filter groups must match (Harbor's `ldap_group_search_filter`). Needs `ldap_group_gid` and `ldap_group_membership`."))
            .attr(s("ldap_group_gid", "`ldap_auth`: the attribute that names a group, such as `cn` (Harbor's `ldap_group_attribute_name`)."))
            .attr(scope("ldap_group_scope", "`ldap_auth`: how deep groups are searched: `base`, `onelevel` or `subtree` (Harbor's default)."))
            .attr(s("ldap_group_admin_dn", "`ldap_auth`: members of this LDAP group are Harbor administrators."))
            .attr(s("ldap_group_membership", "`ldap_auth`: the user attribute that lists a user's groups (Harbor's `ldap_group_membership_attribute`). Harbor's default: `memberof`."))
            .attr(b("ldap_group_attach_parallel", "`ldap_auth`: attach a user's LDAP groups in parallel at sign-in. Harbor's default: `false`."))
            .attr(Attribute::string("ldap_group_uid").optional().describe("Ignored: Harbor has no such setting. goharbor accepted it and never sent it; it is kept so goharbor configurations apply unchanged."))
            .attr(s("oidc_name", "`oidc_auth`: the provider's name on Harbor's login page. Required with `oidc_auth`."))
            .attr(s("oidc_endpoint", "`oidc_auth`: the provider's issuer URL (`https://...`). Required with `oidc_auth`."))
            .attr(s("oidc_client_id", "`oidc_auth`: Harbor's client id at the provider. Required with `oidc_auth`."))
            .attr(Attribute::string("oidc_client_secret").optional().sensitive().describe("`oidc_auth`: Harbor's client secret at the provider, stored in state (sensitive). Harbor never returns it. Conflicts with `oidc_client_secret_wo`."))
            .attr(Attribute::string("oidc_client_secret_wo").optional().sensitive().write_only().describe("`oidc_auth`: the client secret, write-only: never stored in plan or state (Terraform 1.11 and later). Set with `oidc_client_secret_wo_version`; bump the version to apply a new value."))
            .attr(Attribute::number("oidc_client_secret_wo_version").optional().describe("Change this number to apply a new `oidc_client_secret_wo`."))
            .attr(s("oidc_groups_claim", "`oidc_auth`: the claim of the ID token that lists the user's groups."))
            .attr(s("oidc_admin_group", "`oidc_auth`: members of this group are Harbor administrators."))
            .attr(s("oidc_group_filter", "`oidc_auth`: a regular expression; only matching groups are onboarded to Harbor."))
            .attr(s("oidc_scope", "`oidc_auth`: comma-separated scopes Harbor asks for; must include `openid`. Required with `oidc_auth`."))
            .attr(s("oidc_user_claim", "`oidc_auth`: the claim that holds the username (empty: Harbor asks the user at first sign-in)."))
            .attr(b("oidc_verify_cert", "`oidc_auth`: verify the provider's certificate. Harbor's default: `true`."))
            .attr(b("oidc_auto_onboard", "`oidc_auth`: onboard users at first sign-in without asking for a username (needs `oidc_user_claim`). Harbor's default: `false`."))
            .attr(setting(Attribute::typed("oidc_extra_redirect_parms", Type::Map(Box::new(Type::String)))).describe("`oidc_auth`: extra query parameters Harbor adds when it redirects to the provider."))
            .attr(b("oidc_logout", "`oidc_auth`: signing out of Harbor also ends the provider's session (Harbor 2.13+). Harbor's default: `false`."))
            .attr(s("http_authproxy_endpoint", "`http_auth`: the URL Harbor sends a user's credentials to. Required with `http_auth`."))
            .attr(s("http_authproxy_tokenreview_endpoint", "`http_auth`: the URL Harbor reviews tokens at (a Kubernetes TokenReview endpoint)."))
            .attr(s("http_authproxy_admin_groups", "`http_auth`: comma-separated groups whose members are Harbor administrators."))
            .attr(s("http_authproxy_admin_usernames", "`http_auth`: comma-separated usernames that are Harbor administrators."))
            .attr(b("http_authproxy_verify_cert", "`http_auth`: verify the proxy's certificate. Harbor's default: `true`."))
            .attr(b("http_authproxy_skip_search", "`http_auth`: onboard users without searching them first. Harbor's default: `false`."))
            .attr(s("http_authproxy_server_certificate", "`http_auth`: the PEM certificate of the proxy, when it is not signed by a known CA."))
            .attr(Attribute::typed("managed_settings", Type::List(Box::new(Type::String))).computed().describe("The attributes this configuration writes; destroying the resource sets these back to Harbor's defaults.")),
        )
    }

    async fn fetch(&self, h: &HarborContext) -> Result<ConfigurationsResponse, Diagnostics> {
        h.client
            .get_configurations()
            .await
            .map_err(|e| config_diag("Could not read Harbor's authentication settings", &e, None))
    }

    async fn apply(
        &self,
        h: &HarborContext,
        prior: Option<&ConfigAuthModel>,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut m: ConfigAuthModel = model::from_value(planned)?;
        let cfg: ConfigAuthModel = model::from_value(config)?;
        let managed = configured(config);
        // A write-only secret goes out on create and when its version changes.
        let mut write_only = Vec::new();
        let changed = |p: Option<i64>, prior: Option<i64>| prior.is_none() || p != prior;
        if let Some(pw) = &cfg.ldap_search_password_wo
            && changed(
                m.ldap_search_password_wo_version,
                prior.and_then(|p| p.ldap_search_password_wo_version),
            )
        {
            write_only.push(("ldap_search_password", pw.clone()));
        }
        if let Some(secret) = &cfg.oidc_client_secret_wo
            && changed(
                m.oidc_client_secret_wo_version,
                prior.and_then(|p| p.oidc_client_secret_wo_version),
            )
        {
            write_only.push(("oidc_client_secret", secret.clone()));
        }
        let put = body(&m, &managed, &write_only);
        if let Err(e) = h.client.update_configurations(&put).await {
            // Name the mode Harbor keeps when it refuses to change it.
            let current = match prior {
                Some(p) => Some(canonical(&p.auth_mode).to_string()),
                None => h.client.get_configurations().await.ok().and_then(|c| {
                    c.get("auth_mode")
                        .and_then(|i| i.value.as_str().map(str::to_string))
                }),
            };
            return Err(config_diag(
                "Could not write Harbor's authentication settings",
                &e,
                current.as_deref(),
            )
            .into());
        }
        // Unknown does not survive the JSON round trip below (it reads back as null).
        let planned_managed = m.managed_settings.clone();
        let harbor = ConfigAuthModel::from_harbor(&self.fetch(h).await?, Some(&m))?;
        // Harbor's answer fills what the plan left unknown (create adopts, computed values).
        let mut filled = serde_json::to_value(&m).unwrap_or_default();
        let from = serde_json::to_value(&harbor).unwrap_or_default();
        let planned_obj = planned.clone();
        if let (Some(obj), Some(src)) = (filled.as_object_mut(), from.as_object()) {
            for (k, v) in obj.iter_mut() {
                if planned_obj.get(k).is_unknown() && k != "managed_settings" {
                    *v = src.get(k).cloned().unwrap_or_default();
                }
            }
        }
        m = serde_json::from_value(filled).map_err(|e| {
            ApplyError::from(<ModelError as serde::de::Error>::custom(e.to_string()))
        })?;
        m.ldap_search_password_wo = None;
        m.oidc_client_secret_wo = None;
        m.managed_settings = if planned_managed.is_unknown() {
            Some(managed).into()
        } else {
            planned_managed
        };
        Ok(m.to_value()?)
    }
}

#[async_trait]
impl Resource<HarborContext> for ConfigAuthResource {
    fn type_name(&self) -> &'static str {
        "harbor_config_auth"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<ConfigAuthModel>(&ty)
                .and_then(|()| model::check_view::<ConfigAuthView>(&ty)),
        )
    }

    /// What the configuration alone shows Harbor would refuse, or would ignore.
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(v) = model::read_view::<ConfigAuthView>(config, diags) else {
            return;
        };
        let set = |k: &str| !config.get(k).is_null();
        // Settings of another mode: Harbor would store them and never use them.
        if let Some(mode) = v.auth_mode.value().map(|m| canonical(m).to_string()) {
            let belongs = SETTINGS
                .iter()
                .map(|s| (s.attr, s.mode))
                .chain(MODE_EXTRAS.iter().copied());
            for (attr, m) in belongs {
                if m != Mode::Any && m.auth_mode() != mode && set(attr) {
                    diags.attr_error(
                        AttributePath::attr(attr),
                        format!("{attr} is a setting of auth_mode \"{}\"", m.auth_mode()),
                        format!(
                            "Harbor uses {attr} only for {} sign-in (auth_mode = \"{}\"), and this configuration sets auth_mode = \"{mode}\". Remove {attr}, or set auth_mode = \"{}\".",
                            m.name(),
                            m.auth_mode(),
                            m.auth_mode()
                        ),
                    );
                }
            }
            let required: &[&str] = match mode.as_str() {
                "ldap_auth" => &["ldap_url", "ldap_base_dn"],
                "oidc_auth" => &["oidc_name", "oidc_endpoint", "oidc_client_id", "oidc_scope"],
                "http_auth" => &["http_authproxy_endpoint"],
                _ => &[],
            };
            for attr in required {
                if !set(attr) {
                    diags.attr_error(
                        AttributePath::attr(attr),
                        format!("{attr} is missing"),
                        format!("auth_mode = \"{mode}\" needs {attr}: Harbor cannot sign anyone in without it. Set {attr}."),
                    );
                }
            }
            if mode == "oidc_auth" && !set("oidc_client_secret") && !set("oidc_client_secret_wo") {
                diags.attr_error(
                    AttributePath::attr("oidc_client_secret"),
                    "oidc_client_secret is missing",
                    "auth_mode = \"oidc_auth\" needs Harbor's client secret at the provider: set oidc_client_secret, or oidc_client_secret_wo with oidc_client_secret_wo_version.",
                );
            }
        }
        for (secret, wo) in [
            ("ldap_search_password", "ldap_search_password_wo"),
            ("oidc_client_secret", "oidc_client_secret_wo"),
        ] {
            let version = format!("{wo}_version");
            if set(secret) && set(wo) {
                diags.attr_error(
                    AttributePath::attr(wo),
                    format!("{secret} and {wo} conflict"),
                    format!("Set the secret either in {secret} (stored in state) or in {wo} (write-only), not both."),
                );
            }
            if set(secret) && set(&version) {
                diags.attr_error(
                    AttributePath::attr(&version),
                    format!("{version} goes with {wo}"),
                    format!("{version} versions the value of {wo}; remove it, or move the secret to {wo}."),
                );
            }
            if set(wo) != set(&version) {
                let missing = if set(wo) {
                    version.clone()
                } else {
                    wo.to_string()
                };
                diags.attr_error(
                    AttributePath::attr(&missing),
                    format!("{missing} is missing"),
                    format!("{wo} and {version} go together: set both (bump the version to apply a new secret)."),
                );
            }
        }
        if let Some(problem) = v.ldap_url.value().and_then(|u| ldap_url_problem(u)) {
            diags.attr_error(
                AttributePath::attr("ldap_url"),
                "Invalid LDAP URL",
                format!("{problem}."),
            );
        }
        if let Some(problem) = v
            .oidc_endpoint
            .value()
            .and_then(|u| http_url_problem(u, true))
        {
            diags.attr_error(
                AttributePath::attr("oidc_endpoint"),
                "Invalid OIDC endpoint",
                format!("{problem}."),
            );
        }
        for (attr, url) in [
            ("http_authproxy_endpoint", &v.http_authproxy_endpoint),
            (
                "http_authproxy_tokenreview_endpoint",
                &v.http_authproxy_tokenreview_endpoint,
            ),
        ] {
            if let Some(problem) = url
                .value()
                .filter(|u| !u.is_empty())
                .and_then(|u| http_url_problem(u, false))
            {
                diags.attr_error(
                    AttributePath::attr(attr),
                    format!("Invalid {attr}"),
                    format!("{problem}."),
                );
            }
        }
        if let Some(scope) = v.oidc_scope.value()
            && !scope.split(',').any(|s| s.trim() == "openid")
        {
            diags.attr_error(
                AttributePath::attr("oidc_scope"),
                "oidc_scope lacks openid",
                format!("{scope:?} does not include openid, without which the provider issues no ID token and Harbor cannot sign anyone in. Add openid, such as \"openid,email\"."),
            );
        }
        // Harbor's `LdapGroupValidateRule`: a group filter needs both attributes non-empty.
        if v.ldap_group_filter.value().is_some_and(|f| !f.is_empty()) {
            for (attr, val) in [
                ("ldap_group_gid", &v.ldap_group_gid),
                ("ldap_group_membership", &v.ldap_group_membership),
            ] {
                if val.value().is_some_and(|s| s.is_empty()) {
                    diags.attr_error(
                        AttributePath::attr(attr),
                        format!("{attr} is empty"),
                        format!("Harbor refuses an LDAP group filter with an empty {attr}. Set it, such as ldap_group_gid = \"cn\" and ldap_group_membership = \"memberof\"."),
                    );
                }
            }
        }
    }

    /// Refuses a mode change Harbor will refuse: the last refresh saw `auth_mode.editable`
    /// false, which Harbor answers while users other than admin exist.
    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        if ctx.planned.is_null() {
            return;
        }
        // The settings of the other modes are null after apply (see `from_harbor`): plan them so.
        if let Some(mode) = ctx.planned.get("auth_mode").as_str().map(str::to_owned) {
            for s in SETTINGS
                .iter()
                .filter(|s| s.kind != Kind::Secret && !belongs_to(s.mode, &mode))
            {
                if ctx.config.get(s.attr).is_null() {
                    ctx.planned.set(s.attr, Value::Null);
                }
            }
        }
        if ctx.is_create() {
            return;
        }
        let Some(prior) = model::read_view::<ConfigAuthView>(ctx.prior, ctx.diags) else {
            return;
        };
        let Some(planned) = model::read_view::<ConfigAuthView>(ctx.planned, ctx.diags) else {
            return;
        };
        // Only between modes Harbor has: validation reports any other value.
        if let (Some(from), Some(to)) = (prior.auth_mode.value(), planned.auth_mode.value())
            && MODES.contains(&from.as_str())
            && MODES.contains(&to.as_str())
            && canonical(from) != canonical(to)
            && prior.auth_mode_editable.value() == Some(&false)
        {
            ctx.diags.attr_error(
                AttributePath::attr("auth_mode"),
                "Harbor will refuse to change the auth mode",
                format!(
                    "Harbor is in {} mode and has users other than admin in its database (local users, or LDAP/OIDC users who have signed in); it refuses to change the auth mode then (\"the auth mode cannot be modified as new users have been inserted into database\"). Delete those users in Harbor first, or keep auth_mode = \"{from}\".",
                    canonical(from)
                ),
            );
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: ConfigAuthModel = model::from_value(state)?;
        let m = ConfigAuthModel::from_harbor(&self.fetch(h).await?, Some(&prior))?;
        Ok(Some(m.to_value()?))
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        self.apply(h, None, planned, config).await
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ConfigAuthModel = model::from_value(prior)?;
        self.apply(h, Some(&prior), planned, config).await
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ConfigAuthModel = model::from_value(prior)?;
        let managed = prior.managed_settings.value().cloned().unwrap_or_default();
        let mut put = Configurations::new();
        put.insert("auth_mode".into(), json!("db_auth"));
        for s in SETTINGS
            .iter()
            .filter(|s| managed.iter().any(|m| m == s.attr))
        {
            if let Some(default) = s.default {
                put.insert(s.key.into(), default());
            }
        }
        h.client.update_configurations(&put).await.map_err(|e| {
            config_diag(
                "Could not set Harbor's authentication back to its defaults",
                &e,
                Some(canonical(&prior.auth_mode)),
            )
        })
    }

    async fn import(&self, h: &HarborContext, _id: &str) -> Result<Value, Diagnostics> {
        let mut m = ConfigAuthModel::from_harbor(&self.fetch(h).await?, None)?;
        m.managed_settings = Known::Value(None);
        Ok(m.to_value()?)
    }

    /// goharbor's state: every attribute it has, unset ones as Go's zero values; no managed list
    /// (its delete did nothing, so a migrated resource manages nothing until its next apply).
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(
                &mut raw,
                &[
                    "ldap_search_password",
                    "oidc_client_secret",
                    "oidc_client_secret_wo",
                    "oidc_client_secret_wo_version",
                    "ldap_group_uid",
                ],
                &[],
            );
            if let Some(obj) = raw.as_object_mut() {
                for a in &Self::schema().block.attributes {
                    obj.entry(a.name.clone()).or_insert(serde_json::Value::Null);
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
            ConfigAuthResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn ldap_urls_follow_harbors_format_url() {
        for ok in [
            "ldap://ldap.example.com",
            "ldaps://ldap.example.com:636",
            "openldap.default.svc.cluster.local:389",
            "ldap://127.0.0.1:3890/",
        ] {
            assert_eq!(ldap_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://ldap.example.com",
            "ldap://",
            "ldap://host:port",
            "ldap://host:389/dc=x",
            "ldap://host:0",
        ] {
            assert!(ldap_url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn scopes_and_maps_convert_both_ways() {
        assert_eq!(to_harbor_value(Kind::Scope, &json!("onelevel")), json!(1));
        assert_eq!(from_harbor_value(Kind::Scope, json!(0)), json!("base"));
        assert_eq!(
            to_harbor_value(Kind::Map, &json!({"b": "2", "a": "1"})),
            json!("{\"a\":\"1\",\"b\":\"2\"}")
        );
        assert_eq!(
            from_harbor_value(Kind::Map, json!("{\"a\":\"1\"}")),
            json!({"a": "1"})
        );
    }
}
