//! System-wide operations: ping, system info, the current user, configuration,
//! quotas, repositories, scanners and the permission catalog.

use super::client::{Client, Req};
use super::error::Error;
use super::models::{
    Configurations, ConfigurationsResponse, GeneralInfo, Permissions, ProjectScanner, Quota,
    QuotaUpdateReq, Repository, ResourceList, ScannerRegistration, UserResp,
};
use super::projects::ProjectRef;

impl Client {
    /// `GET /ping`: Harbor answers `Pong`, without authentication. To our `Accept:
    /// application/json` a real Harbor 2.15 sends it JSON-encoded (`"Pong"`, go-swagger's
    /// content negotiation); a plain-text answer is the bare word. Both come back as `Pong`.
    pub async fn ping(&self) -> Result<String, Error> {
        let resp = self.send(&Req::get("/ping")).await?;
        match resp.status {
            200 => {
                let text = resp.text();
                Ok(serde_json::from_str::<String>(text.trim()).unwrap_or(text))
            }
            _ => Err(resp.error()),
        }
    }

    /// `GET /systeminfo`. `harbor_version` is present only for authenticated callers.
    pub async fn systeminfo(&self) -> Result<GeneralInfo, Error> {
        let resp = self.send(&Req::get("/systeminfo")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /users/current`: 401 when anonymous (or bad credentials), 412/403 for robots.
    pub async fn current_user(&self) -> Result<UserResp, Error> {
        let resp = self.send(&Req::get("/users/current")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /configurations` (sysadmin only).
    pub async fn get_configurations(&self) -> Result<ConfigurationsResponse, Error> {
        let resp = self.send(&Req::get("/configurations")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /configurations` with a flat `{key: value}` body; only sent keys change.
    pub async fn update_configurations(&self, settings: &Configurations) -> Result<(), Error> {
        let resp = self
            .send(&Req::put("/configurations").json(settings)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `GET /permissions`: the resource/action catalog robots may be granted (2.10+).
    pub async fn permissions(&self) -> Result<Permissions, Error> {
        let resp = self.send(&Req::get("/permissions")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    // ------------------------------------------------------------ quotas

    /// `GET /quotas?reference=project&reference_id=<id>`, every page: 0 or 1 quota.
    /// Needs system-level access; project admins see quotas only via the summary.
    pub async fn list_project_quotas(&self, project_id: i64) -> Result<Vec<Quota>, Error> {
        let req = Req::get("/quotas")
            .query("reference", "project")
            .query("reference_id", project_id);
        let quotas: Vec<Quota> = self.get_all(req).await?;
        // `reference_id` is a filter an odd server could ignore; never act on another project's quota.
        Ok(quotas
            .into_iter()
            .filter(|q| q.reference.id == project_id)
            .collect())
    }

    /// `GET /quotas/{id}`.
    pub async fn get_quota(&self, id: i64) -> Result<Quota, Error> {
        let resp = self.send(&Req::get(format!("/quotas/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /quotas/{id}` with `{"hard":{"storage":<bytes>}}`; -1 is unlimited.
    pub async fn update_quota_storage(&self, id: i64, storage_bytes: i64) -> Result<(), Error> {
        let body = QuotaUpdateReq {
            hard: ResourceList {
                storage: Some(storage_bytes),
            },
        };
        let resp = self
            .send(&Req::put(format!("/quotas/{id}")).json(&body)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    // ------------------------------------------------------------ repositories

    /// `GET /projects/{project_name}/repositories`, every page.
    pub async fn list_repositories(&self, project_name: &str) -> Result<Vec<Repository>, Error> {
        let project = ProjectRef::Name(project_name.to_owned());
        self.get_all(project.req_get("/repositories")).await
    }

    /// `DELETE /projects/{project_name}/repositories/{repository_name}`. `repository` is
    /// the name inside the project (`nginx` or `team/nginx`); Harbor wants its `/`
    /// double-encoded as `%252F`. Already gone counts as success.
    pub async fn delete_repository(
        &self,
        project_name: &str,
        repository: &str,
    ) -> Result<(), Error> {
        let project = ProjectRef::Name(project_name.to_owned());
        let encoded = encode_repository(repository);
        let resp = self
            .send(&project.req_delete(&format!("/repositories/{encoded}")))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    // ------------------------------------------------------------ scanners

    /// `GET /scanners`, every page.
    pub async fn list_scanners(&self) -> Result<Vec<ScannerRegistration>, Error> {
        self.get_all(Req::get("/scanners")).await
    }

    /// `GET /projects/{project_name_or_id}/scanner`.
    /// `None` when no scanner applies: Harbor then answers 200 with an empty body
    /// (`GetScannerOfProject` passes a nil registration as the payload).
    pub async fn get_project_scanner(
        &self,
        project: &ProjectRef,
    ) -> Result<Option<ScannerRegistration>, Error> {
        let resp = self.send(&project.req_get("/scanner")).await?;
        match resp.status {
            200 if resp.body_is_empty() => Ok(None),
            200 => resp.json().map(Some),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /projects/{project_name_or_id}/scanner` with `{"uuid": ...}`.
    pub async fn set_project_scanner(&self, project: &ProjectRef, uuid: &str) -> Result<(), Error> {
        let body = ProjectScanner {
            uuid: uuid.to_owned(),
        };
        let resp = self.send(&project.req_put("/scanner").json(&body)?).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}

/// Percent-encodes a repository name, then encodes the `%` again so a `/` arrives at
/// Harbor's handler as `%2F` after the router's own unescape.
fn encode_repository(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%25{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_repository;

    #[test]
    fn repository_names_are_double_encoded() {
        assert_eq!(encode_repository("team/nginx"), "team%252Fnginx");
        assert_eq!(encode_repository("nginx"), "nginx");
    }
}
