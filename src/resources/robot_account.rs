//! `harbor_robot_account`: CI credentials. goharbor/harbor's HCL works unchanged; on top of it,
//! secrets change in place (never by replacement, which would break every consumer), a
//! `rotation_triggers` map regenerates the secret on schedule, names never cause perpetual diffs
//! whatever the robot name prefix, and permissions are checked against Harbor's catalog at plan time.
//!
//! Requests: read = `GET /robots/{id}`; create = `POST /robots`, plus `PUT /robots/{id}` when
//! created disabled (Harbor ignores `disable` on create) and `PATCH /robots/{id}` when the secret
//! is given; update = `PUT /robots/{id}` for description, disable, duration and permissions (and
//! `GET /robots/{id}` for the new expiry after a duration change), `PATCH` for secret changes;
//! delete = `DELETE /robots/{id}`.

use crate::schema::identity::IdentityTemplate;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::Principal;
use crate::harbor::Secret;
use crate::harbor::models::{Access, Robot, RobotCreate, RobotPermission};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Type, Value};

use super::project::valid_project_name;
use super::{api_diag, import_not_found, not_found_is_none, numeric_import_id};

pub struct RobotAccountResource;

/// Harbor's permission catalog (v2.15): the resource → actions each kind of robot may hold.
/// Harbor answers 400 "bad request permission" for anything else, `*` included.
pub const SYSTEM_CATALOG: &[(&str, &[&str])] = &[
    ("audit-log", &["list"]),
    (
        "preheat-instance",
        &["create", "read", "update", "delete", "list"],
    ),
    ("project", &["list", "create"]),
    (
        "replication-policy",
        &["create", "read", "update", "delete", "list"],
    ),
    ("replication", &["read", "create", "list"]),
    ("replication-adapter", &["list"]),
    ("registry", &["create", "read", "update", "delete", "list"]),
    ("scan-all", &["read", "update", "stop", "create"]),
    ("system-volumes", &["read"]),
    (
        "garbage-collection",
        &["read", "create", "list", "update", "stop"],
    ),
    ("purge-audit", &["read", "create", "list", "update", "stop"]),
    ("jobservice-monitor", &["list", "stop"]),
    ("scanner", &["create", "read", "update", "delete", "list"]),
    ("label", &["read", "create", "delete", "update"]),
    ("security-hub", &["read", "list"]),
    ("catalog", &["read"]),
    ("quota", &["read", "list", "update"]),
    ("robot", &["create", "read", "list", "delete"]),
    ("user", &["create", "read", "update", "delete", "list"]),
    ("ldap-user", &["create", "list"]),
    (
        "user-group",
        &["create", "read", "update", "delete", "list"],
    ),
];

pub const PROJECT_CATALOG: &[(&str, &[&str])] = &[
    ("log", &["list"]),
    ("project", &["read", "delete", "update"]),
    ("metadata", &["create", "read", "update", "delete", "list"]),
    (
        "repository",
        &["read", "update", "delete", "list", "pull", "push"],
    ),
    ("artifact", &["read", "create", "list", "delete"]),
    ("scan", &["create", "read", "stop"]),
    ("sbom", &["create", "stop", "read"]),
    ("tag", &["create", "list", "delete"]),
    ("accessory", &["list"]),
    ("artifact-addition", &["read"]),
    ("artifact-label", &["create", "delete"]),
    ("scanner", &["create", "read"]),
    (
        "preheat-policy",
        &["create", "read", "update", "delete", "list"],
    ),
    ("immutable-tag", &["create", "delete", "list", "update"]),
    (
        "notification-policy",
        &["create", "read", "update", "delete", "list"],
    ),
    (
        "tag-retention",
        &["create", "read", "update", "delete", "list"],
    ),
    ("label", &["create", "read", "update", "delete", "list"]),
    ("quota", &["read"]),
    ("robot", &["create", "read", "list", "delete"]),
    ("export-cve", &["create", "read"]),
    ("member", &["create", "read", "update", "delete", "list"]),
];

fn catalog_allows(kind: &str, resource: &str, action: &str) -> bool {
    let table = if kind == "system" {
        SYSTEM_CATALOG
    } else {
        PROJECT_CATALOG
    };
    table
        .iter()
        .any(|(r, actions)| *r == resource && actions.contains(&action))
}

/// Harbor's rule for a robot secret: 8 to 128 characters with an upper-case letter, a lower-case
/// letter and a digit.
pub fn valid_secret(s: &str) -> bool {
    (8..=128).contains(&s.chars().count())
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_digit())
}

const SECRET_RULE: &str = "Harbor accepts secrets of 8 to 128 characters containing at least one upper-case letter, one lower-case letter and one digit.";

