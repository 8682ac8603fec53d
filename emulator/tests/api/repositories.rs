//! Repositories as projects need them: seeded, listed, counted and deleted.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn seeded_repositories_are_listed_and_counted() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.seed_repo("p", "app").await;
    h.seed_repo("p", "team/tool").await;
    let r = h.admin().get("/projects/p/repositories").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("2"));
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().into())
        .collect();
    assert_eq!(names, vec!["p/app", "p/team/tool"]);
    assert_eq!(h.admin().get("/projects/p").await.json()["repo_count"], 2);
}

#[tokio::test]
async fn repository_delete_accepts_a_double_encoded_slash() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.seed_repo("p", "team/tool").await;
    let r = h
        .admin()
        .delete("/projects/p/repositories/team%252Ftool")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(h.admin().get("/projects/p").await.json()["repo_count"], 0);
}

#[tokio::test]
async fn deleting_an_unknown_repository_is_404() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    assert_eq!(
        h.admin()
            .delete("/projects/p/repositories/none")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn anonymous_lists_repositories_of_public_projects_only() {
    let h = Harbor::start().await;
    h.project("open", true).await;
    h.project("closed", false).await;
    assert_eq!(
        h.anon().get("/projects/open/repositories").await.status,
        200
    );
    assert_eq!(
        h.anon().get("/projects/closed/repositories").await.status,
        401
    );
    assert_eq!(
        h.anon()
            .delete("/projects/open/repositories/x")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn seeding_a_duplicate_repository_conflicts() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.seed_repo("p", "a").await;
    let r = h
        .anon()
        .post("/_emulator/projects/p/repositories", json!({"name": "a"}))
        .await;
    assert_eq!(r.status, 409);
}
