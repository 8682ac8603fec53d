//! Project-scoped objects under a project that does not exist. Harbor's `HasProjectPermission`
//! (server/v2.0/handler/base.go) checks an id against the RBAC without loading the project, and
//! the system admin's evaluator grants everything, so for the admin nothing refuses the id; the
//! tables (`immutable_tag_rule`, `harbor_label`) have no foreign key to `project`.

use serde_json::{Value, json};

use crate::support::Harbor;

const GHOST: i64 = 987_654_321;

fn rule(pattern: &str) -> Value {
    json!({
        "disabled": false,
        "action": "immutable",
        "template": "immutable_template",
        "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": pattern}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]},
    })
}

async fn local_user(h: &Harbor, name: &str) {
    let body = json!({"username": name, "email": format!("{name}@example.com"),
        "realname": "Jo Doe", "password": "Passw0rd!"});
    assert_eq!(h.admin().post("/users", body).await.status, 201);
}

/// `CreateImmuRule` and the rest of handler/immutable.go: `RequireProjectAccess` passes for the
/// admin, and `getProjectID` takes an int as is, so a rule is stored, listed, updated and deleted
/// under an id no project has; a name goes through `project.Ctl.Get`, so a missing one is 404.
/// Seen on Harbor 2.15.2: POST `/projects/987654321/immutabletagrules` answered 201 with
/// `Location: /api/v2.0/projects/987654321/immutabletagrules/10`, the list held the rule, PUT
/// and DELETE answered 200, and `/projects/emu-no-such-proj/immutabletagrules` 404 "project
/// emu-no-such-proj not found". A user who is not admin gets 403.
#[tokio::test]
async fn admin_keeps_immutable_rules_under_a_project_id_no_project_has() {
    let h = Harbor::start().await;
    let base = format!("/projects/{GHOST}/immutabletagrules");
    let r = h.admin().post(&base, rule("v*")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with(&format!("/api/v2.0{base}/"))
    );
    let id = r.location_id();
    let listed = h.admin().get(&base).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["id"], id);
    let mut disable = rule("v*");
    disable["id"] = json!(id);
    disable["disabled"] = json!(true);
    assert_eq!(
        h.admin().put(&format!("{base}/{id}"), disable).await.status,
        200
    );
    assert_eq!(h.admin().delete(&format!("{base}/{id}")).await.status, 200);
    assert_eq!(h.admin().get(&base).await.json(), json!([]));

    for path in [
        "/projects/emu-no-such-proj/immutabletagrules".to_string(),
        format!("/projects/{GHOST}/immutabletagrules"),
    ] {
        let r = if path.contains("emu-no-such-proj") {
            h.admin().post(&path, rule("x")).await
        } else {
            h.admin()
                .header("X-Is-Resource-Name", "true")
                .post(&path, rule("x"))
                .await
        };
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    let r = h
        .admin()
        .post("/projects/emu-no-such-proj/immutabletagrules", rule("x"))
        .await;
    assert_eq!(r.message(), "project emu-no-such-proj not found");

    local_user(&h, "jo").await;
    let r = h.user("jo", "Passw0rd!").post(&base, rule("w*")).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(h.anon().get(&base).await.status, 401);
}

/// `CreateLabel` and `requireAccess` (handler/label.go): a project label's `project_id` goes to
/// `RequireProjectAccess` as an int, which the admin passes whatever it is, and `labelMgr.Create`
/// stores it. Seen on Harbor 2.15.2: POST `/labels` `{"scope": "p", "project_id": 987654321}`
/// answered 201, `GET /labels?scope=p&project_id=987654321` listed it, DELETE answered 200.
/// A user who is not admin gets 403.
#[tokio::test]
async fn admin_keeps_project_labels_under_a_project_id_no_project_has() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/labels",
            json!({"name": "ghost", "scope": "p", "project_id": GHOST}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    let listed = h
        .admin()
        .get(&format!("/labels?scope=p&project_id={GHOST}"))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json()[0]["project_id"], GHOST);
    let got = h.admin().get(&format!("/labels/{id}")).await;
    assert_eq!(got.json()["name"], "ghost");
    assert_eq!(
        h.admin()
            .put(&format!("/labels/{id}"), json!({"name": "ghost2"}))
            .await
            .status,
        200
    );
    local_user(&h, "jo").await;
    let jo = h.user("jo", "Passw0rd!");
    let r = jo
        .post(
            "/labels",
            json!({"name": "mine", "scope": "p", "project_id": GHOST}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(jo.get(&format!("/labels/{id}")).await.status, 403);
    assert_eq!(h.admin().delete(&format!("/labels/{id}")).await.status, 200);
}
