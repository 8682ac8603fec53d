//! Robot account operations: `/robots` and its secret refresh.

use std::collections::BTreeSet;

use super::client::{Client, Req, Response, Retry};
use super::error::Error;
use super::models::{Robot, RobotCreate, RobotCreated, RobotPermission, RobotSec};
use super::projects::ProjectRef;
use super::secret::Secret;

impl Client {
    /// `POST /robots`: creates a robot; the answer is the only read that carries its secret.
    ///
    /// After an ambiguous failure the robot is looked up by name, level and project, and
    /// adopted only if description and permissions match too. Since the secret of an
    /// adopted robot was never seen, it is then rotated (`PATCH /robots/{id}`) so the
    /// caller gets a usable one.
    pub async fn create_robot(&self, robot: &RobotCreate) -> Result<RobotCreated, Error> {
        let req = Req::post("/robots").json(robot)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.json(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            let Some(found) = client.find_created_robot(robot).await? else {
                return Ok(None);
            };
            // Nobody has seen this robot's secret, so repeating the rotation is harmless.
            let secret = client
                .rotate_robot_secret(found.id, None, Retry::Idempotent)
                .await?;
            Ok(Some(RobotCreated {
                id: found.id,
                name: found.name,
                secret,
                creation_time: found.creation_time,
                expires_at: found.expires_at,
            }))
        })
        .await
    }

    /// The robot `sent` would have created: same name, level, project, description and
    /// permissions. Settles a create whose outcome is unknown, then or on a later read.
    pub async fn find_created_robot(&self, sent: &RobotCreate) -> Result<Option<Robot>, Error> {
        let (candidates, full_suffix) = match sent.level.as_str() {
            "project" => {
                let Some(project) = sent.permissions.first().map(|p| p.namespace.clone()) else {
                    return Ok(None);
                };
                let id = match self.get_project(&ProjectRef::Name(project.clone())).await {
                    Ok(found) => found.project_id,
                    // No project, no robot in it.
                    Err(e) if e.is_not_found() => return Ok(None),
                    Err(e) => return Err(e),
                };
                (
                    self.list_project_robots(id).await?,
                    format!("{project}+{}", sent.name),
                )
            }
            _ => (self.list_system_robots().await?, sent.name.clone()),
        };
        Ok(candidates.into_iter().find(|found| {
            // The prefix (`robot$` by default) is configurable, so match the tail and make
            // sure what precedes it is a prefix, not another project.
            found.level == sent.level
                && found
                    .name
                    .strip_suffix(&full_suffix)
                    .is_some_and(|prefix| !prefix.contains('+'))
                && found.description == sent.description.clone().unwrap_or_default()
                && permission_set(&found.permissions) == permission_set(&sent.permissions)
        }))
    }

    /// `GET /robots/{robot_id}`.
    pub async fn get_robot(&self, id: i64) -> Result<Robot, Error> {
        let resp = self.send(&Req::get(format!("/robots/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /robots`, every page: without `q` Harbor lists system robots only.
    pub async fn list_system_robots(&self) -> Result<Vec<Robot>, Error> {
        let robots: Vec<Robot> = self.get_all(Req::get("/robots")).await?;
        // Before 2.13 project robots leaked into this list.
        Ok(robots.into_iter().filter(|r| r.level == "system").collect())
    }

    /// `GET /robots?q=Level=project,ProjectID=<id>`, every page.
    pub async fn list_project_robots(&self, project_id: i64) -> Result<Vec<Robot>, Error> {
        let req = Req::get("/robots").query("q", format!("Level=project,ProjectID={project_id}"));
        self.get_all(req).await
    }

    /// `PUT /robots/{robot_id}`: `name` must be the current full name and `level`
    /// unchanged; `description`, `disable` and `permissions` are replaced.
    pub async fn update_robot(&self, id: i64, robot: &Robot) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/robots/{id}")).json(robot)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `PATCH /robots/{robot_id}`: sets `secret`, or with `None` lets Harbor generate
    /// one. Returns the secret now in force. Never retried: each call rotates again.
    pub async fn refresh_robot_secret(
        &self,
        id: i64,
        secret: Option<Secret>,
    ) -> Result<Secret, Error> {
        self.rotate_robot_secret(id, secret, Retry::Never).await
    }

    async fn rotate_robot_secret(
        &self,
        id: i64,
        secret: Option<Secret>,
        retry: Retry,
    ) -> Result<Secret, Error> {
        let body = RobotSec {
            secret: secret.clone(),
        };
        let req = Req::patch(format!("/robots/{id}"))
            .json(&body)?
            .retry(retry);
        let resp = self.send(&req).await?;
        match resp.status {
            200 => {
                let answered: RobotSec = resp.json()?;
                // With a given secret Harbor answers an empty one; ours is in force.
                match (answered.secret.filter(|s| !s.is_empty()), secret) {
                    (Some(generated), _) => Ok(generated),
                    (None, Some(given)) => Ok(given),
                    (None, None) => Err(resp.decode_error("Harbor returned no secret")),
                }
            }
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /robots/{robot_id}`. Already gone counts as success.
    pub async fn delete_robot(&self, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/robots/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}

/// A robot's full name as Harbor shows it and expects on PUT and as the Basic-auth user:
/// `<prefix><name>` at system level, `<prefix><project>+<name>` at project level.
pub fn robot_full_name(prefix: &str, project: Option<&str>, name: &str) -> String {
    match project {
        Some(project) => format!("{prefix}{project}+{name}"),
        None => format!("{prefix}{name}"),
    }
}

/// Permissions as a comparable set; `effect` is ignored because Harbor stores it
/// unvalidated and it does not affect what the robot can do.
fn permission_set(permissions: &[RobotPermission]) -> BTreeSet<(String, String, String, String)> {
    permissions
        .iter()
        .flat_map(|p| {
            p.access.iter().map(|a| {
                (
                    p.kind.clone(),
                    p.namespace.clone(),
                    a.resource.clone(),
                    a.action.clone(),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::robot_full_name;

    #[test]
    fn full_names_follow_the_level() {
        assert_eq!(robot_full_name("robot$", None, "ci"), "robot$ci");
        assert_eq!(robot_full_name("bot_", Some("team"), "ci"), "bot_team+ci");
    }
}