impl RobotAccountResource {
    pub fn schema() -> Schema {
        let access = Block::new("One permission: an action on a resource.")
            .attr(
                Attribute::string("action")
                    .required()
                    .describe("The action, e.g. `pull`, `push`, `read`, `list`.")
                    .validate(validators::not_empty()),
            )
            .attr(
                Attribute::string("resource")
                    .required()
                    .describe("The resource, e.g. `repository`, `artifact`, `tag`.")
                    .validate(validators::not_empty()),
            )
            .attr(
                Attribute::string("effect")
                    .default("allow")
                    .describe("`allow` (the default) or `deny`.")
                    .validate(validators::one_of(&["allow", "deny"])),
            );
        let permissions = Block::new("What the robot may do in one namespace.")
            .attr(Attribute::string("kind").required().describe("`system` for Harbor-wide permissions, `project` for a project's.").validate(validators::one_of(&["system", "project"])))
            .attr(Attribute::string("namespace").required().describe("`/` for kind `system`; the project name for kind `project`, or `*` for every project (system robots only)."))
            .block_bounded("access", Nesting::Set, access, 1, 0);
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A robot account: credentials for CI pipelines and replication. The secret is stored in state (sensitive) \
                 unless `secret_wo` is used. Changing `secret`, `secret_wo_version` or `rotation_triggers` changes the secret \
                 in place; only `name` and `level` replace the robot. An imported robot's secret cannot be recovered: it is \
                 null in state until set or rotated.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The robot's API path, `/robots/<robot_id>`."))
            .attr(Attribute::string("robot_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the robot, as a string (as goharbor/harbor sets it)."))
            .attr(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .describe("The robot's short name, without prefix or project: `ci` becomes `robot$ci` (system) or `robot$<project>+ci` (project). Changing it replaces the robot.")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(n) = v.as_str()
                            && (!valid_project_name(n) || n.len() > 255)
                        {
                            diags.attr_error(
                                path.clone(),
                                format!("Invalid robot name {n:?}"),
                                "Robot names are lower-case letters and digits, optionally separated by single `.`, `_` or `-`; the prefix (`robot$`) and project are added by Harbor, so leave them out.",
                            );
                        }
                    })),
            )
            .attr(Attribute::string("full_name").computed().use_state_for_unknown().describe("The name to log in with, e.g. `robot$ci` or `robot$team-a+ci` (with Harbor's robot name prefix)."))
            .attr(Attribute::string("description").default("").describe("A description."))
            .attr(
                Attribute::string("level")
                    .required()
                    .requires_replace()
                    .describe("`system` (may hold system and several projects' permissions) or `project` (one project). Changing it replaces the robot.")
                    .validate(validators::one_of(&["system", "project"])),
            )
            .attr(
                Attribute::number("duration")
                    .default(-1)
                    .describe("Days until the robot expires, counted from its creation; -1 never expires. Harbor 2.11 and later refuse 0.")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Value::Number(n) = v {
                            match n.as_i64() {
                                Some(-1) => {}
                                Some(0) => diags.attr_error(
                                    path.clone(),
                                    "duration 0 is not accepted",
                                    "Harbor 2.11 and later reject a duration of 0 (it used to mean the system default). Use a number of days, or -1 for a robot that never expires.",
                                ),
                                Some(d) if (1..i32::MAX as i64).contains(&d) => {}
                                _ => diags.attr_error(path.clone(), format!("Invalid duration {n}"), "Use a whole number of days from 1 to 2147483646, or -1 for never."),
                            }
                        }
                    })),
            )
            .attr(Attribute::bool("disable").default(false).describe("Disable the robot: it can no longer log in."))
            .attr(
                Attribute::string("secret")
                    .optional_computed()
                    .sensitive()
                    .use_state_for_unknown()
                    .describe("The secret. Leave unset to store the one Harbor generates; set it to choose the secret (changing it updates the robot in place).")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && !valid_secret(s)
                        {
                            diags.attr_error(path.clone(), "Robot secret does not meet Harbor's rules", SECRET_RULE);
                        }
                    })),
            )
            .attr(
                Attribute::string("secret_wo")
                    .optional()
                    .sensitive()
                    .write_only()
                    .describe("The secret, write-only: never stored in plan or state (Terraform 1.11 and later). Bump `secret_wo_version` to apply a new value.")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && !valid_secret(s)
                        {
                            diags.attr_error(path.clone(), "Robot secret does not meet Harbor's rules", SECRET_RULE);
                        }
                    })),
            )
            .attr(Attribute::number("secret_wo_version").optional().describe("Change this number to apply a new `secret_wo`."))
            .attr(
                Attribute::typed("rotation_triggers", Type::map(Type::String))
                    .optional()
                    .describe("Arbitrary values; whenever any changes, Harbor generates a new secret in place and it is stored in `secret`. Pair with a `time_rotating` resource for scheduled rotation."),
            )
            .attr(Attribute::number("expires_at").computed().use_state_for_unknown().describe("When the robot expires, in seconds since the epoch; -1 never. A plan warns once it has passed."))
            .block_bounded("permissions", Nesting::Set, permissions, 1, 0),
        )
    }
}

