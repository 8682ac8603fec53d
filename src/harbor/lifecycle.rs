//! Artifact lifecycle endpoints: labels (`/labels`), immutable tag rules
//! (`/projects/{p}/immutabletagrules`) and tag retention (`/retentions`, its executions and
//! tasks), with their swagger models. Harbor leaves empty fields out of its answers
//! (go-swagger `omitempty`), so every field here defaults. The few without `omitempty` in the
//! generated models (a rule's `tag_selectors`, a policy's `rules`) come as `null` when Harbor
//! holds none, so they read `null` as empty too.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::client::{Client, Req, Response};
use super::error::Error;
use super::projects::ProjectRef;

/// `null` read as the type's default (an empty list).
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `Label`. `scope` is `g` (global) or `p` (project); a global label has no `project_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Label {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: String,
    pub description: String,
    pub color: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// `ImmutableSelector` and `RetentionSelector` (the latter with `extras`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Selector {
    pub kind: String,
    pub decoration: String,
    pub pattern: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extras: Option<String>,
}

impl Selector {
    pub fn doublestar(decoration: &str, pattern: &str) -> Self {
        Selector {
            kind: "doublestar".into(),
            decoration: decoration.into(),
            pattern: pattern.into(),
            extras: None,
        }
    }
}

/// `ImmutableRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImmutableRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub priority: i64,
    pub disabled: bool,
    pub action: String,
    pub template: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub tag_selectors: Vec<Selector>,
    #[serde(deserialize_with = "null_as_empty")]
    pub scope_selectors: BTreeMap<String, Vec<Selector>>,
}

impl ImmutableRule {
    /// Whether two rules select the same tags (ids and the enabled flag aside).
    fn same_selectors(&self, other: &ImmutableRule) -> bool {
        self.tag_selectors == other.tag_selectors && self.scope_selectors == other.scope_selectors
    }
}

/// `RetentionRule`. `params` maps the template's name to its number (`{"latestPushedK": 3}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub priority: i64,
    pub disabled: bool,
    pub action: String,
    pub template: String,
    pub params: BTreeMap<String, Value>,
    #[serde(deserialize_with = "null_as_empty")]
    pub tag_selectors: Vec<Selector>,
    #[serde(deserialize_with = "null_as_empty")]
    pub scope_selectors: BTreeMap<String, Vec<Selector>>,
}

/// `RetentionRuleTrigger`: `kind` is `Schedule`; `settings.cron` empty means manual only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionTrigger {
    pub kind: String,
    pub settings: BTreeMap<String, Value>,
}

impl RetentionTrigger {
    pub fn cron(&self) -> &str {
        self.settings
            .get("cron")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// `RetentionPolicyScope`: `level` is `project`, `ref` the project id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionScope {
    pub level: String,
    #[serde(rename = "ref")]
    pub reference: i64,
}

/// `RetentionPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub algorithm: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub rules: Vec<RetentionRule>,
    pub trigger: RetentionTrigger,
    pub scope: RetentionScope,
}

/// `RetentionExecution`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionExecution {
    pub id: i64,
    pub policy_id: i64,
    pub status: String,
    pub trigger: String,
    pub dry_run: bool,
    pub start_time: String,
    pub end_time: String,
}

/// `RetentionExecutionTask`: one per repository a run covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionTask {
    pub id: i64,
    pub execution_id: i64,
    pub repository: String,
    pub status: String,
    pub total: i64,
    pub retained: i64,
}

/// What one repository's retention run did or (dry run) would do, read from its task log:
/// the tags of every artifact by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionOutcome {
    pub repository: String,
    pub total: i64,
    pub retained: i64,
    /// Tags of artifacts deleted (or, in a dry run, to be deleted); `""` for an untagged one.
    pub deleted: Vec<String>,
    pub kept: Vec<String>,
    /// Kept because an immutable rule protects them.
    pub immutable: Vec<String>,
}

/// The artifacts' rows of a retention task log (`pkg/retention/job.go` `logResults`): the tag
/// column and the last column (RETAIN, DEL, IMMUTABLE, ERR).
fn parse_task_log(log: &str) -> Vec<(String, String)> {
    log.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            if cells.len() < 8 {
                return None;
            }
            let mark = cells[cells.len() - 1].trim().to_owned();
            matches!(mark.as_str(), "RETAIN" | "DEL" | "IMMUTABLE" | "ERR")
                .then(|| (cells[1].trim().to_owned(), mark))
        })
        .collect()
}

fn ok_or_error(resp: &Response) -> Result<(), Error> {
    match resp.status {
        200 => Ok(()),
        _ => Err(resp.error()),
    }
}

