//! The tables behind artifact lifecycle: artifacts and their tags, labels, immutable tag rules,
//! retention policies with their executions and tasks. They live in one field of the store
//! (`Store::lifecycle`) so the shared store definition changes in one line, and the selectors
//! Harbor's immutability matcher and retention share (`lib/selector/selectors/doublestar`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::util::Timestamp;

#[derive(Debug, Clone)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    pub push_time: Timestamp,
    pub pull_time: Option<Timestamp>,
}

/// One pushed manifest. `repository` is the full name, `project/...`.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub id: i64,
    pub project_id: i64,
    pub repository_id: i64,
    pub repository: String,
    pub digest: String,
    /// Bytes, counted once per digest against the project's storage quota.
    pub size: i64,
    pub push_time: Timestamp,
    pub pull_time: Option<Timestamp>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone)]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub color: String,
    /// `g` or `p`.
    pub scope: String,
    pub project_id: i64,
    pub creation_time: Timestamp,
    pub update_time: Timestamp,
}

/// `model.Selector` of immutable and retention rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Selector {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub decoration: String,
    #[serde(default)]
    pub pattern: String,
    /// Retention selectors only (`{"untagged": bool}`); immutable selectors have no such field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extras: Option<String>,
}

/// `pkg/immutable/model.Metadata`, the JSON Harbor keeps in `immutable_tag_rule.tag_filter`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImmutableMetadata {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub project_id: i64,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub tag_selectors: Option<Vec<Selector>>,
    #[serde(default)]
    pub scope_selectors: Option<BTreeMap<String, Vec<Selector>>>,
}

/// A row of `immutable_tag_rule`: the column `disabled` is kept apart from the JSON.
#[derive(Debug, Clone)]
pub struct ImmutableRule {
    pub id: i64,
    pub project_id: i64,
    /// The serialised metadata, which with `project_id` is unique (`UNIQUE(project_id, tag_filter)`).
    pub tag_filter: String,
    pub disabled: bool,
}

/// `pkg/retention/policy/rule.Metadata`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RetentionRule {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub priority: i64,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub params: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub tag_selectors: Option<Vec<Selector>>,
    #[serde(default)]
    pub scope_selectors: Option<BTreeMap<String, Vec<Selector>>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RetentionTrigger {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub settings: Option<serde_json::Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RetentionScope {
    #[serde(default)]
    pub level: String,
    #[serde(default, rename = "ref")]
    pub reference: i64,
}

/// `pkg/retention/policy.Metadata`, stored as Harbor stores it (JSON in `retention_policy.data`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RetentionPolicy {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub algorithm: String,
    #[serde(default)]
    pub rules: Vec<RetentionRule>,
    #[serde(default)]
    pub trigger: Option<RetentionTrigger>,
    #[serde(default)]
    pub scope: Option<RetentionScope>,
}

#[derive(Debug, Clone)]
pub struct RetentionExecution {
    pub id: i64,
    pub policy_id: i64,
    pub status: String,
    pub trigger: String,
    pub dry_run: bool,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
}

#[derive(Debug, Clone)]
pub struct RetentionTask {
    pub id: i64,
    pub execution_id: i64,
    /// `project/repository`, as the task's extra attribute `repository`.
    pub repository: String,
    pub status: String,
    pub total: i64,
    pub retained: i64,
    pub start_time: Timestamp,
    pub end_time: Timestamp,
    /// The job log: the table `logResults` prints.
    pub log: String,
}

#[derive(Debug, Default)]
pub struct Lifecycle {
    pub artifacts: BTreeMap<i64, Artifact>,
    pub labels: BTreeMap<i64, Label>,
    pub immutable_rules: BTreeMap<i64, ImmutableRule>,
    pub retentions: BTreeMap<i64, RetentionPolicy>,
    pub executions: BTreeMap<i64, RetentionExecution>,
    pub tasks: BTreeMap<i64, RetentionTask>,
    seq_artifact: i64,
    seq_tag: i64,
    seq_label: i64,
    seq_immutable: i64,
    seq_execution: i64,
    seq_task: i64,
}

macro_rules! next {
    ($name:ident, $field:ident) => {
        pub fn $name(&mut self) -> i64 {
            self.$field += 1;
            self.$field
        }
    };
}

impl Lifecycle {
    next!(next_artifact, seq_artifact);
    next!(next_tag, seq_tag);
    next!(next_label, seq_label);
    next!(next_immutable, seq_immutable);
    next!(next_execution, seq_execution);
    next!(next_task, seq_task);

