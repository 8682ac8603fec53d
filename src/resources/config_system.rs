//! `harbor_config_system`: Harbor's system settings (project creation, token lifetimes, the
//! robot name prefix, the default project quota, audit-log forwarding, the UI banner, ...).
//! One per Harbor.
//!
//! Unlike goharbor, which gives every setting a default and so resets whatever the
//! configuration leaves out, this resource writes only the settings the configuration sets.
//! The others are read back (they show in state) and left as Harbor has them. It records the
//! settings it writes in `managed_settings`.
//!
//! Requests: read = `GET /configurations`; create and update = `PUT /configurations` with the
//! configured settings only, then `GET /configurations` (create adopts Harbor's settings);
//! delete = `PUT /configurations` setting each managed setting back to Harbor's default (from
//! Harbor's `lib/config/metadata/metadatalist.go`). Import: any id (goharbor's importer accepts
//! any); the id is `configuration/system` as in goharbor. Needs a system administrator.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::HarborContext;
use crate::harbor::models::{Configurations, ConfigurationsResponse};
use crate::schema::def::{Nesting, validators};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::{SCHEMA_VERSION_AFTER_GO, storage_quota_validator};

pub struct ConfigSystemResource;

const ID: &str = "configuration/system";

/// One setting: the attribute, Harbor's key, and Harbor's default (`metadatalist.go`).
struct Setting {
    attr: &'static str,
    key: &'static str,
    default: fn() -> serde_json::Value,
}

const SETTINGS: &[Setting] = &[
    Setting {
        attr: "project_creation_restriction",
        key: "project_creation_restriction",
        default: || json!("everyone"),
    },
    Setting {
        attr: "read_only",
        key: "read_only",
        default: || json!(false),
    },
    Setting {
        attr: "robot_token_expiration",
        key: "robot_token_duration",
        default: || json!(30),
    },
    Setting {
        attr: "token_expiration",
        key: "token_expiration",
        default: || json!(30),
    },
    Setting {
        attr: "session_timeout",
        key: "session_timeout",
        default: || json!(60),
    },
    Setting {
        attr: "robot_name_prefix",
        key: "robot_name_prefix",
        default: || json!("robot$"),
    },
    Setting {
        attr: "scanner_skip_update_pulltime",
        key: "scanner_skip_update_pulltime",
        default: || json!(false),
    },
    Setting {
        attr: "storage_per_project",
        key: "storage_per_project",
        default: || json!(-1),
    },
    Setting {
        attr: "audit_log_forward_endpoint",
        key: "audit_log_forward_endpoint",
        default: || json!(""),
    },
    Setting {
        attr: "skip_audit_log_database",
        key: "skip_audit_log_database",
        default: || json!(false),
    },
    Setting {
        attr: "notification_enable",
        key: "notification_enable",
        default: || json!(true),
    },
    Setting {
        attr: "disabled_audit_log_event_types",
        key: "disabled_audit_log_event_types",
        default: || json!(""),
    },
    Setting {
        attr: "banner_message",
        key: "banner_message",
        default: || json!(""),
    },
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigSystemModel {
    pub id: Known<Option<String>>,
    pub project_creation_restriction: Known<Option<String>>,
    pub read_only: Known<Option<bool>>,
    pub robot_token_expiration: Known<Option<i64>>,
    pub token_expiration: Known<Option<i64>>,
    pub session_timeout: Known<Option<i64>>,
    pub robot_name_prefix: Known<Option<String>>,
    pub scanner_skip_update_pulltime: Known<Option<bool>>,
    pub storage_per_project: Known<Option<i64>>,
    pub audit_log_forward_endpoint: Known<Option<String>>,
    pub skip_audit_log_database: Known<Option<bool>>,
    pub notification_enable: Known<Option<bool>>,
    pub disabled_audit_log_event_types: Known<Option<String>>,
    pub banner_message: Vec<BannerMessage>,
    pub managed_settings: Known<Option<Vec<String>>>,
}

/// The banner block; Harbor keeps it as one JSON string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BannerMessage {
    pub closable: bool,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub from_date: String,
    pub to_date: String,
}

/// Harbor's `banner_message` value: `{"closable","message","type","fromDate","toDate"}`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct HarborBanner {
    closable: bool,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "fromDate")]
    from_date: String,
    #[serde(rename = "toDate")]
    to_date: String,
}

/// Copies each field of `$from` into `$into` where `$into`'s is unknown.
macro_rules! fill_unknown {
    ($into:expr, $from:expr, [$($f:ident),*]) => {
        $( if $into.$f.is_unknown() { $into.$f = $from.$f.clone(); } )*
    };
}

