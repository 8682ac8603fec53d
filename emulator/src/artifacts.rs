//! Artifacts and tags: pushed through the control endpoint (standing in for `docker push`, with
//! Harbor's immutability check on an existing tag), listed and deleted through Harbor's API, where
//! deleting an immutable tag or an artifact carrying one is refused as Harbor refuses it.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::{Artifact, Tag, without_project};
use crate::state::{App, Repository, Store};
use crate::util::{
    Page, Params, Timestamp, is_valid_repository_path, list_response, ok_empty, parse_body,
    query_unescape,
};

const DAY_MS: i64 = 86_400_000;

/// A push as the control endpoint takes it. Times are given as days before now, so tests can
/// build the histories retention rules look at.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Push {
    repository: String,
    #[serde(default)]
    tags: Vec<String>,
    /// A new artifact unless given; the same digest again adds tags to that artifact.
    digest: Option<String>,
    #[serde(default)]
    pushed_days_ago: i64,
    /// Never pulled unless given.
    pulled_days_ago: Option<i64>,
    /// Bytes the artifact holds (manifest, config and layers); counted against the project's
    /// storage quota once per digest. 0 unless given.
    #[serde(default)]
    size: i64,
}

fn days_ago(days: i64) -> Timestamp {
    Timestamp(Timestamp::now().0 - days * DAY_MS)
}

