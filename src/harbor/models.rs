//! Serde types named after Harbor's swagger definitions (v2.15.2), trimmed to what the provider reads or writes.
//!
//! Why the attributes: every struct is `#[serde(default)]` so a field an older or newer
//! Harbor leaves out never fails decoding, and request-side optional fields are
//! `skip_serializing_if` so we never send a field we did not mean to (Harbor treats some
//! present-but-empty fields differently from absent ones, e.g. `retention_id`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// `Errors`: Harbor's error body, `{"errors":[{"code":..,"message":..}]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Errors {
    pub errors: Vec<ErrorItem>,
}

/// `Error`: one entry of [`Errors`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorItem {
    pub code: String,
    pub message: String,
}

// ---------------------------------------------------------------- projects

/// `Project`: a project as Harbor returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    pub project_id: i64,
    pub owner_id: i64,
    pub name: String,
    /// Set (non-zero) only for proxy-cache projects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    // No `deleted`, `togglable` or `current_user_role_id(s)`: the provider reads none of them,
    // Harbor 2.15 never sends the first two, and it sends `"current_user_role_ids": null` to a
    // caller who is no project member (a robot), which a `Vec` refuses to decode.
    pub owner_name: String,
    pub repo_count: i64,
    pub metadata: ProjectMetadata,
    pub cve_allowlist: CveAllowlist,
}

/// `ProjectReq`: the body of `POST /projects` and `PUT /projects/{p}`. On PUT only
/// `metadata` and `cve_allowlist` are applied; Harbor ignores the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectReq {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    /// Deprecated by Harbor; `metadata.public` wins when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ProjectMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve_allowlist: Option<CveAllowlist>,
    /// Bytes; -1 unlimited. Honoured on create only, and only for sysadmins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_limit: Option<i64>,
    /// Makes the project a proxy cache of this registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<i64>,
}

/// `ProjectMetadata`. Every value is a string in Harbor, booleans included ("true"/"false").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_content_trust: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_content_trust_cosign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prevent_vul: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_scan: Option<String>,
    /// Since 2.11.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_sbom_generation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse_sys_cve_allowlist: Option<String>,
    /// Server-managed: absent on create; on PUT omit it or send the current value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_id: Option<String>,
    /// Proxy projects only; since 2.12.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_speed_kb: Option<String>,
    /// Proxy projects only; since 2.15.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_upstream_conn: Option<String>,
    /// Since 2.15.1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_cache_local_on_not_found: Option<String>,
}

/// `CVEAllowlist`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CveAllowlist {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Must be 0 or the project's own id on PUT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<i64>,
    /// Epoch seconds; `None` never expires.
    pub expires_at: Option<i64>,
    pub items: Vec<CveAllowlistItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// `CVEAllowlistItem`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CveAllowlistItem {
    pub cve_id: String,
}

/// `ProjectSummary`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSummary {
    pub repo_count: i64,
    pub project_admin_count: i64,
    pub maintainer_count: i64,
    pub developer_count: i64,
    pub guest_count: i64,
    pub limited_guest_count: i64,
    /// Present when quotas are enabled and the caller may read them.
    pub quota: Option<ProjectSummaryQuota>,
    /// Present for proxy-cache projects.
    pub registry: Option<Registry>,
}

/// `ProjectSummaryQuota`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSummaryQuota {
    pub hard: ResourceList,
    pub used: ResourceList,
}

/// `ProjectDeletable`: the answer of `GET /projects/{p}/_deletable`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectDeletable {
    pub deletable: bool,
    pub message: Option<String>,
}

// ---------------------------------------------------------------- quotas

/// `ResourceList`: Harbor knows only `storage` (bytes; -1 unlimited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<i64>,
}

/// `Quota`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quota {
    pub id: i64,
    #[serde(rename = "ref")]
    pub reference: QuotaRefObject,
    pub hard: ResourceList,
    pub used: ResourceList,
    pub creation_time: Option<String>,
    pub update_time: Option<String>,
}

/// `QuotaRefObject`: the project a quota belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuotaRefObject {
    pub id: i64,
    pub name: String,
    pub owner_name: String,
}

/// `QuotaUpdateReq`: the body of `PUT /quotas/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuotaUpdateReq {
    pub hard: ResourceList,
}

