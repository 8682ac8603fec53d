//! Repositories, only as far as projects need them: list, read and delete (seeding is in `control`).

use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Repository, Store};
use crate::util::{Page, Params, list_response, ok_empty, ok_json, query_unescape};

pub fn repository_json(repo: &Repository) -> Value {
    json!({
        "id": repo.id,
        "project_id": repo.project_id,
        "name": repo.name,
        "description": "",
        "artifact_count": 0,
        "pull_count": 0,
        "creation_time": repo.creation_time,
        "update_time": repo.update_time,
    })
}

/// Repository names arrive double-encoded (`a%252Fb`); the router decodes once, this decodes again.
fn repository_name(raw: &str) -> String {
    query_unescape(&raw.replace('+', "%2B"))
}

/// `GET /projects/{project_name}/repositories`
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(project): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_ref = who.require_project(
        store.project_by_name(&project),
        "repository",
        "list",
        &format!("project {project} not found"),
    )?;
    let q = params.query()?;
    let repos: Vec<&Repository> = store
        .repositories
        .values()
        .filter(|r| r.project_id == project_ref.id && q.allows("name", &r.name))
        .collect();
    let total = repos.len();
    let items: Vec<Value> = page
        .slice(&repos)
        .into_iter()
        .map(repository_json)
        .collect();
    Ok(list_response(
        &format!("/api/v2.0/projects/{project}/repositories"),
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /projects/{project_name}/repositories/{repository_name}`
pub async fn get(
    State(app): State<App>,
    ctx: Ctx,
    Path((project, repo)): Path<(String, String)>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_project(
        store.project_by_name(&project),
        "repository",
        "read",
        &format!("project {project} not found"),
    )?;
    let full = format!("{project}/{}", repository_name(&repo));
    let found = store.repositories.values().find(|r| r.name == full);
    found
        .map(|r| ok_json(repository_json(r)))
        .ok_or_else(|| ApiError::not_found(format!("repository {full} not found")))
}

/// `DELETE /projects/{project_name}/repositories/{repository_name}`
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path((project, repo)): Path<(String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_project(
        store.project_by_name(&project),
        "repository",
        "delete",
        &format!("project {project} not found"),
    )?;
    let full = format!("{project}/{}", repository_name(&repo));
    let id = store
        .repositories
        .values()
        .find(|r| r.name == full)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::not_found(format!("repository {full} not found")))?;
    // Deleting a repository deletes its artifact, which fires DELETE_ARTIFACT; the repository
    // is gone by then, so `date_created` is left out (`constructArtifactPayload`).
    let operator = operator(&store, &who);
    store.repositories.remove(&id);
    // `repository.Ctl.Delete` deletes every artifact of the repository first.
    store
        .lifecycle
        .artifacts
        .retain(|_, a| a.repository_id != id);
    let deliveries = store.project_by_name(&project).map(|p| {
        crate::webhooks::artifact_deliveries(
            &app,
            &store,
            &crate::webhooks::ArtifactEvent {
                event_type: "DELETE_ARTIFACT",
                project: p,
                repository: &full,
                repository_created: None,
                digest: crate::webhooks::seeded_digest(&full),
                tag: None,
                operator: &operator,
            },
        )
    });
    drop(store);
    crate::webhooks::send(&app, deliveries.unwrap_or_default());
    Ok(ok_empty())
}

/// `operator.FromContext`: the name of whoever made the request, as events carry it.
pub fn operator(store: &Store, who: &Principal) -> String {
    match who {
        Principal::Admin => crate::state::ADMIN_USERNAME.to_string(),
        Principal::Robot(r) => format!("{}{}", store.settings.robot_name_prefix, r.name),
        Principal::User(u) => u.user.username.clone(),
        Principal::Anonymous => String::new(),
    }
}