fn digest_for(seed: i64) -> String {
    let d = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("artifact-{seed}").as_bytes(),
    );
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `POST /_emulator/projects/{name}/artifacts`: a push of one manifest with its tags. Like a push
/// it creates the repository when it is new. A tag already on another artifact moves to this one
/// (`controller/tag` `Ensure`), unless an immutable rule protects it: then the push is refused as
/// the registry's `server/middleware/immutable` `handlePush` refuses it (412, "Failed to process
/// request due to 'repo:tag' configured as immutable.").
pub async fn push(State(app): State<App>, Path(project): Path<String>, body: Bytes) -> ApiResult {
    let req: Push = parse_body(&body)?;
    if !is_valid_repository_path(&req.repository) {
        return Err(ApiError::bad_request(format!(
            "invalid repository name {}",
            req.repository
        )));
    }
    let mut store = app.store();
    let project_id = store
        .project_by_name(&project)
        .map(|p| p.id)
        .ok_or_else(|| ApiError::not_found(format!("project {project} not found")))?;
    let full = format!("{project}/{}", req.repository);
    for tag in &req.tags {
        let holder = store
            .lifecycle
            .artifacts
            .values()
            .find(|a| a.repository == full && a.tags.iter().any(|t| &t.name == tag));
        if holder.is_some()
            && store
                .lifecycle
                .is_immutable(project_id, &req.repository, std::slice::from_ref(tag))
        {
            return Err(ApiError::precondition(format!(
                "Failed to process request due to '{}:{tag}' configured as immutable.",
                req.repository
            )));
        }
    }
    if req.size < 0 {
        return Err(ApiError::bad_request(format!(
            "size {} must not be negative",
            req.size
        )));
    }
    let existing = req.digest.as_ref().and_then(|d| {
        store
            .lifecycle
            .artifacts
            .values()
            .find(|a| a.repository == full && &a.digest == d)
            .map(|a| a.id)
    });
    // A new artifact's id is taken before the quota check, as Postgres takes a serial: a refused
    // push leaves a gap.
    let new_id = existing.is_none().then(|| store.lifecycle.next_artifact());
    let digest = match (existing, new_id) {
        (Some(id), _) => store.lifecycle.artifacts[&id].digest.clone(),
        (None, Some(id)) => req.digest.clone().unwrap_or_else(|| digest_for(id)),
        (None, None) => return Err(ApiError::internal()),
    };
    // The manifest PUT goes through the quota middleware (`RequestMiddleware` with
    // `putManifestResources`); the emulator charges the artifact's whole size there.
    let verdict = crate::quota_usage::check_push(
        &store,
        &crate::quota_usage::PushCheck {
            project_id,
            repository: &full,
            digest: &digest,
            tag: req.tags.first().map(String::as_str),
            size: req.size,
            operator: crate::state::ADMIN_USERNAME,
        },
    );
    let deliveries = match verdict {
        crate::quota_usage::Verdict::Refused(error, deliveries) => {
            drop(store);
            crate::webhooks::send(&app, deliveries);
            return Err(error);
        }
        crate::quota_usage::Verdict::Charged(deliveries) => deliveries,
        crate::quota_usage::Verdict::Free => Vec::new(),
    };
    let now = Timestamp::now();
    let repository_id = match store.repositories.values().find(|r| r.name == full) {
        Some(r) => r.id,
        None => {
            let id = store.seq.repository();
            store.repositories.insert(
                id,
                Repository {
                    id,
                    project_id,
                    name: full.clone(),
                    creation_time: now,
                    update_time: now,
                },
            );
            id
        }
    };
    let push_time = days_ago(req.pushed_days_ago);
    let pull_time = req.pulled_days_ago.map(days_ago);
    // Tags move off whatever artifact held them.
    for a in store.lifecycle.artifacts.values_mut() {
        if a.repository == full {
            a.tags.retain(|t| !req.tags.contains(&t.name));
        }
    }
    let mut tags = Vec::new();
    for name in &req.tags {
        tags.push(Tag {
            id: store.lifecycle.next_tag(),
            name: name.clone(),
            push_time,
            pull_time,
        });
    }
    let id = match (existing, new_id) {
        (Some(id), _) => {
            let a = store.lifecycle.artifacts.get_mut(&id).expect("found above");
            a.tags.extend(tags);
            a.push_time = push_time;
            if pull_time.is_some() {
                a.pull_time = pull_time;
            }
            id
        }
        (None, Some(id)) => {
            store.lifecycle.artifacts.insert(
                id,
                Artifact {
                    id,
                    project_id,
                    repository_id,
                    repository: full.clone(),
                    digest,
                    size: req.size,
                    push_time,
                    pull_time,
                    tags,
                },
            );
            id
        }
        (None, None) => return Err(ApiError::internal()),
    };
    let body = artifact_json(&store, &store.lifecycle.artifacts[&id]);
    // Every manifest PUT fires PUSH_ARTIFACT, its reference the first tag or else the digest.
    let mut deliveries = deliveries;
    if let Some(project) = store.projects.get(&project_id) {
        let created = store
            .repositories
            .get(&repository_id)
            .map(|r| r.creation_time);
        deliveries.extend(crate::webhooks::artifact_deliveries(
            &app,
            &store,
            &crate::webhooks::ArtifactEvent {
                event_type: "PUSH_ARTIFACT",
                project,
                repository: &full,
                repository_created: created,
                digest: store.lifecycle.artifacts[&id].digest.clone(),
                tag: req.tags.first().cloned(),
                operator: crate::state::ADMIN_USERNAME,
            },
        ));
    }
    drop(store);
    crate::webhooks::send(&app, deliveries);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

fn time_or_zero(t: Option<Timestamp>) -> Value {
    // Harbor renders a never-pulled time as Go's zero time.
    t.map_or_else(|| json!("0001-01-01T00:00:00.000Z"), |t| json!(t))
}

/// The artifact as `GET .../artifacts?with_tag=true` shows it, with each tag's `immutable` flag
/// (`populateImmutableStatus`).
pub fn artifact_json(store: &Store, a: &Artifact) -> Value {
    let repo = without_project(&a.repository);
    let tags: Vec<Value> = a
        .tags
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "repository_id": a.repository_id,
                "artifact_id": a.id,
                "name": t.name,
                "push_time": t.push_time,
                "pull_time": time_or_zero(t.pull_time),
                "immutable": store.lifecycle.is_immutable(a.project_id, repo, std::slice::from_ref(&t.name)),
            })
        })
        .collect();
    json!({
        "id": a.id,
        "type": "IMAGE",
        "media_type": "application/vnd.oci.image.config.v1+json",
        "manifest_media_type": "application/vnd.oci.image.manifest.v1+json",
        "project_id": a.project_id,
        "repository_id": a.repository_id,
        "repository_name": a.repository,
        "digest": a.digest,
        "size": a.size,
        "push_time": a.push_time,
        "pull_time": time_or_zero(a.pull_time),
        "tags": tags,
    })
}

/// Repository names arrive double-encoded (`a%252Fb`); the router decodes once, this decodes again.
fn repository_name(raw: &str) -> String {
    query_unescape(&raw.replace('+', "%2B"))
}