impl ConfigSystemModel {
    /// Every setting as Harbor has it. The banner shows only when `with_banner` (a block the
    /// configuration does not write would otherwise plan its own removal).
    fn from_harbor(cfg: &ConfigurationsResponse, with_banner: bool) -> Self {
        let v = |k: &str| {
            cfg.get(k)
                .map(|i| i.value.clone())
                .unwrap_or(serde_json::Value::Null)
        };
        let s = |k: &str| Known::Value(v(k).as_str().map(str::to_string));
        let b = |k: &str| Known::Value(v(k).as_bool());
        let n = |k: &str| Known::Value(v(k).as_i64());
        let banner = v("banner_message")
            .as_str()
            .filter(|t| !t.trim().is_empty())
            .and_then(|t| serde_json::from_str::<HarborBanner>(t).ok())
            .filter(|_| with_banner)
            .map(|b| BannerMessage {
                closable: b.closable,
                message: b.message,
                kind: if b.kind.is_empty() {
                    "info".into()
                } else {
                    b.kind
                },
                from_date: b.from_date,
                to_date: b.to_date,
            });
        ConfigSystemModel {
            id: Some(ID.to_string()).into(),
            project_creation_restriction: s("project_creation_restriction"),
            read_only: b("read_only"),
            robot_token_expiration: n("robot_token_duration"),
            token_expiration: n("token_expiration"),
            session_timeout: n("session_timeout"),
            robot_name_prefix: s("robot_name_prefix"),
            scanner_skip_update_pulltime: b("scanner_skip_update_pulltime"),
            storage_per_project: Known::Value(
                v("storage_per_project").as_i64().map(super::bytes_to_gib),
            ),
            audit_log_forward_endpoint: s("audit_log_forward_endpoint"),
            skip_audit_log_database: b("skip_audit_log_database"),
            notification_enable: b("notification_enable"),
            disabled_audit_log_event_types: s("disabled_audit_log_event_types"),
            banner_message: banner.into_iter().collect(),
            managed_settings: Known::Unknown,
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ConfigSystemResource::schema().ty())
    }
}

/// The attributes the configuration sets, in schema order.
fn configured(config: &Value) -> Vec<String> {
    SETTINGS
        .iter()
        .filter(|s| match config.get(s.attr) {
            Value::Null => false,
            Value::List(items) => !items.is_empty(),
            _ => true,
        })
        .map(|s| s.attr.to_string())
        .collect()
}

/// The `PUT /configurations` body for the configured settings of `m`.
fn body(m: &ConfigSystemModel, managed: &[String]) -> Configurations {
    let mut out = Configurations::new();
    let has = |a: &str| managed.iter().any(|m| m == a);
    macro_rules! put {
        ($attr:literal, $key:literal, $val:expr) => {
            if has($attr) {
                if let Some(v) = $val {
                    out.insert($key.into(), json!(v));
                }
            }
        };
    }
    put!(
        "project_creation_restriction",
        "project_creation_restriction",
        m.project_creation_restriction.value()
    );
    put!("read_only", "read_only", m.read_only.value());
    put!(
        "robot_token_expiration",
        "robot_token_duration",
        m.robot_token_expiration.value()
    );
    put!(
        "token_expiration",
        "token_expiration",
        m.token_expiration.value()
    );
    put!(
        "session_timeout",
        "session_timeout",
        m.session_timeout.value()
    );
    put!(
        "robot_name_prefix",
        "robot_name_prefix",
        m.robot_name_prefix.value()
    );
    put!(
        "scanner_skip_update_pulltime",
        "scanner_skip_update_pulltime",
        m.scanner_skip_update_pulltime.value()
    );
    put!(
        "storage_per_project",
        "storage_per_project",
        m.storage_per_project
            .value()
            .map(|g| super::gib_to_bytes(*g))
    );
    put!(
        "audit_log_forward_endpoint",
        "audit_log_forward_endpoint",
        m.audit_log_forward_endpoint.value()
    );
    put!(
        "skip_audit_log_database",
        "skip_audit_log_database",
        m.skip_audit_log_database.value()
    );
    put!(
        "notification_enable",
        "notification_enable",
        m.notification_enable.value()
    );
    put!(
        "disabled_audit_log_event_types",
        "disabled_audit_log_event_types",
        m.disabled_audit_log_event_types.value()
    );
    if has("banner_message")
        && let Some(b) = m.banner_message.first()
    {
        let harbor = HarborBanner {
            closable: b.closable,
            message: b.message.clone(),
            kind: b.kind.clone(),
            from_date: b.from_date.clone(),
            to_date: b.to_date.clone(),
        };
        out.insert(
            "banner_message".into(),
            json!(serde_json::to_string(&harbor).unwrap_or_default()),
        );
    }
    out
}

