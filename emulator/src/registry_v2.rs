//! The registry API base `GET /v2/` and the token service `GET /service/token`, answered as a
//! Harbor answers them, so that one emulator can be registered in another as a `docker-registry`
//! endpoint. There is no image storage behind them: every other `/v2/` path is 404.

use std::sync::OnceLock;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::auth::{Ctx, Principal};
use crate::state::App;
use crate::util::{Params, Timestamp};

/// `token.Registry` in Harbor (`core/service/token`): the only service the token endpoint serves.
const SERVICE: &str = "harbor-registry";

fn key() -> &'static aws_lc_rs::hmac::Key {
    static KEY: OnceLock<aws_lc_rs::hmac::Key> = OnceLock::new();
    KEY.get_or_init(|| {
        let seed = crate::util::random_secret(48);
        aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, seed.as_bytes())
    })
}

/// A token for the credentials it was issued to, signed with a per-process key. Harbor's are
/// JWTs with the granted access; clients treat both as opaque.
fn issue(user: &str, pass: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let body = b64.encode(format!("{user}:{pass}"));
    let tag = aws_lc_rs::hmac::sign(key(), body.as_bytes());
    format!("{body}.{}", b64.encode(tag.as_ref()))
}

fn redeem(token: &str) -> Option<(String, String)> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (body, tag) = token.split_once('.')?;
    aws_lc_rs::hmac::verify(key(), body.as_bytes(), &b64.decode(tag).ok()?).ok()?;
    let text = String::from_utf8(b64.decode(body).ok()?).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

fn with_api_version(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        "Docker-Distribution-Api-Version",
        HeaderValue::from_static("registry/2.0"),
    );
    resp
}

/// `server/middleware/v2auth/auth.go` `Middleware`: `/v2/` needs an authenticated security
/// context. Without an `Authorization` header the challenge sends clients to the token service
/// (`getChallenge`, `tokenSvcURL`: the external scheme with the request's host); with a header
/// that does not authenticate, it is `Basic realm="harbor"`. The 401 body is Harbor's error
/// envelope. Once through, the distribution registry answers 200 `{}`.
pub async fn base(State(app): State<App>, headers: HeaderMap) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut ctx = Ctx::from_headers(&headers);
    if let Some(token) = auth
        .split_once(' ')
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
    {
        ctx.credentials = redeem(token);
    }
    let authenticated = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).is_authenticated()
    };
    if authenticated {
        return with_api_version((StatusCode::OK, axum::Json(json!({}))).into_response());
    }
    let challenge = if auth.is_empty() {
        let scheme = app.base_url.split("://").next().unwrap_or("http");
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| {
                app.base_url
                    .split("://")
                    .nth(1)
                    .unwrap_or_default()
                    .to_string()
            });
        format!("Bearer realm=\"{scheme}://{host}/service/token\",service=\"{SERVICE}\"")
    } else {
        "Basic realm=\"harbor\"".to_string()
    };
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]})),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    with_api_version(resp)
}

/// `core/service/token/token.go` `Handler.Get`: an unknown `service` is 400 "Unable to handle
/// service: ..."; basic credentials that do not check out are 401 with an empty body; anyone else
/// (anonymous included) gets a token with what they may do, as `{token, expires_in, issued_at}`.
pub async fn token(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref());
    let service = params.get("service").unwrap_or("");
    if service != SERVICE {
        return (
            StatusCode::BAD_REQUEST,
            format!("Unable to handle service: {service}"),
        )
            .into_response();
    }
    let principal = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx)
    };
    let token = match (&ctx.credentials, principal.is_authenticated()) {
        (Some(_), false) => return StatusCode::UNAUTHORIZED.into_response(),
        (Some((user, pass)), true) => issue(user, pass),
        (None, _) => issue("", ""),
    };
    axum::Json(json!({
        "token": token,
        "expires_in": 1800,
        "issued_at": Timestamp::now(),
    }))
    .into_response()
}