// ---------------------------------------------------------------- repositories, scanners

/// `Repository`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Repository {
    pub id: i64,
    pub project_id: i64,
    /// Full name including the project, e.g. `library/nginx`.
    pub name: String,
    pub description: Option<String>,
    pub artifact_count: i64,
    pub pull_count: i64,
    pub creation_time: Option<String>,
    pub update_time: Option<String>,
}

/// `ScannerRegistration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScannerRegistration {
    pub uuid: String,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub disabled: bool,
    pub is_default: bool,
    pub auth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_credential: Option<Secret>,
    #[serde(rename = "skip_certVerify")]
    pub skip_cert_verify: bool,
    pub use_internal_addr: bool,
    pub create_time: Option<String>,
    pub update_time: Option<String>,
    pub adapter: Option<String>,
    pub vendor: Option<String>,
    pub version: Option<String>,
    pub health: Option<String>,
}

/// `ProjectScanner`: the body of `PUT /projects/{p}/scanner`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectScanner {
    pub uuid: String,
}

// ---------------------------------------------------------------- robots

/// `Robot`: a robot account as read, and the body of `PUT /robots/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Robot {
    pub id: i64,
    /// The full name with prefix, e.g. `robot$proj+ci`. PUT must send it unchanged.
    pub name: String,
    pub description: String,
    /// Never returned by GET; present here because the swagger type has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// `system` or `project`.
    pub level: String,
    /// Days; -1 never expires. Omitted on PUT keeps the current value (2.11+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    pub editable: bool,
    pub disable: bool,
    pub expires_at: i64,
    pub permissions: Vec<RobotPermission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator_ref: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// `RobotCreate`: the body of `POST /robots`. Harbor ignores `disable` and `secret`
/// here in every version; they are kept for completeness of the definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RobotCreate {
    /// The short name, without prefix or project.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Days; -1 never expires; 0 is rejected from 2.11.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    pub level: String,
    pub permissions: Vec<RobotPermission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

/// `RobotCreated`: the answer of `POST /robots`, the only read that carries the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RobotCreated {
    pub id: i64,
    pub name: String,
    pub secret: Secret,
    pub creation_time: Option<String>,
    pub expires_at: i64,
}

/// `RobotSec`: body and answer of `PATCH /robots/{id}`. `{}` asks for a random secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RobotSec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

/// `RobotPermission`: `kind` is `system` (namespace `/`) or `project` (namespace =
/// project name, or `*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RobotPermission {
    pub kind: String,
    pub namespace: String,
    pub access: Vec<Access>,
}

/// `Access`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Access {
    pub resource: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

/// `Permissions`: the answer of `GET /permissions`. Only sysadmins see `system`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Permissions {
    pub system: Vec<Permission>,
    pub project: Vec<Permission>,
}

/// `Permission`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Permission {
    pub resource: String,
    pub action: String,
}

// ---------------------------------------------------------------- registries

/// `Registry`: a remote registry as read, and the body of `POST /registries`.
/// In a replication policy only `id` is read, see [`Registry::reference`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Harbor normalises it: trailing `/` removed, `http://` added without a scheme.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub registry_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<RegistryCredential>,
    pub insecure: bool,
    /// PEM; since 2.15.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Computed by Harbor: `healthy` / `unhealthy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

impl Registry {
    /// A registry referenced by id only, as replication policies need.
    pub fn reference(id: i64) -> Self {
        Self {
            id: Some(id),
            ..Self::default()
        }
    }
}

/// `RegistryCredential`. On read `access_secret` is `*****`; never send that back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryCredential {
    /// `basic` or `oauth`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<Secret>,
}

/// `RegistryUpdate`: the flat, partial body of `PUT /registries/{id}`; only sent fields change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<String>,
}

/// `RegistryPing`: the body of `POST /registries/ping`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryPing {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub registry_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<String>,
}

/// `RegistryProviderInfo`: one entry of `GET /replication/adapterinfos`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryProviderInfo {
    pub endpoint_pattern: Option<RegistryProviderEndpointPattern>,
    pub credential_pattern: Option<RegistryProviderCredentialPattern>,
}