fn settings_diag(what: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    let summary = format!("{what} (harbor_config_system)");
    let text = e.to_string();
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            summary,
            format!("{text}. System settings need a Harbor system administrator."),
        );
    } else if text.contains("audit endpoint") {
        // Harbor dials a new endpoint after saving it; the setting stays, the apply fails.
        d.attr_error(
            AttributePath::attr("audit_log_forward_endpoint"),
            summary,
            format!("{text}. Harbor could not open a TCP connection to this syslog endpoint: check that the receiver listens there and that Harbor can reach it, then apply again."),
        );
    } else {
        d.error(
            summary,
            format!("{text}. Check the values Harbor refused, then apply again."),
        );
    }
    d
}

impl ConfigSystemResource {
    pub fn schema() -> Schema {
        let setting = |a: Attribute| a.optional_computed().use_state_for_unknown();
        let banner = Block::new("The banner Harbor's UI shows to everyone.")
            .attr(
                Attribute::string("message")
                    .required()
                    .describe("The text of the banner.")
                    .validate(validators::not_empty()),
            )
            .attr(
                Attribute::bool("closable")
                    .default(false)
                    .describe("Whether users may close the banner."),
            )
            .attr(
                Attribute::string("type")
                    .default("info")
                    .describe("`success`, `info`, `warning` or `danger`.")
                    .validate(validators::one_of(&[
                        "success", "info", "warning", "danger",
                    ])),
            )
            .attr(
                Attribute::string("from_date")
                    .default("")
                    .describe("First day it shows, `MM/DD/YYYY`; empty for now."),
            )
            .attr(
                Attribute::string("to_date")
                    .default("")
                    .describe("Last day it shows, `MM/DD/YYYY`; empty for no end."),
            );
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "Harbor's system settings. Only the settings this configuration sets are written; the others are read \
                 back into state and left as Harbor has them (goharbor instead reset every unset setting to its own \
                 default). Harbor has one set of settings: creating this resource adopts them; destroying it sets each \
                 setting this configuration wrote (`managed_settings`) back to Harbor's default. Removing an attribute \
                 from the configuration leaves that setting as it is. Needs a system administrator. Import with any \
                 id, e.g. `configuration/system`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `configuration/system`."))
            .attr(setting(Attribute::string("project_creation_restriction")).describe("Who may create projects: `adminonly` or `everyone` (Harbor's default).").validate(validators::one_of(&["adminonly", "everyone"])))
            .attr(setting(Attribute::bool("read_only")).describe("Read-only mode: no pushes, deletions or changes. Harbor's default: `false`."))
            .attr(setting(Attribute::number("robot_token_expiration")).describe("Days a new robot account's token lasts (Harbor's `robot_token_duration`). Harbor's default: 30.").validate(validators::int_between(1, 9_999_999_999)))
            .attr(setting(Attribute::number("token_expiration")).describe("Minutes a registry token lasts. Harbor's default: 30.").validate(validators::int_between(1, 9_999_999_999)))
            .attr(setting(Attribute::number("session_timeout")).describe("Minutes a UI session lasts. Harbor's default: 60.").validate(validators::int_between(1, 9_999_999_999)))
            .attr(setting(Attribute::string("robot_name_prefix")).describe("Prefix of robot account names; may be empty, as Harbor allows. Harbor's default: `robot$`."))
            .attr(setting(Attribute::bool("scanner_skip_update_pulltime")).describe("Scanner pulls do not update an artifact's pull time. Harbor's default: `false`."))
            .attr(setting(Attribute::number("storage_per_project")).describe("Default storage quota of new projects in GiB; -1 for unlimited (Harbor's default).").validate(storage_quota_validator()))
            .attr(setting(Attribute::string("audit_log_forward_endpoint")).describe("`host:port` of a syslog server (TCP) Harbor forwards audit records to; empty for none (Harbor's default). Harbor refuses an endpoint it cannot connect to."))
            .attr(setting(Attribute::bool("skip_audit_log_database")).describe("Keep audit records out of Harbor's database (forward them only). Needs `audit_log_forward_endpoint`. Harbor's default: `false`."))
            .attr(setting(Attribute::bool("notification_enable")).describe("Webhooks on (Harbor's default, `true`); when `false`, every project's webhook policies are ignored."))
            .attr(setting(Attribute::string("disabled_audit_log_event_types")).describe("Comma-separated audit event types not logged, such as `create_artifact,delete_artifact`. Harbor's default: none."))
            .attr(Attribute::typed("managed_settings", Type::List(Box::new(Type::String))).computed().describe("The attributes this configuration writes; destroying the resource sets these back to Harbor's defaults."))
            .block_bounded("banner_message", Nesting::List, banner, 0, 1),
        )
    }

    async fn fetch(&self, h: &HarborContext) -> Result<ConfigurationsResponse, Diagnostics> {
        h.client
            .get_configurations()
            .await
            .map_err(|e| settings_diag("Could not read Harbor's system settings", &e))
    }

    async fn apply(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut m: ConfigSystemModel = model::from_value(planned)?;
        let managed = configured(config);
        let put = body(&m, &managed);
        if !put.is_empty() {
            h.client
                .update_configurations(&put)
                .await
                .map_err(|e| settings_diag("Could not write Harbor's system settings", &e))?;
        }
        let harbor = ConfigSystemModel::from_harbor(&self.fetch(h).await?, false);
        fill_unknown!(
            m,
            harbor,
            [
                id,
                project_creation_restriction,
                read_only,
                robot_token_expiration,
                token_expiration,
                session_timeout,
                robot_name_prefix,
                scanner_skip_update_pulltime,
                storage_per_project,
                audit_log_forward_endpoint,
                skip_audit_log_database,
                notification_enable,
                disabled_audit_log_event_types
            ]
        );
        if m.managed_settings.is_unknown() {
            m.managed_settings = Some(managed).into();
        }
        Ok(m.to_value()?)
    }
}

