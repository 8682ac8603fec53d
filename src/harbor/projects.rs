//! Project operations: `/projects`, its metadata, summary and deletability.

use std::fmt;

use super::client::{Client, Req, Response, q_exact};
use super::error::Error;
use super::models::{Project, ProjectDeletable, ProjectMetadata, ProjectReq, ProjectSummary};

/// A project addressed by id or by name. By name, requests carry
/// `X-Is-Resource-Name: true`, because Harbor reads an all-digit name as an id otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProjectRef {
    Id(i64),
    Name(String),
}

impl ProjectRef {
    /// The path segment and whether it is a name.
    fn segment(&self) -> (String, bool) {
        match self {
            ProjectRef::Id(id) => (id.to_string(), false),
            ProjectRef::Name(name) => (name.clone(), true),
        }
    }

    pub(crate) fn req_get(&self, suffix: &str) -> Req {
        let (segment, by_name) = self.segment();
        Req::get(format!("/projects/{segment}{suffix}")).by_name(by_name)
    }

    pub(crate) fn req_put(&self, suffix: &str) -> Req {
        let (segment, by_name) = self.segment();
        Req::put(format!("/projects/{segment}{suffix}")).by_name(by_name)
    }

    pub(crate) fn req_delete(&self, suffix: &str) -> Req {
        let (segment, by_name) = self.segment();
        Req::delete(format!("/projects/{segment}{suffix}")).by_name(by_name)
    }
}

impl fmt::Display for ProjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProjectRef::Id(id) => write!(f, "{id}"),
            ProjectRef::Name(name) => f.write_str(name),
        }
    }
}

impl From<i64> for ProjectRef {
    fn from(id: i64) -> Self {
        ProjectRef::Id(id)
    }
}

impl From<&str> for ProjectRef {
    fn from(name: &str) -> Self {
        ProjectRef::Name(name.to_owned())
    }
}

impl From<String> for ProjectRef {
    fn from(name: String) -> Self {
        ProjectRef::Name(name)
    }
}

/// Filters for [`Client::list_projects`]. Harbor ignores unknown filters silently,
/// so only these documented ones exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectListFilter {
    /// Exact name, sent as `q=name=<name>`.
    pub name: Option<String>,
    /// Substring match, sent as `name=<text>` (Harbor's fuzzy default).
    pub fuzzy_name: Option<String>,
    pub public: Option<bool>,
}

impl Client {
    /// `GET /projects`, every page.
    pub async fn list_projects(&self, filter: &ProjectListFilter) -> Result<Vec<Project>, Error> {
        let mut req = Req::get("/projects");
        if let Some(term) = filter.name.as_deref().and_then(|n| q_exact("name", n)) {
            req = req.query("q", term);
        }
        if let Some(fuzzy) = &filter.fuzzy_name {
            req = req.query("name", fuzzy);
        }
        if let Some(public) = filter.public {
            req = req.query("public", public);
        }
        let projects: Vec<Project> = self.get_all(req).await?;
        // Filters that an older Harbor ignores must not widen the result.
        Ok(match &filter.name {
            Some(name) => projects.into_iter().filter(|p| &p.name == name).collect(),
            None => projects,
        })
    }

    /// `GET /projects?q=name=<name>`: the project with exactly this name, if any.
    pub async fn find_project(&self, name: &str) -> Result<Option<Project>, Error> {
        let filter = ProjectListFilter {
            name: Some(name.to_owned()),
            ..ProjectListFilter::default()
        };
        Ok(self.list_projects(&filter).await?.into_iter().next())
    }

