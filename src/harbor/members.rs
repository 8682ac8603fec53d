//! Project members: `/projects/{project_name_or_id}/members`.

use serde::{Deserialize, Serialize};

use super::client::{Client, Req, Response};
use super::error::Error;

/// Swagger `ProjectMemberEntity`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProjectMemberEntity {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub project_id: i64,
    #[serde(default)]
    pub entity_name: String,
    /// `u` (user) or `g` (group).
    #[serde(default)]
    pub entity_type: String,
    #[serde(default)]
    pub entity_id: i64,
    #[serde(default)]
    pub role_id: i64,
    #[serde(default)]
    pub role_name: String,
}

/// Swagger `UserEntity` in a member request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MemberUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Swagger `UserGroup` in a member request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MemberGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_type: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ldap_group_dn: Option<String>,
}

/// Swagger `ProjectMember`: a role and one of a user or a group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProjectMember {
    pub role_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_user: Option<MemberUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_group: Option<MemberGroup>,
}

#[derive(Serialize)]
struct RoleRequest {
    role_id: i64,
}

impl Client {
    /// `POST /projects/{id}/members`. After an ambiguous failure the member is looked up by
    /// entity name and type (a project holds an entity once).
    pub async fn create_project_member(
        &self,
        project_id: i64,
        member: &ProjectMember,
        entity_name: &str,
        entity_type: &str,
    ) -> Result<i64, Error> {
        let req = Req::post(format!("/projects/{project_id}/members")).json(member)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            Ok(client
                .list_project_members(project_id)
                .await?
                .into_iter()
                .find(|m| m.entity_name == entity_name && m.entity_type == entity_type)
                .map(|m| m.id))
        })
        .await
    }

    /// `GET /projects/{id}/members/{mid}`.
    pub async fn get_project_member(
        &self,
        project_id: i64,
        member_id: i64,
    ) -> Result<ProjectMemberEntity, Error> {
        let resp = self
            .send(&Req::get(format!(
                "/projects/{project_id}/members/{member_id}"
            )))
            .await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /projects/{id}/members`, every page.
    pub async fn list_project_members(
        &self,
        project_id: i64,
    ) -> Result<Vec<ProjectMemberEntity>, Error> {
        self.get_all(Req::get(format!("/projects/{project_id}/members")))
            .await
    }

    /// `PUT /projects/{id}/members/{mid}` with `{role_id}`.
    pub async fn update_project_member_role(
        &self,
        project_id: i64,
        member_id: i64,
        role_id: i64,
    ) -> Result<(), Error> {
        let req = Req::put(format!("/projects/{project_id}/members/{member_id}"))
            .json(&RoleRequest { role_id })?;
        let resp = self.send(&req).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /projects/{id}/members/{mid}`. Already gone counts as success.
    pub async fn delete_project_member(
        &self,
        project_id: i64,
        member_id: i64,
    ) -> Result<(), Error> {
        let resp = self
            .send(&Req::delete(format!(
                "/projects/{project_id}/members/{member_id}"
            )))
            .await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