/// The resource's state and plan. Arguments with a default are `Option`: a state written by
/// goharbor/harbor may hold null there. `secret_wo` is write-only: null except in a configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobotModel {
    pub id: Known<Option<String>>,
    pub robot_id: Known<Option<String>>,
    pub name: String,
    pub full_name: Known<Option<String>>,
    pub description: Option<String>,
    pub level: String,
    pub duration: Option<i64>,
    pub disable: Option<bool>,
    pub secret: Known<Option<String>>,
    pub secret_wo: Option<String>,
    pub secret_wo_version: Option<i64>,
    pub rotation_triggers: Option<BTreeMap<String, Option<String>>>,
    pub expires_at: Known<Option<i64>>,
    pub permissions: Option<Vec<PermissionModel>>,
}

/// One `permissions` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionModel {
    pub kind: String,
    pub namespace: String,
    pub access: Vec<AccessModel>,
}

/// One `access` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessModel {
    pub action: String,
    pub resource: String,
    pub effect: Option<String>,
}

/// What `validate` looks at, in a configuration where any of it may still be unknown. The
/// ephemeral robot's `validate` runs this one too; its schema has no secret arguments, which
/// then read as null.
#[derive(Debug, Serialize, Deserialize)]
struct RobotConfigView {
    level: Known<Option<String>>,
    #[serde(default = "model::null")]
    secret: Known<Option<String>>,
    #[serde(default = "model::null")]
    secret_wo: Known<Option<String>>,
    #[serde(default = "model::null")]
    secret_wo_version: Known<Option<f64>>,
    permissions: Known<Option<Vec<PermissionView>>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PermissionView {
    kind: Known<Option<String>>,
    namespace: Known<Option<String>>,
    access: Known<Option<Vec<AccessView>>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AccessView {
    action: Known<Option<String>>,
    resource: Known<Option<String>>,
}

/// A known, non-null string of a view.
fn text(k: &Known<Option<String>>) -> Option<&str> {
    k.value().map(String::as_str)
}

/// What `modify_plan` looks at and may mark unknown. It names no nested block, so writing it
/// back leaves the permissions as planned.
#[derive(Debug, Serialize, Deserialize)]
struct RobotPlanView {
    full_name: Known<Option<String>>,
    // Numbers are `f64`, as in every view: hooks see values before validation refuses a fraction.
    duration: Known<Option<f64>>,
    secret: Known<Option<String>>,
    secret_wo: Known<Option<String>>,
    rotation_triggers: Known<Option<BTreeMap<String, Known<Option<String>>>>>,
    expires_at: Known<Option<f64>>,
}

impl RobotModel {
    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &RobotAccountResource::schema().ty())
    }

    fn full_name(&self) -> &str {
        self.full_name.value().map(String::as_str).unwrap_or("")
    }
}

fn permissions_from(v: &RobotModel) -> Vec<RobotPermission> {
    v.permissions
        .iter()
        .flatten()
        .map(|p| RobotPermission {
            kind: p.kind.clone(),
            namespace: p.namespace.clone(),
            access: p
                .access
                .iter()
                .map(|a| Access {
                    action: a.action.clone(),
                    resource: a.resource.clone(),
                    effect: Some(a.effect.clone().unwrap_or_else(|| "allow".into())),
                })
                .collect(),
        })
        .collect()
}

fn permissions_model(perms: &[RobotPermission]) -> Vec<PermissionModel> {
    perms
        .iter()
        .map(|p| PermissionModel {
            kind: p.kind.clone(),
            namespace: p.namespace.clone(),
            access: p
                .access
                .iter()
                .map(|a| AccessModel {
                    action: a.action.clone(),
                    resource: a.resource.clone(),
                    // Harbor stores the effect as sent; an empty one means allow.
                    effect: Some(
                        a.effect
                            .clone()
                            .filter(|e| !e.is_empty())
                            .unwrap_or_else(|| "allow".into()),
                    ),
                })
                .collect(),
        })
        .collect()
}

/// The short name inside Harbor's full name, whatever the prefix: the part after the project's
/// `+` for project robots, after the prefix for system robots. The prior name wins when it still
/// fits, so a prefix we could not learn never produces a diff.
fn short_name(full: &str, level: &str, prefix: &str, prior: Option<&str>) -> String {
    if let Some(p) = prior
        && full.ends_with(p)
    {
        return p.to_string();
    }
    if level == "project"
        && let Some((_, n)) = full.rsplit_once('+')
    {
        return n.to_string();
    }
    full.strip_prefix(prefix).unwrap_or(full).to_string()
}

