//! Immutable tag rules (`server/v2.0/handler/immutable.go`, `controller/immutable`,
//! `pkg/immutable`) and the protection they give (`controller/tag`, `server/middleware/immutable`).

use serde_json::{Value, json};

use crate::support::Harbor;

fn rule(tag_decoration: &str, tag: &str, repo_decoration: &str, repo: &str) -> Value {
    json!({
        "disabled": false,
        "action": "immutable",
        "template": "immutable_template",
        "tag_selectors": [{"kind": "doublestar", "decoration": tag_decoration, "pattern": tag}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": repo_decoration, "pattern": repo}]},
    })
}

async fn push(h: &Harbor, project: &str, repo: &str, tags: &[&str]) -> crate::support::Resp {
    h.admin()
        .post(
            &format!("/_emulator/projects/{project}/artifacts"),
            json!({"repository": repo, "tags": tags}),
        )
        .await
}

/// `iDao.CreateImmutableRule` sets `Disabled = false` whatever the body says, so a rule created
/// disabled is enabled; `disabled: false` is then left out of the list (`omitempty`).
#[tokio::test]
async fn immutable_rule_is_always_created_enabled() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = rule("matches", "v*", "repoMatches", "**");
    body["disabled"] = json!(true);
    let r = h.admin().post("/projects/p/immutabletagrules", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/v2.0/projects/p/immutabletagrules/")
    );
    let list = h.admin().get("/projects/p/immutabletagrules").await.json();
    assert_eq!(list[0]["id"].as_i64(), Some(r.location_id()));
    assert!(list[0].get("disabled").is_none(), "{list}");
    assert_eq!(list[0]["tag_selectors"][0]["pattern"], "v*");
    assert_eq!(
        list[0]["scope_selectors"]["repository"][0]["decoration"],
        "repoMatches"
    );
}

/// `UNIQUE(project_id, tag_filter)`: the same rule twice is 409 "immutable rule already exists".
#[tokio::test]
async fn identical_immutable_rule_is_a_conflict() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let body = rule("matches", "v*", "repoMatches", "**");
    assert_eq!(
        h.admin()
            .post("/projects/p/immutabletagrules", body.clone())
            .await
            .status,
        201
    );
    let r = h.admin().post("/projects/p/immutabletagrules", body).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), "immutable rule already exists");
}

/// `UpdateImmutableRule` of the controller: when `disabled` changes only that is toggled and the
/// selectors in the same body are ignored; a body id unlike the path's is a 400.
#[tokio::test]
async fn immutable_update_toggles_disabled_alone_or_rewrites_selectors() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let id = h
        .admin()
        .post(
            "/projects/p/immutabletagrules",
            rule("matches", "v*", "repoMatches", "**"),
        )
        .await
        .location_id();
    let path = format!("/projects/p/immutabletagrules/{id}");
    let mut both = rule("excludes", "latest", "repoMatches", "**");
    both["id"] = json!(id);
    both["disabled"] = json!(true);
    assert_eq!(h.admin().put(&path, both.clone()).await.status, 200);
    let got = h.admin().get("/projects/p/immutabletagrules").await.json();
    assert_eq!(got[0]["disabled"], true);
    assert_eq!(
        got[0]["tag_selectors"][0]["pattern"], "v*",
        "selectors kept: {got}"
    );
    // Same disabled value: now the selectors are rewritten.
    assert_eq!(h.admin().put(&path, both).await.status, 200);
    let got = h.admin().get("/projects/p/immutabletagrules").await.json();
    assert_eq!(got[0]["tag_selectors"][0]["pattern"], "latest");
    let mut wrong = rule("matches", "v*", "repoMatches", "**");
    wrong["id"] = json!(id + 1);
    let r = h.admin().put(&path, wrong).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "the immutable_rule_id doesn't match the id in the payload body of ImmutableRule"
    );
}

/// `requireRuleAccess` on delete: a rule of another project is 404 "project id %d does not match".
#[tokio::test]
async fn immutable_rule_of_another_project_is_404() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    let b = h.project("b", false).await;
    let id = h
        .admin()
        .post(
            "/projects/a/immutabletagrules",
            rule("matches", "**", "repoMatches", "**"),
        )
        .await
        .location_id();
    let r = h
        .admin()
        .delete(&format!("/projects/b/immutabletagrules/{id}"))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), format!("project id {b} does not match"));
    let gone = h.admin().delete("/projects/a/immutabletagrules/999").await;
    assert_eq!(gone.message(), "immutable rule 999 not found");
}