    /// `HEAD /projects?project_name=<name>`: whether a project with this name exists.
    pub async fn project_exists(&self, name: &str) -> Result<bool, Error> {
        let resp = self
            .send(&Req::head("/projects").query("project_name", name))
            .await?;
        match resp.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(resp.error()),
        }
    }

    /// `POST /projects`: creates a project and returns its id (from `Location`).
    ///
    /// After an ambiguous failure the project is looked up by name and adopted only if
    /// its metadata includes everything sent ([`Client::create`] settles the rest).
    pub async fn create_project(&self, project: &ProjectReq) -> Result<i64, Error> {
        let req = Req::post("/projects").json(project)?;
        // A 201 without a usable Location did create the object; it is found by name.
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        if project.project_name.is_none() {
            return match self.send(&req).await {
                Ok(resp) => accept(&resp),
                Err(error) => Err(error),
            };
        }
        self.create(&req, accept, |client| async move {
            client.find_created_project(project).await
        })
        .await
    }

    /// The id of the project `project` would have created: same name, and metadata including
    /// everything sent. Settles a create whose outcome is unknown, then or on a later read.
    pub async fn find_created_project(&self, project: &ProjectReq) -> Result<Option<i64>, Error> {
        let Some(name) = project.project_name.as_deref() else {
            return Ok(None);
        };
        Ok(self
            .find_project(name)
            .await?
            .filter(|found| project_matches(project, found))
            .map(|found| found.project_id))
    }

    /// `GET /projects/{project_name_or_id}`.
    pub async fn get_project(&self, project: &ProjectRef) -> Result<Project, Error> {
        let resp = self.send(&project.req_get("")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /projects/{project_name_or_id}`: applies `metadata` (merged) and `cve_allowlist`.
    pub async fn update_project(
        &self,
        project: &ProjectRef,
        update: &ProjectReq,
    ) -> Result<(), Error> {
        let resp = self.send(&project.req_put("").json(update)?).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /projects/{project_name_or_id}`. Already gone counts as success;
    /// 412 means the project still has repositories.
    pub async fn delete_project(&self, project: &ProjectRef) -> Result<(), Error> {
        let resp = self.send(&project.req_delete("")).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /projects/{project_name_or_id}/metadatas/{key}`: the only way to remove a
    /// metadata key, since PUT merges. Already absent counts as success.
    pub async fn delete_project_metadata(
        &self,
        project: &ProjectRef,
        key: &str,
    ) -> Result<(), Error> {
        let resp = self
            .send(&project.req_delete(&format!("/metadatas/{key}")))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `GET /projects/{project_name_or_id}/summary`.
    pub async fn project_summary(&self, project: &ProjectRef) -> Result<ProjectSummary, Error> {
        let resp = self.send(&project.req_get("/summary")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /projects/{project_name_or_id}/_deletable`.
    pub async fn project_deletable(&self, project: &ProjectRef) -> Result<ProjectDeletable, Error> {
        let resp = self.send(&project.req_get("/_deletable")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }
}

/// Whether `found` is what creating `sent` would have produced: same name and every
/// metadata value sent. Harbor rewrites nothing we send on create except filling defaults.
fn project_matches(sent: &ProjectReq, found: &Project) -> bool {
    if sent.project_name.as_deref() != Some(found.name.as_str()) {
        return false;
    }
    let mut wanted = sent.metadata.clone().unwrap_or_default();
    if wanted.public.is_none() {
        wanted.public = sent.public.map(|p| p.to_string());
    }
    metadata_includes(&found.metadata, &wanted)
}

fn metadata_includes(found: &ProjectMetadata, wanted: &ProjectMetadata) -> bool {
    let (Ok(serde_json::Value::Object(found)), Ok(serde_json::Value::Object(wanted))) =
        (serde_json::to_value(found), serde_json::to_value(wanted))
    else {
        return false;
    };
    wanted.iter().all(|(k, v)| found.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adoption_requires_the_metadata_we_sent() {
        let sent = ProjectReq {
            project_name: Some("ci".into()),
            public: Some(true),
            metadata: Some(ProjectMetadata {
                auto_scan: Some("true".into()),
                ..ProjectMetadata::default()
            }),
            ..ProjectReq::default()
        };
        let mut found = Project {
            name: "ci".into(),
            metadata: ProjectMetadata {
                public: Some("true".into()),
                auto_scan: Some("true".into()),
                retention_id: Some("7".into()),
                ..ProjectMetadata::default()
            },
            ..Project::default()
        };
        assert!(project_matches(&sent, &found));
        found.metadata.public = Some("false".into());
        assert!(!project_matches(&sent, &found));
        found.metadata.public = Some("true".into());
        found.name = "other".into();
        assert!(!project_matches(&sent, &found));
    }
}