/// The state for a robot as Harbor returns it. `prior` supplies what Harbor does not tell: the
/// secret, the write-only version, the rotation triggers, and the short name as written.
fn to_state(r: &Robot, h: &HarborContext, prior: Option<&RobotModel>) -> RobotModel {
    RobotModel {
        id: Some(format!("/robots/{}", r.id)).into(),
        robot_id: Some(r.id.to_string()).into(),
        name: short_name(
            &r.name,
            &r.level,
            &h.robot_prefix,
            prior.map(|p| p.name.as_str()),
        ),
        full_name: Some(r.name.clone()).into(),
        description: Some(r.description.clone()),
        level: r.level.clone(),
        duration: Some(r.duration.unwrap_or(-1)),
        disable: Some(r.disable),
        secret: prior
            .map(|p| p.secret.clone())
            .unwrap_or(Known::Value(None)),
        secret_wo: prior.and_then(|p| p.secret_wo.clone()),
        secret_wo_version: prior.and_then(|p| p.secret_wo_version),
        rotation_triggers: prior.and_then(|p| p.rotation_triggers.clone()),
        expires_at: Some(r.expires_at).into(),
        permissions: Some(permissions_model(&r.permissions)),
    }
}

fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn robot_id(state: &RobotModel) -> Option<i64> {
    state.robot_id.value().and_then(|s| s.parse().ok())
}

/// `POST /robots` for a planned robot; also what a later read matches an unsettled create
/// against.
fn create_request(planned: &RobotModel) -> RobotCreate {
    RobotCreate {
        name: planned.name.clone(),
        description: planned.description.clone(),
        duration: planned.duration,
        level: planned.level.clone(),
        permissions: permissions_from(planned),
        ..Default::default()
    }
}

/// The robot a state names: by id, or, for a create left unsettled (no id, see
/// `unsettled_create`), the robot Harbor has with that name, level, project, description and
/// permissions.
async fn locate(h: &HarborContext, state: &RobotModel) -> Result<Option<i64>, Diagnostics> {
    if let Some(id) = robot_id(state) {
        return Ok(Some(id));
    }
    let found = h
        .client
        .find_created_robot(&create_request(state))
        .await
        .map_err(|e| robot_diag("Could not look up robot", &state.name, &e))?;
    Ok(found.map(|r| r.id))
}

fn robot_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_forbidden() {
        d.error(
            "The provider's credentials may not manage this robot",
            "Creating a system robot needs an admin or a system robot holding robot:create (Harbor 2.12+); a project robot needs \
             a project admin or a robot holding that project's robot:create. A robot can only grant permissions it holds itself.",
        );
    }
    d
}

/// Updates and secret changes need `robot:update`, which Harbor never grants to robots: when the
/// provider logs in as a robot, say so instead of suggesting a permission that cannot be given.
fn robot_change_diag(
    h: &HarborContext,
    what: &str,
    name: &str,
    e: &crate::harbor::Error,
) -> Diagnostics {
    if !(e.is_forbidden() && h.principal == Principal::Robot) {
        return robot_diag(what, name, e);
    }
    let mut d = api_diag(what, name, e);
    d.error(
        "Robots cannot change robots",
        "Harbor lets a robot create, read, list and delete robots (2.12+), but changing one (description, disable, duration, \
         permissions or secret) needs robot:update, which Harbor does not grant to robots. Apply this change with an admin's \
         credentials, or replace the robot (e.g. `terraform apply -replace=<address>`).",
    );
    d
}

/// The creator's block Harbor compares a requested block with (`isValidPermissionScope` in
/// handler/robot.go): the same kind and namespace, else for projects the `*` block; never several.
fn matching_block<'a>(
    held: &'a [RobotPermission],
    w: &RobotPermission,
) -> Option<&'a RobotPermission> {
    held.iter()
        .find(|h| h.kind == w.kind && h.namespace == w.namespace)
        .or_else(|| {
            (w.kind == "project")
                .then(|| {
                    held.iter()
                        .find(|h| h.kind == "project" && h.namespace == "*")
                })
                .flatten()
        })
}

fn effect_of(a: &Access) -> &str {
    a.effect.as_deref().unwrap_or("")
}

/// The requested permissions the creating robot does not hold, as `resource:action in <namespace>`.
/// Harbor's 403 only says the new robot's permissions are wider than its creator's.
fn missing_permissions(held: &[RobotPermission], wanted: &[RobotPermission]) -> Vec<String> {
    let mut missing = Vec::new();
    for w in wanted {
        for a in &w.access {
            let covered = matching_block(held, w).is_some_and(|h| {
                h.access.iter().any(|x| {
                    x.resource == a.resource
                        && x.action == a.action
                        && (effect_of(x) == effect_of(a)
                            || (effect_of(x).is_empty() && effect_of(a) == "allow"))
                })
            });
            if !covered {
                let place = if w.kind == "system" {
                    "system".to_string()
                } else if w.namespace == "*" {
                    "every project".to_string()
                } else {
                    format!("project {}", w.namespace)
                };
                missing.push(format!("{}:{} in {place}", a.resource, a.action));
            }
        }
    }
    missing
}