/// `RegistryProviderEndpointPattern`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryProviderEndpointPattern {
    pub endpoint_type: String,
    pub endpoints: Vec<RegistryEndpoint>,
}

/// `RegistryEndpoint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryEndpoint {
    pub key: String,
    pub value: String,
}

/// `RegistryProviderCredentialPattern`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistryProviderCredentialPattern {
    pub access_key_type: String,
    pub access_key_data: String,
    pub access_secret_type: String,
    pub access_secret_data: String,
}

// ---------------------------------------------------------------- replication

/// `ReplicationPolicy`. PUT replaces the whole policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicationPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A remote id here means pull; `None` or id 0 is the local Harbor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_registry: Option<Registry>,
    /// A remote id here means push.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_registry: Option<Registry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_namespace: Option<String>,
    /// Omitted means -1 (legacy flattening).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dest_namespace_replace_count: Option<i8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<ReplicationTrigger>,
    pub filters: Vec<ReplicationFilter>,
    /// Ignored by Harbor on input; it reads `deletion`. Send both with the same value.
    pub replicate_deletion: bool,
    pub deletion: bool,
    #[serde(rename = "override")]
    pub override_: bool,
    pub enabled: bool,
    /// KB/s per task; since 2.4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_by_chunk: Option<bool>,
    /// Since 2.14.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_active_replication: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// `ReplicationTrigger`: `manual`, `scheduled` (with a 6-field cron) or `event_based`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicationTrigger {
    #[serde(rename = "type")]
    pub trigger_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_settings: Option<ReplicationTriggerSettings>,
}

/// `ReplicationTriggerSettings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicationTriggerSettings {
    pub cron: String,
}

/// `ReplicationFilter`: `value` is a glob string for `name`/`tag`/`resource`
/// and an array of strings for `label`, hence JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicationFilter {
    #[serde(rename = "type")]
    pub filter_type: String,
    pub value: serde_json::Value,
    /// `matches` or `excludes`; tag and label filters only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoration: Option<String>,
}

/// `StartReplicationExecution`: the body of `POST /replication/executions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StartReplicationExecution {
    pub policy_id: i64,
}

/// `ReplicationExecution`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicationExecution {
    pub id: i64,
    pub policy_id: i64,
    /// `InProgress`, `Succeed`, `Failed`, `Stopped`.
    pub status: String,
    pub trigger: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub status_text: Option<String>,
    pub total: i64,
    pub failed: i64,
    pub succeed: i64,
    pub in_progress: i64,
    pub stopped: i64,
}

// ---------------------------------------------------------------- system, users, configuration

/// `GeneralInfo`: the answer of `GET /systeminfo`. `harbor_version`, `external_url`,
/// `project_creation_restriction` and `read_only` reach authenticated callers only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GeneralInfo {
    pub banner_message: Option<String>,
    pub current_time: Option<String>,
    pub registry_url: Option<String>,
    pub external_url: Option<String>,
    pub auth_mode: Option<String>,
    pub primary_auth_mode: Option<bool>,
    pub project_creation_restriction: Option<String>,
    pub self_registration: Option<bool>,
    pub has_ca_root: Option<bool>,
    pub harbor_version: Option<String>,
    pub registry_storage_provider_name: Option<String>,
    pub read_only: Option<bool>,
    pub notification_enable: Option<bool>,
    pub oidc_provider_name: Option<String>,
}

/// `UserResp`: the answer of `GET /users/current`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserResp {
    pub user_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub realname: Option<String>,
    pub comment: Option<String>,
    pub sysadmin_flag: bool,
    pub admin_role_in_auth: bool,
    pub creation_time: Option<String>,
    pub update_time: Option<String>,
}

/// One entry of `ConfigurationsResponse`: `{value, editable}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConfigItem {
    pub value: serde_json::Value,
    pub editable: bool,
}

/// `ConfigurationsResponse`: the answer of `GET /configurations`, keyed by setting name.
/// A map rather than a struct because the key set changes between releases.
pub type ConfigurationsResponse = BTreeMap<String, ConfigItem>;

/// `Configurations`: the flat body of `PUT /configurations`, `{key: value}`.
pub type Configurations = serde_json::Map<String, serde_json::Value>;