    /// What Harbor's project-deletion event handler removes (`controller/event/handler/internal/
    /// project.go` `onProjectDelete`): the project's immutable rules and retention policies (with
    /// their executions). Labels of the project stay, as in Harbor.
    pub fn on_project_delete(&mut self, project_id: i64) {
        self.immutable_rules
            .retain(|_, r| r.project_id != project_id);
        let gone: Vec<i64> = self
            .retentions
            .values()
            .filter(|p| p.scope.as_ref().is_some_and(|s| s.reference == project_id))
            .map(|p| p.id)
            .collect();
        for id in gone {
            self.delete_retention(id);
        }
    }

    /// `DeleteRetention` of the retention controller: the executions go with the policy.
    pub fn delete_retention(&mut self, id: i64) {
        self.retentions.remove(&id);
        let executions: Vec<i64> = self
            .executions
            .values()
            .filter(|e| e.policy_id == id)
            .map(|e| e.id)
            .collect();
        for e in executions {
            self.executions.remove(&e);
            self.tasks.retain(|_, t| t.execution_id != e);
        }
    }

    /// Immutable rules of a project in id order (`ListImmutableRules` sorts by id).
    pub fn immutable_rules_of(&self, project_id: i64) -> Vec<(ImmutableMetadata, bool, i64)> {
        self.immutable_rules
            .values()
            .filter(|r| r.project_id == project_id)
            .map(|r| {
                let meta: ImmutableMetadata =
                    serde_json::from_str(&r.tag_filter).unwrap_or_default();
                (meta, r.disabled, r.id)
            })
            .collect()
    }

    /// `pkg/immutable/match/rule` `Matcher.Match`: whether any enabled rule of the project protects
    /// `tags` of repository `repo` (the name without the project). Only the first repository
    /// selector and the first tag selector of a rule count, and untagged never matches.
    pub fn is_immutable(&self, project_id: i64, repo: &str, tags: &[String]) -> bool {
        for (meta, disabled, _) in self.immutable_rules_of(project_id) {
            if disabled {
                continue;
            }
            let Some(repo_sel) = meta
                .scope_selectors
                .as_ref()
                .and_then(|s| s.get("repository"))
                .and_then(|v| v.first())
            else {
                continue;
            };
            if !select_repository(repo_sel, repo).unwrap_or(false) {
                continue;
            }
            let Some(tag_sel) = meta.tag_selectors.as_ref().and_then(|v| v.first()) else {
                continue;
            };
            if select_tags(tag_sel, Some(false), tags).unwrap_or(false) {
                return true;
            }
        }
        false
    }
}

/// Harbor's `match`: an empty pattern matches everything.
fn glob(pattern: &str, value: &str) -> Result<bool, String> {
    if pattern.is_empty() {
        return Ok(true);
    }
    crate::doublestar::matches(pattern, value)
}

/// The doublestar selector's repository decorations (`repoMatches`, `repoExcludes`, and the
/// namespace ones). Any other decoration selects nothing, as `Select` appends nothing for it.
pub fn select_repository(sel: &Selector, repository: &str) -> Result<bool, String> {
    let excludes = match sel.decoration.as_str() {
        "repoMatches" | "nsMatches" => false,
        "repoExcludes" | "nsExcludes" => true,
        _ => return Ok(false),
    };
    if repository.is_empty() {
        return Ok(false);
    }
    Ok(glob(&sel.pattern, repository)? != excludes)
}

/// The doublestar selector's tag decorations: `matches` selects an artifact with any tag matching,
/// `excludes` one with any tag not matching; an untagged artifact is selected when `untagged`
/// (default: true for `matches`, false for `excludes`; `extras` `{"untagged": b}` overrides, and
/// `force_untagged` stands for the extras the caller passes, as the immutability matcher does).
pub fn select_tags(
    sel: &Selector,
    force_untagged: Option<bool>,
    tags: &[String],
) -> Result<bool, String> {
    let mut untagged = sel.decoration != "excludes";
    if let Some(extras) = sel.extras.as_deref().filter(|e| !e.is_empty())
        && let Ok(v) = serde_json::from_str::<Value>(extras)
    {
        untagged = v.get("untagged").and_then(Value::as_bool).unwrap_or(false);
    }
    if let Some(f) = force_untagged {
        untagged = f;
    }
    match sel.decoration.as_str() {
        "matches" => {
            if tags.is_empty() {
                return Ok(untagged);
            }
            for t in tags {
                if glob(&sel.pattern, t)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        "excludes" => {
            if tags.is_empty() {
                return Ok(!untagged);
            }
            for t in tags {
                if !glob(&sel.pattern, t)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// `utils.ParseRepository`: the part after the first `/` (the whole name when there is none).
pub fn without_project(repository: &str) -> &str {
    let trimmed = repository.trim_matches('/');
    trimmed.split_once('/').map_or(trimmed, |(_, rest)| rest)
}