/// Harbor compares effects as stored strings, and robots made in its UI (or by goharbor/harbor)
/// store an empty effect, which means allow. To let such a robot create robots, an `allow` it
/// holds as `""` is sent as `""`; `None` when nothing needs that spelling.
fn align_effects(
    held: &[RobotPermission],
    wanted: &[RobotPermission],
) -> Option<Vec<RobotPermission>> {
    let mut changed = false;
    let mut out = wanted.to_vec();
    for w in &mut out {
        let Some(h) = matching_block(held, w) else {
            continue;
        };
        for a in &mut w.access {
            let implicit = h.access.iter().any(|x| {
                x.resource == a.resource && x.action == a.action && effect_of(x).is_empty()
            });
            let explicit = h.access.iter().any(|x| {
                x.resource == a.resource && x.action == a.action && effect_of(x) == "allow"
            });
            if effect_of(a) == "allow" && implicit && !explicit {
                a.effect = Some(String::new());
                changed = true;
            }
        }
    }
    changed.then_some(out)
}

/// The permissions of the robot the provider logs in as, from the system robots (it needs
/// robot:list for that; without it, `None`).
async fn own_permissions(h: &HarborContext) -> Option<Vec<RobotPermission>> {
    if h.principal != Principal::Robot {
        return None;
    }
    let me = h.client.username()?;
    let robots = h.client.list_system_robots().await.ok()?;
    robots
        .into_iter()
        .find(|r| r.name == me)
        .map(|r| r.permissions)
}

/// When a robot is refused creating a robot, names what it lacks.
fn explain_refused_create(
    h: &HarborContext,
    held: &[RobotPermission],
    wanted: &[RobotPermission],
    d: &mut Diagnostics,
) {
    let me = h.client.username().unwrap_or_default();
    let missing = missing_permissions(held, wanted);
    if !missing.is_empty() {
        d.attr_error(
            AttributePath::attr("permissions"),
            format!("{me} lacks permissions it would grant: {}", missing.join(", ")),
            "A robot can only create robots whose permissions it holds itself (Harbor 2.12+). Grant these to the provider's \
             robot, or remove them from this robot.",
        );
    }
}

