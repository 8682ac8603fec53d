//! User groups: `/usergroups` (LDAP, HTTP and OIDC groups).

use serde::{Deserialize, Serialize};

use super::client::{Client, Req, Response};
use super::error::Error;

/// Swagger `UserGroup`. `GET /usergroups/{id}` answers without `id`; lists carry it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserGroup {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub id: i64,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub group_type: i64,
    #[serde(default)]
    pub ldap_group_dn: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl Client {
    /// `POST /usergroups`. After an ambiguous failure the group is looked up by name and type.
    pub async fn create_usergroup(&self, group: &UserGroup) -> Result<i64, Error> {
        let req = Req::post("/usergroups").json(group)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            Ok(client
                .list_usergroups(Some(&group.group_name))
                .await?
                .into_iter()
                .find(|g| g.group_name == group.group_name && g.group_type == group.group_type)
                .map(|g| g.id))
        })
        .await
    }

    /// `GET /usergroups/{group_id}`, with `id` filled in from the path.
    pub async fn get_usergroup(&self, id: i64) -> Result<UserGroup, Error> {
        let resp = self.send(&Req::get(format!("/usergroups/{id}"))).await?;
        match resp.status {
            200 => Ok(UserGroup { id, ..resp.json()? }),
            _ => Err(resp.error()),
        }
    }

    /// `GET /usergroups`, every page; `group_name` filters fuzzily in Harbor, exactly here.
    pub async fn list_usergroups(&self, group_name: Option<&str>) -> Result<Vec<UserGroup>, Error> {
        let mut req = Req::get("/usergroups");
        if let Some(name) = group_name {
            req = req.query("group_name", name);
        }
        let groups: Vec<UserGroup> = self.get_all(req).await?;
        Ok(groups
            .into_iter()
            .filter(|g| group_name.is_none_or(|n| g.group_name == n))
            .collect())
    }

    /// `PUT /usergroups/{group_id}`: Harbor changes only the name.
    pub async fn rename_usergroup(&self, id: i64, name: &str) -> Result<(), Error> {
        let body = UserGroup {
            group_name: name.to_string(),
            ..UserGroup::default()
        };
        let resp = self
            .send(&Req::put(format!("/usergroups/{id}")).json(&body)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /usergroups/{group_id}` (Harbor answers 200 for an unknown id too).
    pub async fn delete_usergroup(&self, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/usergroups/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