/// `controller/tag` `Delete` (412 "the tag %s configured as immutable, cannot be deleted"), also
/// reached by deleting the artifact (`DeleteTags`); other tags and repositories stay deletable.
#[tokio::test]
async fn immutable_tag_cannot_be_deleted_alone_or_with_its_artifact() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.admin()
        .post(
            "/projects/p/immutabletagrules",
            rule("matches", "v1.*", "repoMatches", "app"),
        )
        .await;
    push(&h, "p", "app", &["v1.0"]).await;
    push(&h, "p", "app", &["dev"]).await;
    push(&h, "p", "other", &["v1.0"]).await;
    let tag = h
        .admin()
        .delete("/projects/p/repositories/app/artifacts/v1.0/tags/v1.0")
        .await;
    assert_eq!(tag.status, 412, "{}", tag.text);
    assert_eq!(
        tag.message(),
        "the tag v1.0 configured as immutable, cannot be deleted"
    );
    let art = h
        .admin()
        .delete("/projects/p/repositories/app/artifacts/v1.0")
        .await;
    assert_eq!(art.status, 412);
    let list = h
        .admin()
        .get("/projects/p/repositories/app/artifacts")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let immutable: Vec<bool> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tags"][0]["immutable"].as_bool().unwrap())
        .collect();
    assert_eq!(immutable, vec![false, true], "newest first: dev, then v1.0");
    assert_eq!(
        h.admin()
            .delete("/projects/p/repositories/app/artifacts/dev")
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin()
            .delete("/projects/p/repositories/other/artifacts/v1.0")
            .await
            .status,
        200
    );
}

/// The registry's immutable middleware (`handlePush`): pushing an existing protected tag again is
/// 412 "Failed to process request due to 'repo:tag' configured as immutable."; a new tag is fine,
/// and a disabled rule protects nothing.
#[tokio::test]
async fn immutable_tag_cannot_be_overwritten_by_a_push() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let id = h
        .admin()
        .post(
            "/projects/p/immutabletagrules",
            rule("matches", "release-*", "repoMatches", "**"),
        )
        .await
        .location_id();
    assert_eq!(push(&h, "p", "app", &["release-1"]).await.status, 201);
    let again = push(&h, "p", "app", &["release-1"]).await;
    assert_eq!(again.status, 412);
    assert_eq!(
        again.message(),
        "Failed to process request due to 'app:release-1' configured as immutable."
    );
    assert_eq!(push(&h, "p", "app", &["release-2"]).await.status, 201);
    let mut off = rule("matches", "release-*", "repoMatches", "**");
    off["id"] = json!(id);
    off["disabled"] = json!(true);
    h.admin()
        .put(&format!("/projects/p/immutabletagrules/{id}"), off)
        .await;
    assert_eq!(push(&h, "p", "app", &["release-1"]).await.status, 201);
}

/// `onProjectDelete`: deleting the project deletes its immutable rules.
#[tokio::test]
async fn project_delete_removes_its_immutable_rules() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    h.admin()
        .post(
            "/projects/p/immutabletagrules",
            rule("matches", "**", "repoMatches", "**"),
        )
        .await;
    assert_eq!(h.admin().delete("/projects/p").await.status, 200);
    h.project("p", false).await;
    let list = h.admin().get("/projects/p/immutabletagrules").await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{pid}: {list}");
}

/// The generated `ImmutableRule` model (`server/v2.0/models/immutable_rule.go`) has no
/// `omitempty` on `tag_selectors` and has it on `scope_selectors`: a rule sent without
/// selectors reads `"tag_selectors": null` and no `scope_selectors` (a real Harbor v2.15.2
/// answered the same, FIDELITY.md).
#[tokio::test]
async fn immutable_rule_without_selectors_reads_null_tag_selectors_and_no_scope() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let body = json!({"action": "immutable", "template": "immutable_template"});
    let r = h.admin().post("/projects/p/immutabletagrules", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let list = h.admin().get("/projects/p/immutabletagrules").await.json();
    assert_eq!(list[0]["tag_selectors"], Value::Null, "{list}");
    assert!(
        list[0].as_object().unwrap().contains_key("tag_selectors"),
        "{list}"
    );
    assert!(list[0].get("scope_selectors").is_none(), "{list}");
}
