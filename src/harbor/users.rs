//! Local users: `/users`, their password and admin flag.

use serde::{Deserialize, Serialize};

use super::client::{Client, Req, Response, q_exact};
use super::error::Error;
use super::secret::Secret;

/// Swagger `UserResp` (the parts the provider uses; Harbor never returns a password).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserResp {
    #[serde(default)]
    pub user_id: i64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub realname: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub sysadmin_flag: bool,
}

/// Swagger `UserCreationReq`.
#[derive(Debug, Clone, Serialize)]
pub struct UserCreationReq {
    pub username: String,
    pub email: String,
    pub realname: String,
    pub comment: String,
    pub password: Secret,
}

/// Swagger `UserProfile`: Harbor writes all three fields, an absent one as empty.
#[derive(Debug, Clone, Serialize)]
pub struct UserProfile {
    pub email: String,
    pub realname: String,
    pub comment: String,
}

#[derive(Serialize)]
struct PasswordReq<'a> {
    new_password: &'a Secret,
}

#[derive(Serialize)]
struct SysAdminFlag {
    sysadmin_flag: bool,
}

impl Client {
    /// `POST /users` (admins only, database auth mode). After an ambiguous failure the user is
    /// looked up by username and adopted only if its email matches.
    pub async fn create_user(&self, user: &UserCreationReq) -> Result<i64, Error> {
        let req = Req::post("/users").json(user)?;
        let accept = |resp: &Response| match resp.status {
            201 => resp.location_id(),
            _ => Err(resp.error()),
        };
        self.create(&req, accept, |client| async move {
            Ok(client
                .find_user(&user.username)
                .await?
                .filter(|u| u.email == user.email)
                .map(|u| u.user_id))
        })
        .await
    }

    /// `GET /users/{user_id}`.
    pub async fn get_user(&self, id: i64) -> Result<UserResp, Error> {
        let resp = self.send(&Req::get(format!("/users/{id}"))).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `GET /users`, every page; `username` and `email` filter exactly (`q=username=..,email=..`).
    pub async fn list_users(
        &self,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<Vec<UserResp>, Error> {
        let mut terms = Vec::new();
        terms.extend(username.and_then(|u| q_exact("username", u)));
        terms.extend(email.and_then(|e| q_exact("email", e)));
        let mut req = Req::get("/users");
        if !terms.is_empty() {
            req = req.query("q", terms.join(","));
        }
        let users: Vec<UserResp> = self.get_all(req).await?;
        Ok(users
            .into_iter()
            .filter(|u| username.is_none_or(|n| u.username == n))
            .filter(|u| email.is_none_or(|e| u.email == e))
            .collect())
    }

    /// The user with exactly this username, if any.
    pub async fn find_user(&self, username: &str) -> Result<Option<UserResp>, Error> {
        Ok(self
            .list_users(Some(username), None)
            .await?
            .into_iter()
            .next())
    }

    /// `PUT /users/{user_id}`: email, realname and comment.
    pub async fn update_user_profile(&self, id: i64, profile: &UserProfile) -> Result<(), Error> {
        let resp = self
            .send(&Req::put(format!("/users/{id}")).json(profile)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /users/{user_id}/password` as an admin (no old password needed). Harbor's 400 "New
    /// password is identical to old password" means the user already has it: success, which
    /// also makes a repeated request after a lost answer harmless.
    pub async fn set_user_password(&self, id: i64, password: &Secret) -> Result<(), Error> {
        let body = PasswordReq {
            new_password: password,
        };
        let resp = self
            .send(&Req::put(format!("/users/{id}/password")).json(&body)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            400 => match resp.error() {
                Error::Api { message, .. } if message.contains("identical to old password") => {
                    Ok(())
                }
                other => Err(other),
            },
            _ => Err(resp.error()),
        }
    }

    /// `PUT /users/{user_id}/sysadmin`.
    pub async fn set_user_sysadmin(&self, id: i64, admin: bool) -> Result<(), Error> {
        let body = SysAdminFlag {
            sysadmin_flag: admin,
        };
        let resp = self
            .send(&Req::put(format!("/users/{id}/sysadmin")).json(&body)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `DELETE /users/{user_id}`. Already gone counts as success.
    pub async fn delete_user(&self, id: i64) -> Result<(), Error> {
        let resp = self.send(&Req::delete(format!("/users/{id}"))).await?;
        match resp.status {
            200 | 404 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
