//! The `q` query language and paging as every list handler shares them: `BaseAPI.BuildQuery` and
//! `BaseAPI.Links` (server/v2.0/handler/base.go), `q.Build` (lib/q/builder.go), and the limit and
//! offset of `lib/orm/query.go`.

use crate::support::Harbor;

/// Every list endpoint the emulator serves whose Harbor handler passes `params.Q` to
/// `BuildQuery` (project.go `ListProjects`, registry.go `ListRegistries`, replication.go
/// `ListReplicationPolicies`, repository.go `ListRepositories`, robot.go `ListRobot`, scanner.go
/// `ListScanners`, user.go `ListUsers`, preheat.go `ListInstances`, webhook.go
/// `ListWebhookPoliciesOfProject`, immutable.go `ListImmuRules`, label.go `ListLabels`,
/// artifact.go `ListArtifacts`).
const LISTS_TAKING_Q: &[&str] = &[
    "/projects",
    "/registries",
    "/replication/policies",
    "/projects/library/repositories",
    "/robots",
    "/scanners",
    "/users",
    "/p2p/preheat/instances",
    "/projects/library/webhook/policies",
    "/projects/library/immutabletagrules",
    "/labels?scope=g",
    "/projects/library/repositories/app/artifacts",
];

/// `parseKeywords` (lib/q/builder.go): each comma-separated term must have a non-empty key and
/// value around its first `=`, else 400 "the query string must contain \"=\" and the key/value
/// cannot be empty"; seen on Harbor 2.15.2 for `name`, `name=`, `=x` and `a=1,b`.
#[tokio::test]
async fn malformed_q_is_400_on_every_list_that_takes_q() {
    let h = Harbor::start().await;
    h.seed_repo("library", "app").await;
    for path in LISTS_TAKING_Q {
        for q in ["name", "name=", "%3Dx", "name=a,b"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let r = h.admin().get(&format!("{path}{sep}q={q}")).await;
            assert_eq!(r.status, 400, "{path}?q={q}: {}", r.text);
            assert_eq!(r.code(), "BAD_REQUEST");
            assert_eq!(
                r.message(),
                "the query string must contain \"=\" and the key/value cannot be empty",
                "{path}?q={q}"
            );
        }
        // A well-formed query still lists.
        let sep = if path.contains('?') { '&' } else { '?' };
        let ok = h.admin().get(&format!("{path}{sep}q=name%3D~zz")).await;
        assert_eq!(ok.status, 200, "{path}: {}", ok.text);
    }
}

/// `parsePattern` (lib/q/builder.go): a value that opens a fuzzy match (`~` alone), a range
/// (`[` without `]`, not exactly one `~`, no bound) or a list (`{`/`(` not closed) is 400
/// "invalid query string value: <value>". `errors.New(err)` puts the reason in the message and
/// `WithMessagef` overwrites it, so the reason never shows: the texts below are the ones Harbor
/// 2.15.2 answered for these values.
#[tokio::test]
async fn unclosed_fuzzy_range_or_list_in_q_is_400_naming_the_value() {
    let h = Harbor::start().await;
    for (q, value) in [
        ("name%3D~", "~"),
        ("project_id%3D%5B1", "[1"),
        ("project_id%3D%5B~%5D", "[~]"),
        ("project_id%3D%5B1~2~3%5D", "[1~2~3]"),
        ("name%3D%7Ba", "{a"),
        ("name%3D(a", "(a"),
    ] {
        let r = h.admin().get(&format!("/projects?q={q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert_eq!(r.message(), format!("invalid query string value: {value}"));
    }
    // Closed forms are fine, and a backslash escapes the pattern character (`escapeValue`).
    for q in [
        "project_id%3D%5B1~%5D",
        "name%3D%7Ba%20library%7D",
        "name%3D%5C~x",
    ] {
        assert_eq!(
            h.admin().get(&format!("/projects?q={q}")).await.status,
            200,
            "{q}"
        );
    }
    let listed = h
        .admin()
        .get("/projects?q=name%3D%7Bnone%20library%7D")
        .await;
    assert_eq!(listed.json()[0]["name"], "library");
}

/// Lists whose handler passes `nil` as the query (quota.go `ListQuotas`, member.go
/// `ListProjectMembers`, usergroup.go `ListUserGroups`) never parse `q`, so a malformed one is
/// ignored.
#[tokio::test]
async fn lists_that_take_no_q_ignore_a_malformed_one() {
    let h = Harbor::start().await;
    for path in ["/quotas", "/projects/library/members", "/usergroups"] {
        let r = h.admin().get(&format!("{path}?q=name")).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
}

/// `ListRobot` (handler/robot.go) calls `RequireAuthenticated` before `BuildQuery`: anonymous
/// with a malformed `q` is 401, not 400.
#[tokio::test]
async fn anonymous_robot_list_with_malformed_q_is_401() {
    let h = Harbor::start().await;
    assert_eq!(h.anon().get("/robots?q=Level").await.status, 401);
}

/// `lib/orm/query.go` applies a limit only for `PageSize > 0`, so a negative `page_size` lists
/// every row; `BaseAPI.Links` (handler/base.go) returns early only for `pageSize == 0`, so the
/// links still come, carrying the negative size: `next` whenever `size*page < total` (always,
/// with rows) and `prev` for `page > 1`. Seen on Harbor 2.15.2: `page_size=-1` gave all 32
/// projects and `Link: </api/v2.0/projects?page=2&page_size=-1>; rel="next"`.
#[tokio::test]
async fn negative_page_size_is_every_row_with_links_carrying_it() {
    let h = Harbor::start().await;
    for i in 0..11 {
        h.project(&format!("p{i}"), false).await;
    }
    let all = h.admin().get("/projects?page_size=-1").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.json().as_array().unwrap().len(), 12);
    assert_eq!(all.header("x-total-count").as_deref(), Some("12"));
    assert_eq!(
        all.header("link").as_deref(),
        Some(r#"</api/v2.0/projects?page=2&page_size=-1>; rel="next""#)
    );
    let third = h.admin().get("/projects?page=3&page_size=-2").await;
    assert_eq!(third.json().as_array().unwrap().len(), 12);
    assert_eq!(
        third.header("link").as_deref(),
        Some(
            r#"</api/v2.0/projects?page=2&page_size=-2>; rel="prev" , </api/v2.0/projects?page=4&page_size=-2>; rel="next""#
        )
    );
    let below = h.admin().get("/projects?page=-1&page_size=-2").await;
    assert_eq!(
        below.header("link").as_deref(),
        Some(r#"</api/v2.0/projects?page=0&page_size=-2>; rel="next""#)
    );
}