impl Client {
    /// `POST /labels`. After an ambiguous failure the label is looked up by name in its scope
    /// (names are unique there) and adopted only if description and colour match too.
    pub async fn create_label(&self, label: &Label) -> Result<i64, Error> {
        let req = Req::post("/labels").json(label)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            Ok(client.find_label(label).await?.and_then(|found| {
                (found.description == label.description && found.color == label.color)
                    .then_some(found.id)
                    .flatten()
            }))
        })
        .await
    }

    /// `GET /labels?scope=..&project_id=..&name=..`: the label with exactly this name in the
    /// scope of `label` (the name filter is a substring match).
    pub async fn find_label(&self, label: &Label) -> Result<Option<Label>, Error> {
        let mut req = Req::get("/labels")
            .query("scope", &label.scope)
            .query("name", &label.name);
        if let Some(p) = label.project_id.filter(|_| label.scope == "p") {
            req = req.query("project_id", p);
        }
        let all: Vec<Label> = self.get_all(req).await?;
        Ok(all.into_iter().find(|l| l.name == label.name))
    }

    /// `GET /labels/{id}`.
    pub async fn get_label(&self, id: i64) -> Result<Label, Error> {
        let resp = self.send(&Req::get(format!("/labels/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /labels/{id}`: Harbor takes name, description and colour from the body.
    pub async fn update_label(&self, id: i64, label: &Label) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/labels/{id}")).json(label)?)
            .await?;
        ok_or_error(&resp)
    }

    /// `DELETE /labels/{id}`; already gone counts as success.
    pub async fn delete_label(&self, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/labels/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `POST /projects/{project_id}/immutabletagrules`. Harbor stores every new rule enabled
    /// whatever `disabled` says; the caller disables it afterwards. After an ambiguous failure
    /// a rule of the project with the same selectors is adopted (the pair is unique there).
    pub async fn create_immutable_rule(
        &self,
        project_id: i64,
        rule: &ImmutableRule,
    ) -> Result<i64, Error> {
        let req = Req::post(format!("/projects/{project_id}/immutabletagrules")).json(rule)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            let rules = client.list_immutable_rules(project_id).await?;
            Ok(rules
                .into_iter()
                .find(|r| r.same_selectors(rule))
                .and_then(|r| r.id))
        })
        .await
    }

    /// `GET /projects/{project_id}/immutabletagrules`, every page: Harbor has no single-rule GET.
    pub async fn list_immutable_rules(&self, project_id: i64) -> Result<Vec<ImmutableRule>, Error> {
        self.get_all(ProjectRef::Id(project_id).req_get("/immutabletagrules"))
            .await
    }

    /// The rule `id` of the project, if it exists.
    pub async fn get_immutable_rule(
        &self,
        project_id: i64,
        id: i64,
    ) -> Result<Option<ImmutableRule>, Error> {
        Ok(self
            .list_immutable_rules(project_id)
            .await?
            .into_iter()
            .find(|r| r.id == Some(id)))
    }

    /// `PUT /projects/{project_id}/immutabletagrules/{id}`. Harbor applies one of two changes per
    /// request: when `disabled` differs from the stored value it toggles only that, otherwise it
    /// rewrites the selectors. So a change of both takes two requests; `stored_disabled` is the
    /// value Harbor holds now.
    pub async fn update_immutable_rule(
        &self,
        project_id: i64,
        id: i64,
        rule: &ImmutableRule,
        stored_disabled: bool,
    ) -> Result<(), Error> {
        let mut body = rule.clone();
        body.id = Some(id);
        let path = format!("/immutabletagrules/{id}");
        // First the selectors, sent with the stored flag so Harbor takes them.
        let selectors = ImmutableRule {
            disabled: stored_disabled,
            ..body.clone()
        };
        let resp = self
            .send(&ProjectRef::Id(project_id).req_put(&path).json(&selectors)?)
            .await?;
        ok_or_error(&resp)?;
        if rule.disabled != stored_disabled {
            let resp = self
                .send(&ProjectRef::Id(project_id).req_put(&path).json(&body)?)
                .await?;
            ok_or_error(&resp)?;
        }
        Ok(())
    }

    /// `DELETE /projects/{project_id}/immutabletagrules/{id}`; already gone counts as success.
    pub async fn delete_immutable_rule(&self, project_id: i64, id: i64) -> Result<(), Error> {
        let resp = self
            .send(&ProjectRef::Id(project_id).req_delete(&format!("/immutabletagrules/{id}")))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `POST /retentions`. Harbor records the id in the project's `retention_id` metadata and
    /// refuses a second policy for the project (400). After an ambiguous failure the project's
    /// policy is adopted if its rules and trigger are the ones sent.
    pub async fn create_retention(&self, policy: &RetentionPolicy) -> Result<i64, Error> {
        let req = Req::post("/retentions").json(policy)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            let Some(id) = client.project_retention_id(policy.scope.reference).await? else {
                return Ok(None);
            };
            let found = client.get_retention(id).await?;
            Ok(
                (found.rules == policy.rules && found.trigger.cron() == policy.trigger.cron())
                    .then_some(id),
            )
        })
        .await
    }

    /// The project's `retention_id` metadata: the id of its policy, if it has one.
    pub async fn project_retention_id(&self, project_id: i64) -> Result<Option<i64>, Error> {
        let project = self.get_project(&ProjectRef::Id(project_id)).await?;
        Ok(project.metadata.retention_id.and_then(|v| v.parse().ok()))
    }

    /// `GET /retentions/{id}`. A policy that no longer exists is a 500 (Harbor passes its
    /// manager's plain error on); see [`Client::retention_exists`].
    pub async fn get_retention(&self, id: i64) -> Result<RetentionPolicy, Error> {
        let resp = self.send(&Req::get(format!("/retentions/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// Whether policy `id` is still the policy of project `project_id`: after a failed GET,
    /// this tells a deleted policy (or project) from a failing Harbor.
    pub async fn retention_exists(&self, project_id: i64, id: i64) -> Result<bool, Error> {
        match self.project_retention_id(project_id).await {
            Ok(found) => Ok(found == Some(id)),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `PUT /retentions/{id}`: replaces rules and trigger.
    pub async fn update_retention(&self, id: i64, policy: &RetentionPolicy) -> Result<(), Error> {
        let mut body = policy.clone();
        body.id = Some(id);
        let resp = self
            .send(&Req::put(format!("/retentions/{id}")).json(&body)?)
            .await?;
        ok_or_error(&resp)
    }

    /// `DELETE /retentions/{id}`: the policy, its executions and the project's `retention_id`.
    /// A policy already gone is a 400 from Harbor; `project_id` confirms it is gone.
    pub async fn delete_retention(&self, project_id: i64, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/retentions/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            400 if !self.retention_exists(project_id, id).await? => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `POST /retentions/{id}/executions` with `{"dry_run": ..}`: starts a run, returns its id.
    pub async fn run_retention(&self, id: i64, dry_run: bool) -> Result<i64, Error> {
        let req = Req::post(format!("/retentions/{id}/executions"))
            .json(&serde_json::json!({ "dry_run": dry_run }))?;
        let resp = self.send(&req).await?;
        match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /retentions/{id}/executions`, every page, newest first.
    pub async fn list_retention_executions(
        &self,
        id: i64,
    ) -> Result<Vec<RetentionExecution>, Error> {
        self.get_all(Req::get(format!("/retentions/{id}/executions")))
            .await
    }

    /// `GET /retentions/{id}/executions/{eid}/tasks`, every page.
    pub async fn list_retention_tasks(
        &self,
        id: i64,
        execution: i64,
    ) -> Result<Vec<RetentionTask>, Error> {
        self.get_all(Req::get(format!(
            "/retentions/{id}/executions/{execution}/tasks"
        )))
        .await
    }

    /// `GET /retentions/{id}/executions/{eid}/tasks/{tid}`: the task's log, as text.
    pub async fn retention_task_log(
        &self,
        id: i64,
        execution: i64,
        task: i64,
    ) -> Result<String, Error> {
        let resp = self
            .send(&Req::get(format!(
                "/retentions/{id}/executions/{execution}/tasks/{task}"
            )))
            .await?;
        match resp.status {
            200 => Ok(resp.text()),
            _ => Err(resp.error()),
        }
    }

    /// Per repository, what execution `execution` of policy `id` deleted or (dry run) would
    /// delete, from its tasks and their logs.
    pub async fn retention_outcome(
        &self,
        id: i64,
        execution: i64,
    ) -> Result<Vec<RetentionOutcome>, Error> {
        let mut out = Vec::new();
        for task in self.list_retention_tasks(id, execution).await? {
            let log = self.retention_task_log(id, execution, task.id).await?;
            let mut outcome = RetentionOutcome {
                repository: task.repository,
                total: task.total,
                retained: task.retained,
                ..Default::default()
            };
            for (tags, mark) in parse_task_log(&log) {
                match mark.as_str() {
                    "DEL" => outcome.deleted.push(tags),
                    "IMMUTABLE" => outcome.immutable.push(tags),
                    _ => outcome.kept.push(tags),
                }
            }
            out.push(outcome);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_task_log;

    #[test]
    fn task_log_rows_give_tags_and_marks() {
        let log = "| Digest | Tag | Kind | Labels | PushedTime | PulledTime | CreatedTime | Retention |\n\
                   |--------|-----|------|--------|------------|------------|-------------|-----------|\n\
                   | sha256:a | v1,latest | image | | 2026/01/01 00:00:00 | | | DEL |\n\
                   | sha256:b | v2 | image | | 2026/01/02 00:00:00 | | | RETAIN |\n";
        assert_eq!(
            parse_task_log(log),
            vec![
                ("v1,latest".to_string(), "DEL".to_string()),
                ("v2".to_string(), "RETAIN".to_string())
            ]
        );
    }
}
