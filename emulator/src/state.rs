//! The in-memory Harbor: every table behind one mutex, with ids that only ever grow.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde_json::Value;

use crate::control::{Faults, RequestCounter};
use crate::util::{Timestamp, random_secret};
use crate::version::Version;

/// The id of the first admin; owner of every project the emulator creates.
pub const ADMIN_USER_ID: i64 = 1;
pub const ADMIN_USERNAME: &str = "admin";
/// The built-in Trivy registration keeps one uuid so clients can pin it.
pub const TRIVY_UUID: &str = "5e2b9f1a-7c3d-4e8f-9a0b-1c2d3e4f5a6b";

#[derive(Debug, Clone)]
pub struct CveAllowlist {
    pub id: i64,
    pub expires_at: Option<i64>,
    pub items: Vec<String>,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub registry_id: Option<i64>,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
    /// Stored as Harbor stores `project_metadata`: string keys to string values.
    pub metadata: BTreeMap<String, String>,
    pub cve_allowlist: CveAllowlist,
    pub scanner_uuid: Option<String>,
}

impl Project {
    pub fn is_public(&self) -> bool {
        self.metadata.get("public").is_some_and(|v| v == "true")
    }
}

#[derive(Debug, Clone)]
pub struct Repository {
    pub id: i64,
    pub project_id: i64,
    /// Full name including the project, e.g. `library/nginx`.
    pub name: String,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Quota {
    pub id: i64,
    pub project_id: i64,
    pub hard_storage: i64,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// Where a robot permission applies; project namespaces are kept as ids so renames cannot confuse them
/// and permissions on deleted projects can be dropped on read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespace {
    System,
    AllProjects,
    Project(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub resource: String,
    pub action: String,
    pub effect: String,
}

#[derive(Debug, Clone)]
pub struct RobotPermission {
    pub namespace: Namespace,
    pub access: Vec<Access>,
}

#[derive(Debug, Clone)]
pub struct Robot {
    pub id: i64,
    /// Stored without the prefix: `name` for system robots, `project+name` for project robots.
    pub name: String,
    /// 0 for system robots.
    pub project_id: i64,
    pub description: String,
    pub duration: i64,
    pub disable: bool,
    pub expires_at: i64,
    pub permissions: Vec<RobotPermission>,
    pub salt: String,
    pub secret_hash: String,
    pub creator_type: String,
    pub creator_ref: i64,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

impl Robot {
    pub fn is_system(&self) -> bool {
        self.project_id == 0
    }
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub credential_type: String,
    pub access_key: String,
    pub access_secret: String,
    pub insecure: bool,
    pub ca_certificate: Option<String>,
    pub description: String,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

#[derive(Debug, Clone)]
pub struct ReplicationPolicy {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// 0 means the local Harbor.
    pub src_registry_id: i64,
    pub dest_registry_id: i64,
    pub dest_namespace: String,
    pub dest_namespace_replace_count: i64,
    pub trigger: Option<Value>,
    pub filters: Vec<Value>,
    pub deletion: bool,
    pub override_: bool,
    pub enabled: bool,
    pub speed: i64,
    pub copy_by_chunk: bool,
    pub single_active_replication: bool,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
    /// Who created it (`sc.GetUsername()`); a PUT writes the whole row without it, so it is then "".
    pub creator: String,
}

#[derive(Debug, Clone)]
pub struct Execution {
    pub id: i64,
    pub policy_id: i64,
    pub status: String,
    pub trigger: String,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    /// `extra_attrs.operator`: who started it.
    pub operator: String,
    /// `status_message`, e.g. "no resources need to be replicated".
    pub status_text: String,
}

/// A scanner adapter registration.
#[derive(Debug, Clone)]
pub struct ScannerRegistration {
    pub uuid: String,
    pub name: String,
    pub description: String,
    pub url: String,
    pub auth: String,
    pub access_credential: String,
    pub skip_cert_verify: bool,
    pub use_internal_addr: bool,
    pub disabled: bool,
    pub is_default: bool,
    /// The built-in registration cannot be changed or removed.
    pub immutable: bool,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// A periodic system job's schedule as `/system/.../schedule` stores it.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub id: i64,
    pub kind: String,
    pub cron: String,
    /// Job parameters as sent (`delete_untagged`, `audit_retention_hour`, ...).
    pub parameters: serde_json::Map<String, Value>,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// The handful of system configurations the emulator acts on, plus any other key a client stored.
#[derive(Debug, Clone)]
pub struct Settings {
    pub robot_name_prefix: String,
    pub quota_per_project_enable: bool,
    pub storage_per_project: i64,
    pub project_creation_restriction: String,
    pub robot_token_duration: i64,
    pub others: BTreeMap<String, Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            robot_name_prefix: "robot$".into(),
            quota_per_project_enable: true,
            storage_per_project: -1,
            project_creation_restriction: "everyone".into(),
            robot_token_duration: 30,
            others: BTreeMap::new(),
        }
    }
}

/// Monotonic id sequences, one per table, as Postgres serial columns behave.
#[derive(Debug, Default)]
pub struct Sequences {
    project: i64,
    repository: i64,
    quota: i64,
    robot: i64,
    registry: i64,
    policy: i64,
    execution: i64,
    allowlist: i64,
    retention: i64,
    schedule: i64,
    user: i64,
    usergroup: i64,
    member: i64,
}

macro_rules! sequence {
    ($name:ident) => {
        pub fn $name(&mut self) -> i64 {
            self.$name += 1;
            self.$name
        }
    };
}

impl Sequences {
    sequence!(project);
    sequence!(repository);
    sequence!(quota);
    sequence!(robot);
    sequence!(registry);
    sequence!(policy);
    sequence!(execution);
    sequence!(allowlist);
    sequence!(retention);
    sequence!(schedule);
    sequence!(user);
    sequence!(usergroup);
    sequence!(member);
}

#[derive(Debug, Default)]
pub struct Store {
    pub seq: Sequences,
    pub settings: Settings,
    /// Keyed by id; insert and remove through [`Store::insert_project`] and [`Store::remove_project`]
    /// so the name index stays in step.
    pub projects: BTreeMap<i64, Project>,
    project_names: HashMap<String, i64>,
    pub repositories: BTreeMap<i64, Repository>,
    pub quotas: BTreeMap<i64, Quota>,
    pub robots: BTreeMap<i64, Robot>,
    pub registries: BTreeMap<i64, Registry>,
    pub policies: BTreeMap<i64, ReplicationPolicy>,
    pub executions: BTreeMap<i64, Execution>,
    /// The system-level CVE allowlist (`project_id` 0); created on first write.
    pub system_allowlist: Option<CveAllowlist>,
    pub scan_all: Option<Schedule>,
    /// Scanner registrations by uuid; the built-in Trivy is always there.
    pub scanners: BTreeMap<String, ScannerRegistration>,
    pub gc: Option<Schedule>,
    pub purge_audit: Option<Schedule>,
    pub webhooks: crate::webhooks::Webhooks,
    pub preheat: crate::preheat::Instances,
    /// Artifacts, labels, immutable rules and retention (`crate::lifecycle`).
    pub lifecycle: crate::lifecycle::Lifecycle,
    /// Local users by id; the admin (id 1) is always there.
    pub users: BTreeMap<i64, User>,
    pub usergroups: BTreeMap<i64, UserGroup>,
    /// `project_member` rows by id.
    pub members: BTreeMap<i64, Member>,
    /// Replication tasks (`crate::replication_run`).
    pub replication_tasks: crate::replication_run::Tasks,
}

impl Store {
    /// A fresh Harbor: like a real install it holds the public `library` project (id 1) and its quota.
    pub fn new() -> Self {
        let mut store = Self::default();
        let now = Timestamp::now();
        let id = store.seq.project();
        let allowlist = store.new_allowlist(None, Vec::new(), now);
        let metadata = BTreeMap::from([("public".to_string(), "true".to_string())]);
        store.insert_project(Project {
            id,
            name: "library".into(),
            registry_id: None,
            creation_time: now,
            update_time: now,
            metadata,
            cve_allowlist: allowlist,
            scanner_uuid: None,
        });
        store.scanners.insert(
            TRIVY_UUID.into(),
            ScannerRegistration {
                uuid: TRIVY_UUID.into(),
                name: "Trivy".into(),
                description: "The Trivy scanner adapter".into(),
                url: "http://trivy-adapter:8080".into(),
                auth: String::new(),
                access_credential: String::new(),
                skip_cert_verify: false,
                use_internal_addr: true,
                disabled: false,
                is_default: true,
                immutable: true,
                creation_time: now,
                update_time: now,
            },
        );
        let quota_id = store.seq.quota();
        store.quotas.insert(
            quota_id,
            Quota {
                id: quota_id,
                project_id: id,
                hard_storage: -1,
                creation_time: now,
                update_time: now,
            },
        );
        // The schema migration inserts the admin (user 1) and makes it projectAdmin of `library`
        // (`make/migrations/postgresql/0001_initial_schema.up.sql`).
        let admin_id = store.seq.user();
        store.users.insert(
            admin_id,
            User {
                id: admin_id,
                username: ADMIN_USERNAME.into(),
                email: "admin@example.com".into(),
                realname: "system admin".into(),
                comment: "admin user".into(),
                sysadmin: true,
                password: None,
                creation_time: now,
                update_time: now,
            },
        );
        store.add_member(id, admin_id, 'u', crate::rbac::PROJECT_ADMIN, now);
        store
    }

    /// Inserts a `project_member` row and returns its id.
    pub fn add_member(
        &mut self,
        project_id: i64,
        entity_id: i64,
        entity_type: char,
        role: i64,
        now: Timestamp,
    ) -> i64 {
        let id = self.seq.member();
        self.members.insert(
            id,
            Member {
                id,
                project_id,
                entity_id,
                entity_type,
                role,
                creation_time: now,
                update_time: now,
            },
        );
        id
    }

    /// The role a user holds in a project through a `u` member row, if any.
    pub fn user_role(&self, project_id: i64, user_id: i64) -> Option<i64> {
        self.members
            .values()
            .find(|m| m.project_id == project_id && m.entity_type == 'u' && m.entity_id == user_id)
            .map(|m| m.role)
    }

    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.values().find(|u| u.username == username)
    }

    pub fn new_allowlist(
        &mut self,
        expires_at: Option<i64>,
        items: Vec<String>,
        now: Timestamp,
    ) -> CveAllowlist {
        CveAllowlist {
            id: self.seq.allowlist(),
            expires_at,
            items,
            creation_time: now,
            update_time: now,
        }
    }

    pub fn project_by_name(&self, name: &str) -> Option<&Project> {
        self.project_names
            .get(name)
            .and_then(|id| self.projects.get(id))
    }

    pub fn insert_project(&mut self, project: Project) {
        self.project_names.insert(project.name.clone(), project.id);
        self.projects.insert(project.id, project);
    }

    pub fn remove_project(&mut self, id: i64) -> Option<Project> {
        let project = self.projects.remove(&id)?;
        self.project_names.remove(&project.name);
        Some(project)
    }

    pub fn repo_count(&self, project_id: i64) -> usize {
        self.repositories
            .values()
            .filter(|r| r.project_id == project_id)
            .count()
    }

    pub fn quota_of(&self, project_id: i64) -> Option<&Quota> {
        self.quotas.values().find(|q| q.project_id == project_id)
    }

    pub fn next_retention_id(&mut self) -> i64 {
        self.seq.retention()
    }

    pub fn registry_in_use(&self, id: i64) -> bool {
        self.policies
            .values()
            .any(|p| p.src_registry_id == id || p.dest_registry_id == id)
            || self.projects.values().any(|p| p.registry_id == Some(id))
    }
}

/// Everything a request handler can reach.
pub struct AppInner {
    pub version: Version,
    pub admin_password: String,
    pub version_text: String,
    pub base_url: String,
    pub latency_ms: u64,
    pub store: Mutex<Store>,
    pub counter: RequestCounter,
    pub faults: Faults,
    /// Health-check clients, built on first use: most emulators never probe a registry.
    pub probes: ProbeClients,
    /// The exchange log, when `Config::record_exchanges` is on.
    pub exchanges: crate::record::Recorder,
}

#[derive(Debug, Default)]
pub struct ProbeClients {
    strict: OnceLock<reqwest::Client>,
    insecure: OnceLock<reqwest::Client>,
}

impl ProbeClients {
    /// A client with a short timeout that never uses a proxy, optionally trusting an extra CA.
    pub fn build(insecure: bool, ca: Option<reqwest::Certificate>) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(2))
            .no_proxy()
            .tls_danger_accept_invalid_certs(insecure);
        if let Some(cert) = ca {
            builder = builder.add_root_certificate(cert);
        }
        builder.build().unwrap_or_default()
    }

