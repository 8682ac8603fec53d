//! Labels (`server/v2.0/handler/label.go`, `pkg/label`): scopes, uniqueness, validation on update only.

use serde_json::json;

use crate::support::Harbor;

/// `CreateLabel` forces a global label's project to 0, answers 201 with the Location, and
/// `ToSwagger` leaves out empty fields (go-swagger `omitempty`).
#[tokio::test]
async fn global_label_is_created_with_project_zero_and_read_back_without_empty_fields() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/labels",
            json!({"name": "release", "scope": "g", "project_id": 9}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v2.0/labels/{id}")
    );
    let got = h.admin().get(&format!("/labels/{id}")).await.json();
    assert_eq!(got["name"], "release");
    assert_eq!(got["scope"], "g");
    assert!(got.get("project_id").is_none(), "{got}");
    assert!(
        got.get("color").is_none() && got.get("description").is_none(),
        "{got}"
    );
}

/// The table's `UNIQUE (name, scope, project_id)`: the same name twice in one scope is a 409
/// "label %s already exists" (`dao.Create`); the same name in a project is another label.
#[tokio::test]
async fn label_name_is_unique_per_scope_and_project() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let a = json!({"name": "x", "scope": "g"});
    assert_eq!(h.admin().post("/labels", a.clone()).await.status, 201);
    let again = h.admin().post("/labels", a).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.message(), "label x already exists");
    let project = json!({"name": "x", "scope": "p", "project_id": pid});
    assert_eq!(h.admin().post("/labels", project).await.status, 201);
}

/// `requireAccess`: a scope other than `g` or `p` is "unsupported label scope" (400).
#[tokio::test]
async fn label_with_unknown_scope_is_refused() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post("/labels", json!({"name": "x", "scope": "q"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.message(), "unsupported label scope");
}

/// `UpdateLabel` changes name, description and colour only, then runs `Label.Valid`: an empty
/// name is "cannot be empty" (400). `CreateLabel` never calls `Valid`.
#[tokio::test]
async fn label_update_changes_name_description_color_and_validates_the_name() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let id = h
        .admin()
        .post(
            "/labels",
            json!({"name": "a", "scope": "p", "project_id": pid, "color": "#000000"}),
        )
        .await
        .location_id();
    let r = h
        .admin()
        .put(
            &format!("/labels/{id}"),
            json!({"name": "b", "description": "d", "color": "#FFFFFF", "scope": "g"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = h.admin().get(&format!("/labels/{id}")).await.json();
    assert_eq!(
        (got["name"].as_str(), got["color"].as_str()),
        (Some("b"), Some("#FFFFFF"))
    );
    assert_eq!(
        (got["scope"].as_str(), got["project_id"].as_i64()),
        (Some("p"), Some(pid))
    );
    let empty = h
        .admin()
        .put(&format!("/labels/{id}"), json!({"name": ""}))
        .await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.message(), "cannot be empty");
}

/// `GET`/`DELETE` of a missing label: 404 "label %d not found".
#[tokio::test]
async fn missing_label_is_404() {
    let h = Harbor::start().await;
    let r = h.admin().get("/labels/77").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.message(), "label 77 not found");
    assert_eq!(h.admin().delete("/labels/77").await.status, 404);
}

/// `ListLabels` needs `scope` (400 "invalid scope: ") and, for `p`, a project id.
#[tokio::test]
async fn label_list_is_by_scope() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    h.admin()
        .post("/labels", json!({"name": "g1", "scope": "g"}))
        .await;
    h.admin()
        .post(
            "/labels",
            json!({"name": "p1", "scope": "p", "project_id": pid}),
        )
        .await;
    assert_eq!(h.admin().get("/labels").await.status, 400);
    let g = h.admin().get("/labels?scope=g").await.json();
    assert_eq!(g.as_array().unwrap().len(), 1);
    let p = h
        .admin()
        .get(&format!("/labels?scope=p&project_id={pid}"))
        .await
        .json();
    assert_eq!(p[0]["name"], "p1");
    assert_eq!(h.admin().get("/labels?scope=p").await.status, 400);
}