#[async_trait]
impl Resource<HarborContext> for ConfigSystemResource {
    fn type_name(&self) -> &'static str {
        "harbor_config_system"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ConfigSystemModel>(
            &Self::schema().ty(),
        ))
    }

    /// Harbor refuses to skip the audit database with no endpoint (`verifySkipAuditLogCfg`).
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        if config.get("skip_audit_log_database").as_bool() == Some(true)
            && config
                .get("audit_log_forward_endpoint")
                .as_str()
                .is_some_and(|e| e.trim().is_empty())
        {
            diags.attr_error(
                AttributePath::attr("skip_audit_log_database"),
                "Audit records would be kept nowhere",
                "`skip_audit_log_database = true` needs a non-empty `audit_log_forward_endpoint` (Harbor refuses it otherwise).",
            );
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: ConfigSystemModel = model::from_value(state)?;
        let mut m =
            ConfigSystemModel::from_harbor(&self.fetch(h).await?, !prior.banner_message.is_empty());
        m.managed_settings = prior.managed_settings;
        Ok(Some(m.to_value()?))
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        self.apply(h, planned, config).await
    }

    async fn update(
        &self,
        h: &HarborContext,
        _prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        self.apply(h, planned, config).await
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ConfigSystemModel = model::from_value(prior)?;
        let managed = prior.managed_settings.value().cloned().unwrap_or_default();
        let mut put = Configurations::new();
        for s in SETTINGS
            .iter()
            .filter(|s| managed.iter().any(|m| m == s.attr))
        {
            put.insert(s.key.into(), (s.default)());
        }
        if put.is_empty() {
            return Ok(());
        }
        h.client
            .update_configurations(&put)
            .await
            .map_err(|e| settings_diag("Could not restore Harbor's default system settings", &e))
    }

    async fn import(&self, h: &HarborContext, _id: &str) -> Result<Value, Diagnostics> {
        let mut m = ConfigSystemModel::from_harbor(&self.fetch(h).await?, true);
        m.managed_settings = Known::Value(None);
        Ok(m.to_value()?)
    }

    /// goharbor's state: every setting written, `banner_message` dates as `""`. Its delete did
    /// nothing, so a migrated resource manages nothing until its next apply.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0
            && let Some(obj) = raw.as_object_mut()
        {
            obj.entry("managed_settings")
                .or_insert(serde_json::Value::Null);
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
            ConfigSystemResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn only_configured_settings_are_sent() {
        let m = ConfigSystemModel {
            id: Known::Unknown,
            project_creation_restriction: Known::Value(Some("adminonly".into())),
            read_only: Known::Unknown,
            robot_token_expiration: Known::Value(Some(10)),
            token_expiration: Known::Unknown,
            session_timeout: Known::Unknown,
            robot_name_prefix: Known::Unknown,
            scanner_skip_update_pulltime: Known::Unknown,
            storage_per_project: Known::Value(Some(2)),
            audit_log_forward_endpoint: Known::Unknown,
            skip_audit_log_database: Known::Unknown,
            notification_enable: Known::Value(Some(false)),
            disabled_audit_log_event_types: Known::Unknown,
            banner_message: vec![],
            managed_settings: Known::Unknown,
        };
        let managed: Vec<String> = [
            "project_creation_restriction",
            "robot_token_expiration",
            "storage_per_project",
        ]
        .map(String::from)
        .to_vec();
        let b = body(&m, &managed);
        assert_eq!(b.len(), 3);
        assert_eq!(b["robot_token_duration"], 10);
        assert_eq!(b["storage_per_project"], 2 * super::super::GIB);
    }
}