    pub fn get(&self, insecure: bool) -> &reqwest::Client {
        let cell = if insecure {
            &self.insecure
        } else {
            &self.strict
        };
        cell.get_or_init(|| Self::build(insecure, None))
    }
}

pub type App = Arc<AppInner>;

impl AppInner {
    /// Locks the store; a panic in another handler must not wedge the emulator, so poison is ignored.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Salted SHA-256 as Harbor stores robot secrets; the plain secret never lives in the store.
pub fn hash_secret(salt: &str, secret: &str) -> String {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{salt}{secret}").as_bytes(),
    );
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn new_salt() -> String {
    random_secret(16)
}

/// A local (database) user. Deleted users are removed: Harbor soft-deletes them and renames the
/// username and email to `name#id`, so to every API they are gone and the name is free again.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub realname: String,
    pub comment: String,
    pub sysadmin: bool,
    /// `(salt, hash)`; `None` for the admin until its password is changed: it logs in with the
    /// emulator's configured admin password.
    pub password: Option<(String, String)>,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// A user group (`user_group`): 1 LDAP, 2 HTTP, 3 OIDC.
#[derive(Debug, Clone)]
pub struct UserGroup {
    pub id: i64,
    pub group_name: String,
    pub group_type: i64,
    pub ldap_group_dn: String,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// A `project_member` row: a user (`u`) or group (`g`) with a role in a project.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub project_id: i64,
    pub entity_id: i64,
    pub entity_type: char,
    pub role: i64,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}