fn find_artifact<'a>(store: &'a Store, full: &str, reference: &str) -> Option<&'a Artifact> {
    store.lifecycle.artifacts.values().find(|a| {
        a.repository == full
            && (a.digest == reference || a.tags.iter().any(|t| t.name == reference))
    })
}

/// `GET /projects/{project_name}/repositories/{repository_name}/artifacts`
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path((project, repo)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_project(
        store.project_by_name(&project),
        "artifact",
        "list",
        &format!("project {project} not found"),
    )?;
    // `ListArtifacts` builds the query (and refuses a malformed `q`) right after the access
    // check; its terms are not applied here (seeded artifacts are few).
    params.query()?;
    let repo = repository_name(&repo);
    let full = format!("{project}/{repo}");
    // Newest push first, as Harbor's default artifact sort (`-push_time`).
    let mut items: Vec<&Artifact> = store
        .lifecycle
        .artifacts
        .values()
        .filter(|a| a.repository == full)
        .collect();
    items.sort_by(|a, b| b.push_time.cmp(&a.push_time).then(b.id.cmp(&a.id)));
    let total = items.len();
    let out: Vec<Value> = page
        .slice(&items)
        .into_iter()
        .map(|a| artifact_json(&store, a))
        .collect();
    Ok(list_response(
        &format!("/api/v2.0/projects/{project}/repositories/{repo}/artifacts"),
        &params,
        page,
        out,
        total,
    ))
}

fn immutable_tag_error(tag: &str) -> ApiError {
    ApiError::precondition(format!(
        "the tag {tag} configured as immutable, cannot be deleted"
    ))
}

/// `DELETE /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}`: the
/// artifact controller deletes its tags through `tagCtl.DeleteTags`, which refuses an immutable
/// one (`controller/tag/controller.go` `Delete`, 412), so nothing is deleted then.
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path((project, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_project(
        store.project_by_name(&project),
        "artifact",
        "delete",
        &format!("project {project} not found"),
    )?;
    let repo = repository_name(&repo);
    let full = format!("{project}/{repo}");
    let art = find_artifact(&store, &full, &reference)
        .ok_or_else(|| ApiError::not_found(format!("artifact {full}:{reference} not found")))?;
    for t in &art.tags {
        if store
            .lifecycle
            .is_immutable(art.project_id, &repo, std::slice::from_ref(&t.name))
        {
            return Err(immutable_tag_error(&t.name));
        }
    }
    let id = art.id;
    // `DeleteArtifact` fires DELETE_ARTIFACT, its reference the first tag or else the digest; the
    // repository still exists, so `date_created` is known.
    let deliveries = match store.projects.get(&art.project_id) {
        Some(project) => crate::webhooks::artifact_deliveries(
            &app,
            &store,
            &crate::webhooks::ArtifactEvent {
                event_type: "DELETE_ARTIFACT",
                project,
                repository: &full,
                repository_created: store
                    .repositories
                    .get(&art.repository_id)
                    .map(|r| r.creation_time),
                digest: art.digest.clone(),
                tag: art.tags.first().map(|t| t.name.clone()),
                operator: &crate::repositories::operator(&store, &who),
            },
        ),
        None => Vec::new(),
    };
    store.lifecycle.artifacts.remove(&id);
    drop(store);
    crate::webhooks::send(&app, deliveries);
    Ok(ok_empty())
}

/// `DELETE /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags/{tag_name}`
pub async fn delete_tag(
    State(app): State<App>,
    ctx: Ctx,
    Path((project, repo, reference, tag)): Path<(String, String, String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_project(
        store.project_by_name(&project),
        "tag",
        "delete",
        &format!("project {project} not found"),
    )?;
    let repo = repository_name(&repo);
    let full = format!("{project}/{repo}");
    let art = find_artifact(&store, &full, &reference)
        .ok_or_else(|| ApiError::not_found(format!("artifact {full}:{reference} not found")))?;
    if !art.tags.iter().any(|t| t.name == tag) {
        return Err(ApiError::not_found(format!("tag {tag} not found")));
    }
    if store
        .lifecycle
        .is_immutable(art.project_id, &repo, std::slice::from_ref(&tag))
    {
        return Err(immutable_tag_error(&tag));
    }
    let id = art.id;
    if let Some(a) = store.lifecycle.artifacts.get_mut(&id) {
        a.tags.retain(|t| t.name != tag);
    }
    Ok(ok_empty())
}
