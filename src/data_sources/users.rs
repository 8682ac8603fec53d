//! `data "harbor_users"`: Harbor's local users, optionally one username or email, with
//! goharbor/harbor's attribute names. Needs an administrator (Harbor's `GET /users`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct UsersDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct UserItem {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub admin: bool,
    pub comment: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct UsersModel {
    pub id: Known<Option<String>>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub users: Known<Option<Vec<UserItem>>>,
}

#[async_trait]
impl DataSource<HarborContext> for UsersDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_users"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<UsersModel>(&self.schema().ty()))
    }

    fn schema(&self) -> Schema {
        let user = vec![
            Attribute::string("id").computed().describe("The user's API path, `/users/<id>`: the `id` of `harbor_user`, usable as an import id."),
            Attribute::string("username").computed().describe("The login name."),
            Attribute::string("full_name").computed().describe("The full name."),
            Attribute::string("email").computed().describe("The email address."),
            Attribute::bool("admin").computed().describe("Whether the user is a system administrator."),
            Attribute::string("comment").computed().describe("The comment."),
        ];
        Schema::new(
            0,
            Block::new("Lists Harbor's local users (admins only), every page; `username` and `email` keep exact matches. No match gives an empty list.")
                .attr(Attribute::string("id").computed().describe("An identifier of this query, as goharbor/harbor sets one."))
                .attr(Attribute::string("username").optional().describe("Only the user with this username."))
                .attr(Attribute::string("email").optional().describe("Only the user with this email address."))
                .attr(Attribute::nested("users", Nesting::List, user).computed().describe("The matching users, by id.")),
        )
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: UsersModel = model::from_value(config)?;
        let username = config.username.as_deref().filter(|s| !s.is_empty());
        let email = config.email.as_deref().filter(|s| !s.is_empty());
        let mut users = h
            .client
            .list_users(username, email)
            .await
            .map_err(|e| api_diag("Could not list", "Harbor's users", &e))?;
        users.sort_by_key(|u| u.user_id);
        let found = UsersModel {
            id: Some("harbor-users".to_string()).into(),
            users: Some(
                users
                    .into_iter()
                    .map(|u| UserItem {
                        id: format!("/users/{}", u.user_id),
                        username: u.username,
                        full_name: u.realname,
                        email: u.email,
                        admin: u.sysadmin_flag,
                        comment: u.comment,
                    })
                    .collect(),
            )
            .into(),
            ..config
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