#[async_trait]
impl Resource<HarborContext> for RobotAccountResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/robots/{robot_id}")
                .describe("robot_id", "The robot's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_robot_account"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = Self::schema().ty();
        Some(
            model::check_model::<RobotModel>(&ty)
                .and_then(|()| model::check_view::<RobotConfigView>(&ty))
                .and_then(|()| model::check_view::<RobotPlanView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<RobotConfigView>(config, diags) else {
            return;
        };
        if !config.secret.is_null() && !config.secret_wo.is_null() {
            diags.attr_error(
                AttributePath::attr("secret_wo"),
                "secret and secret_wo conflict",
                "Set the secret either in `secret` (stored in state) or in `secret_wo` (write-only), not both.",
            );
        }
        if !config.secret_wo_version.is_null() && config.secret_wo.is_null() {
            diags.attr_error(
                AttributePath::attr("secret_wo_version"),
                "secret_wo_version needs secret_wo",
                "`secret_wo_version` versions the value of `secret_wo`; set both, or neither.",
            );
        }
        let level = config.level.value().map(String::as_str);
        let Known::Value(perms) = &config.permissions else {
            return;
        };
        let items: &[PermissionView] = perms.as_deref().unwrap_or_default();
        // Terraform can only quote an attribute's line, not a block's, so these point at the
        // `kind` or `namespace` that breaks the rule.
        if level == Some("project") {
            let offending = if let Some((i, _)) = items
                .iter()
                .enumerate()
                .find(|(_, p)| text(&p.kind).is_some_and(|k| k != "project"))
            {
                Some((i, "kind"))
            } else if let Some((i, _)) = items
                .iter()
                .enumerate()
                .find(|(_, p)| text(&p.namespace) == Some("*"))
            {
                Some((i, "namespace"))
            } else if items.len() > 1 {
                Some((1, "namespace"))
            } else {
                None
            };
            if let Some((i, attr)) = offending {
                diags.attr_error(
                    AttributePath::attr("permissions").join_index(i).join_attr(attr),
                    "A project robot needs exactly one project permission",
                    "With `level = \"project\"`, write one `permissions` block with `kind = \"project\"` and `namespace` set to the robot's project (not `*`). For several projects or system permissions, use `level = \"system\"`.",
                );
            }
        }
        // Harbor stores permissions per scope and reads them back grouped
        // (`controller/robot/controller.go` `populatePermissions`): two blocks with one kind and
        // namespace come back as a single block, which would be a diff on every plan.
        let namespace_attr = "namespace";
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (i, p) in items.iter().enumerate() {
            let (Some(kind), Some(ns)) = (text(&p.kind), text(&p.namespace)) else {
                continue;
            };
            if seen.contains(&(kind, ns)) {
                diags.attr_error(
                    AttributePath::attr("permissions").join_index(i).join_attr(namespace_attr),
                    format!("Two permissions blocks for kind {kind:?} and namespace {ns:?}"),
                    "Harbor keeps one set of accesses per kind and namespace and returns such blocks merged. Write one `permissions` block for this namespace and put all its `access` blocks in it.",
                );
            } else {
                seen.push((kind, ns));
            }
        }
        for (i, p) in items.iter().enumerate() {
            let path = AttributePath::attr("permissions").join_index(i);
            let (Some(kind), Some(ns)) = (text(&p.kind), text(&p.namespace)) else {
                continue;
            };
            if kind == "system" && ns != "/" {
                diags.attr_error(
                    path.join_attr(namespace_attr),
                    format!("Invalid namespace {ns:?} for a system permission"),
                    "System permissions use `namespace = \"/\"`.",
                );
            }
            if kind == "project" && ns != "*" && !valid_project_name(ns) {
                diags.attr_error(
                    path.join_attr(namespace_attr),
                    format!("Invalid namespace {ns:?}"),
                    "A project permission's namespace is a project name, or `*` for every project.",
                );
            }
            for (j, a) in p.access.value().into_iter().flatten().enumerate() {
                let (Some(res), Some(act)) = (text(&a.resource), text(&a.action)) else {
                    continue;
                };
                if !catalog_allows(kind, res, act) {
                    let table = if kind == "system" {
                        SYSTEM_CATALOG
                    } else {
                        PROJECT_CATALOG
                    };
                    let hint = table
                        .iter()
                        .find(|(r, _)| *r == res)
                        .map(|(r, acts)| format!("`{r}` allows: {}.", acts.join(", ")))
                        .unwrap_or_else(|| {
                            format!(
                                "Resources of kind `{kind}`: {}.",
                                table.iter().map(|(r, _)| *r).collect::<Vec<_>>().join(", ")
                            )
                        });
                    diags.attr_error(
                        path.join_attr("access").join_index(j),
                        format!("Harbor has no {kind} permission {res}:{act}"),
                        format!("Harbor refuses permissions outside its catalog (and `*`). {hint}"),
                    );
                }
            }
        }
    }

    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        if ctx.is_create() {
            return;
        }
        let (Some(mut planned), Some(prior), Some(config)) = (
            model::read_view::<RobotPlanView>(ctx.planned, ctx.diags),
            model::read_view::<RobotPlanView>(ctx.prior, ctx.diags),
            model::read_view::<RobotPlanView>(ctx.config, ctx.diags),
        ) else {
            return;
        };
        // A new secret is generated: unknown until Harbor answers, unless the config names it.
        let rotate = planned.rotation_triggers != prior.rotation_triggers
            && config.secret.is_null()
            && config.secret_wo.is_null();
        if rotate {
            planned.secret = Known::Unknown;
        }
        let duration_changes = planned.duration != prior.duration;
        if duration_changes {
            planned.expires_at = Known::Unknown;
        }
        if (rotate || duration_changes)
            && let Err(e) = model::write_view(&planned, &Self::schema().ty(), ctx.planned)
        {
            ctx.diags.extend(e.into());
        }
        // A plan that changes the duration is the fix; no warning then.
        if !duration_changes
            && let Some(&exp) = prior.expires_at.value()
            && exp > 0.0
            && exp < now_epoch() as f64
        {
            let name = prior.full_name.value().cloned().unwrap_or_default();
            ctx.diags.attr_warning(
                AttributePath::attr("expires_at"),
                format!("Robot {name} has expired"),
                "It can no longer log in. Raise `duration` (counted from the robot's creation) or set it to -1 to extend it in place.",
            );
        }
    }

    /// goharbor/harbor's state (version 0): its unset values become nulls, an empty effect is `allow`.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(
                &mut raw,
                &["secret_wo", "secret_wo_version", "rotation_triggers"],
                &[],
            );
            for p in raw
                .get_mut("permissions")
                .and_then(|p| p.as_array_mut())
                .into_iter()
                .flatten()
            {
                for a in p
                    .get_mut("access")
                    .and_then(|a| a.as_array_mut())
                    .into_iter()
                    .flatten()
                {
                    if a.get("effect")
                        .and_then(|e| e.as_str())
                        .is_none_or(str::is_empty)
                    {
                        a["effect"] = "allow".into();
                    }
                }
            }
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: RobotModel = model::from_value(state)?;
        let Some(id) = locate(h, &state).await? else {
            return Ok(None);
        };
        // A project robot is batched with the other robots of its project (`harbor/batch.rs`).
        let project = (state.level == "project")
            .then(|| state.permissions.as_deref().and_then(<[_]>::first))
            .flatten()
            .map(|p| p.namespace.as_str());
        let read = if state.level == "project" && project.is_none() {
            // A project robot whose project the state does not name: no list to look in.
            h.client.get_robot(id).await
        } else {
            h.client.read_robot(id, project).await
        };
        let robot = not_found_is_none(read)
            .map_err(|e| robot_diag("Could not read robot", state.full_name(), &e))?;
        match robot {
            Some(r) => Ok(Some(to_state(&r, h, Some(&state)).to_value()?)),
            None => Ok(None),
        }
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned_value: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: RobotModel = model::from_value(planned_value)?;
        let config: RobotModel = model::from_value(config)?;
        let name = planned.name.clone();
        let req = create_request(&planned);
        let mut result = h.client.create_robot(&req).await;
        // A 403 changes nothing in Harbor, so retrying once with Harbor's spelling is safe.
        let held = match &result {
            Err(e) if e.is_forbidden() => own_permissions(h).await,
            _ => None,
        };
        if let Some(aligned) = held
            .as_deref()
            .and_then(|held| align_effects(held, &req.permissions))
        {
            let retry = RobotCreate {
                permissions: aligned,
                ..req.clone()
            };
            result = h.client.create_robot(&retry).await;
        }
        let created = match result {
            Ok(created) => created,
            Err(e) => {
                let mut d = robot_diag("Could not create robot", &name, &e);
                // The robot's secret is only known from the create's answer; a tainted robot
                // is replaced on the next apply, which gets a new one.
                if e.is_unsettled() {
                    return Err(super::unsettled_create(d, "robot", planned_value));
                }
                if e.is_conflict() {
                    d.attr_error(AttributePath::attr("name"), format!("Robot {name} already exists"), "Import it with `terraform import <address> <robot id>`, or choose another name.");
                }
                if let (true, Some(held)) = (e.is_forbidden(), &held) {
                    explain_refused_create(h, held, &req.permissions, &mut d);
                }
                return Err(d.into());
            }
        };
        let write_only = config.secret_wo.is_some();
        let chosen = config.secret.value().or(config.secret_wo.as_ref()).cloned();
        let mut state = RobotModel {
            id: Some(format!("/robots/{}", created.id)).into(),
            robot_id: Some(created.id.to_string()).into(),
            full_name: Some(created.name.clone()).into(),
            expires_at: Some(created.expires_at).into(),
            secret: (!write_only)
                .then(|| created.secret.expose().to_string())
                .into(),
            ..planned.clone()
        };
        if planned.disable == Some(true) {
            let robot = Robot {
                id: created.id,
                name: created.name.clone(),
                description: planned.description.clone().unwrap_or_default(),
                level: req.level.clone(),
                duration: req.duration,
                disable: true,
                permissions: req.permissions.clone(),
                ..Default::default()
            };
            if let Err(e) = h.client.update_robot(created.id, &robot).await {
                state.disable = Some(false);
                return Err(ApplyError {
                    diags: robot_diag(
                        "Created robot, but could not disable it:",
                        &created.name,
                        &e,
                    ),
                    partial_state: Some(state.to_value()?),
                });
            }
        }
        if let Some(secret) = chosen {
            match h
                .client
                .refresh_robot_secret(created.id, Some(Secret::new(secret.clone())))
                .await
            {
                Ok(_) => {
                    state.secret = (!write_only).then_some(secret).into();
                }
                Err(e) => {
                    return Err(ApplyError {
                        diags: robot_diag(
                            "Created robot, but could not set its secret:",
                            &created.name,
                            &e,
                        ),
                        partial_state: Some(state.to_value()?),
                    });
                }
            }
        }
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior_value: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: RobotModel = model::from_value(prior_value)?;
        let planned: RobotModel = model::from_value(planned)?;
        let config: RobotModel = model::from_value(config)?;
        let id = robot_id(&prior).unwrap_or_default();
        let full = prior.full_name().to_string();
        let mut state = planned.clone();
        let duration_changed = planned.duration != prior.duration;
        if planned.description != prior.description
            || planned.disable != prior.disable
            || duration_changed
            || planned.permissions != prior.permissions
        {
            // Harbor's PUT wants the full prefixed name and the same level, and replaces permissions.
            let robot = Robot {
                id,
                name: full.clone(),
                description: planned.description.clone().unwrap_or_default(),
                level: planned.level.clone(),
                duration: planned.duration,
                disable: planned.disable.unwrap_or(false),
                permissions: permissions_from(&planned),
                ..Default::default()
            };
            h.client
                .update_robot(id, &robot)
                .await
                .map_err(|e| robot_change_diag(h, "Could not update robot", &full, &e))?;
            if duration_changed {
                let fresh = h
                    .client
                    .get_robot(id)
                    .await
                    .map_err(|e| robot_diag("Could not read robot", &full, &e))?;
                state.expires_at = Some(fresh.expires_at).into();
            }
        }
        let new_secret = if planned.secret != prior.secret && !config.secret.is_null() {
            config.secret.value().map(|s| Some(s.clone()))
        } else if planned.secret_wo_version != prior.secret_wo_version && config.secret_wo.is_some()
        {
            config.secret_wo.clone().map(Some)
        } else if planned.rotation_triggers != prior.rotation_triggers
            && config.secret.is_null()
            && config.secret_wo.is_none()
        {
            Some(None)
        } else {
            None
        };
        if let Some(secret) = new_secret {
            let applied = h
                .client
                .refresh_robot_secret(id, secret.map(Secret::new))
                .await
                .map_err(|e| ApplyError {
                    diags: robot_change_diag(h, "Could not change the secret of robot", &full, &e),
                    partial_state: Some(prior_value.clone()),
                })?;
            state.secret = config
                .secret_wo
                .is_none()
                .then(|| applied.expose().to_string())
                .into();
        }
        if state.secret.is_unknown() {
            state.secret = prior.secret.clone();
        }
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: RobotModel = model::from_value(prior)?;
        let Some(id) = locate(h, &prior).await? else {
            return Ok(());
        };
        h.client
            .delete_robot(id)
            .await
            .map_err(|e| robot_diag("Could not delete robot", prior.full_name(), &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let rid = numeric_import_id(id, "/robots/", "harbor_robot_account", "robot")?;
        let robot = not_found_is_none(h.client.get_robot(rid).await)
            .map_err(|e| robot_diag("Could not read robot", id, &e))?;
        let Some(robot) = robot else {
            return Err(import_not_found("robot", id));
        };
        // The secret cannot be read back; rotation_triggers and the write-only version are ours:
        // with no prior state, all three are null.
        Ok(to_state(&robot, h, None).to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            RobotAccountResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn short_names_survive_any_prefix() {
        assert_eq!(short_name("robot$ci", "system", "robot$", None), "ci");
        assert_eq!(short_name("robot$team+ci", "project", "robot$", None), "ci");
        assert_eq!(short_name("bot-ci", "system", "bot-", None), "ci");
        assert_eq!(
            short_name("custom_ci", "system", "robot$", Some("ci")),
            "ci"
        );
    }

    #[test]
    fn secrets_follow_harbor_complexity_rules() {
        assert!(valid_secret("Abcdefg1"));
        assert!(!valid_secret("abcdefg1"));
        assert!(!valid_secret("ABCDEFG1"));
        assert!(!valid_secret("Abcdefgh"));
        assert!(!valid_secret("Abc1"));
        assert!(!valid_secret(&format!("A1{}", "b".repeat(127))));
    }

    #[test]
    fn missing_permissions_are_named_with_their_namespace() {
        let perm = |kind: &str, ns: &str, pairs: &[(&str, &str)]| RobotPermission {
            kind: kind.into(),
            namespace: ns.into(),
            access: pairs
                .iter()
                .map(|(r, a)| Access {
                    resource: r.to_string(),
                    action: a.to_string(),
                    effect: None,
                })
                .collect(),
        };
        let held = [
            perm("system", "/", &[("robot", "create")]),
            perm("project", "*", &[("repository", "pull")]),
            perm("project", "team", &[("repository", "push")]),
        ];
        let wanted = [
            perm(
                "project",
                "team",
                &[
                    ("repository", "pull"),
                    ("repository", "push"),
                    ("tag", "delete"),
                ],
            ),
            perm("project", "other", &[("repository", "push")]),
            perm("system", "/", &[("robot", "create"), ("registry", "list")]),
        ];
        assert_eq!(
            missing_permissions(&held, &wanted),
            [
                // Harbor checks `team` against its own block only, not also against `*`.
                "repository:pull in project team",
                "tag:delete in project team",
                "repository:push in project other",
                "registry:list in system"
            ]
        );
        // Effects: a held `""` covers an `allow`, and create re-sends it as `""`.
        let mut wanted_allow = perm("project", "other", &[("repository", "pull")]);
        wanted_allow.access[0].effect = Some("allow".into());
        assert!(missing_permissions(&held, std::slice::from_ref(&wanted_allow)).is_empty());
        let aligned = align_effects(&held, &[wanted_allow]).expect("aligned");
        assert_eq!(aligned[0].access[0].effect.as_deref(), Some(""));
        let mut explicit = held.clone();
        explicit[1].access[0].effect = Some("allow".into());
        let mut wanted_allow = perm("project", "other", &[("repository", "pull")]);
        wanted_allow.access[0].effect = Some("allow".into());
        assert!(align_effects(&explicit, &[wanted_allow]).is_none());
    }

    #[test]
    fn catalog_refuses_wildcards_and_unknown_pairs() {
        assert!(catalog_allows("project", "repository", "push"));
        assert!(!catalog_allows("project", "repository", "*"));
        assert!(!catalog_allows("project", "*", "pull"));
        assert!(catalog_allows("system", "project", "create"));
        assert!(!catalog_allows("system", "repository", "pull"));
    }
}
