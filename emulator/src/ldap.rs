//! Where Harbor talks to an LDAP server, the emulator talks to the one configured in
//! `/configurations` (or sent to `/ldap/ping`) with a real LDAP client: `/ldap/ping`,
//! `/ldap/users/search`, `/ldap/groups/search`, and the DN check of an LDAP user group's
//! create. The requests follow Harbor v2.15.2's `pkg/ldap/ldap.go` (`Session`: `formatURL`,
//! `Open`, `TestConfig`, `SearchUser`, `SearchGroupByDN`, `searchGroup`, `UnderBaseDN`),
//! `pkg/ldap/manager.go`, `controller/ldap/controller.go` and `server/v2.0/handler/ldap.go`.
//! No answer is made up: every found entry, refusal and bind result comes from the server.
//!
//! `ldaps://` is not dialled (the emulator's LDAP client is built without TLS): such a URL
//! fails as an unreachable server would.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use ldap3::{LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::auth_config::{str_value, value};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Store};
use crate::util::{Params, ok_json, parse_body};

/// `models.LdapConf`: the user-search half of the LDAP settings.
#[derive(Debug, Clone, Default)]
pub struct LdapConf {
    pub url: String,
    pub search_dn: String,
    pub search_password: String,
    pub base_dn: String,
    pub uid: String,
    pub filter: String,
    pub scope: i64,
    pub timeout_secs: i64,
}

/// `models.GroupConf`: the group-search half.
#[derive(Debug, Clone, Default)]
pub struct GroupConf {
    pub base_dn: String,
    pub filter: String,
    pub name_attribute: String,
    pub membership_attribute: String,
}

/// `config.LDAPConf` and `config.LDAPGroupConf`: the stored settings (defaults where unset).
pub fn configured(store: &Store) -> (LdapConf, GroupConf) {
    let n = |k: &str| value(store, k).as_i64().unwrap_or_default();
    (
        LdapConf {
            url: str_value(store, "ldap_url"),
            search_dn: str_value(store, "ldap_search_dn"),
            search_password: str_value(store, "ldap_search_password"),
            base_dn: str_value(store, "ldap_base_dn"),
            uid: str_value(store, "ldap_uid"),
            filter: str_value(store, "ldap_filter"),
            scope: n("ldap_scope"),
            timeout_secs: n("ldap_timeout"),
        },
        GroupConf {
            base_dn: str_value(store, "ldap_group_base_dn"),
            filter: str_value(store, "ldap_group_search_filter"),
            name_attribute: str_value(store, "ldap_group_attribute_name"),
            membership_attribute: str_value(store, "ldap_group_membership_attribute"),
        },
    )
}

/// Why an LDAP operation failed, with the texts of Harbor's errors.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("parse Ldap Host ERR: {0}")]
    Url(String),
    #[error("unknown ldap protocol")]
    Protocol,
    #[error("illegal ldap url, error: {0}")]
    HostPort(String),
    /// A network failure (go-ldap's `ErrorNetwork`).
    #[error("LDAP Result Code 200 \"Network Error\": {0}")]
    Network(String),
    #[error("can not bind search dn, error: {0}")]
    Bind(String),
    #[error("invalid filter syntax")]
    Filter,
    #[error("invalid DN syntax")]
    DnSyntax,
    #[error("entity not found")]
    NotFound,
    #[error("{0}")]
    Other(String),
}

/// `formatURL`: no scheme means `ldap`; only `ldap` and `ldaps`; port 636 means `ldaps`; a
/// missing port is 389 or 636.
pub fn format_url(raw: &str) -> Result<String, Failure> {
    if raw.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Failure::Url(format!("parse {raw:?}: invalid character")));
    }
    let (mut protocol, hostport) = match raw.split_once("://") {
        Some((p, h)) => {
            if p != "ldap" && p != "ldaps" {
                return Err(Failure::Protocol);
            }
            (p.to_string(), h.to_string())
        }
        None => ("ldap".to_string(), raw.to_string()),
    };
    let hostport = if hostport.contains(':') {
        let (_, port) = hostport
            .rsplit_once(':')
            .filter(|(h, _)| !h.is_empty() || hostport.starts_with(':'))
            .ok_or_else(|| Failure::HostPort(format!("address {hostport}: missing port")))?;
        if hostport.matches(':').count() > 1 && !hostport.starts_with('[') {
            return Err(Failure::HostPort(format!(
                "address {hostport}: too many colons in address"
            )));
        }
        if port == "636" {
            protocol = "ldaps".into();
        }
        hostport
    } else if protocol == "ldap" {
        format!("{hostport}:389")
    } else {
        format!("{hostport}:636")
    };
    Ok(format!("{protocol}://{hostport}"))
}

/// One open connection (`Session.Open`), closed when dropped.
struct Session {
    ldap: ldap3::Ldap,
}

fn network(e: LdapError) -> Failure {
    Failure::Network(e.to_string())
}

impl Session {
    async fn open(conf: &LdapConf) -> Result<Session, Failure> {
        let url = format_url(&conf.url)?;
        if url.starts_with("ldaps://") {
            return Err(Failure::Network(format!(
                "dial tcp: {url}: TLS is not available in the emulator"
            )));
        }
        // go-ldap's `DefaultTimeout` is `ldap_timeout` seconds (0 would mean none; a test must
        // not hang, so the emulator waits at most 10 s).
        let secs = conf.timeout_secs.clamp(1, 10) as u64;
        let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(secs));
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &url)
            .await
            .map_err(network)?;
        ldap3::drive!(conn);
        ldap.with_timeout(Duration::from_secs(secs));
        Ok(Session { ldap })
    }

    /// `Session.Bind`: the server's result code, 0 for success.
    async fn bind(&mut self, dn: &str, password: &str) -> Result<u32, Failure> {
        let r = self.ldap.simple_bind(dn, password).await.map_err(network)?;
        Ok(r.rc)
    }

    /// `SearchLdapAttribute`: bind as the search DN, check the filter, search with the user
    /// search scope (Harbor uses it for groups too).
    async fn search(
        &mut self,
        conf: &LdapConf,
        base: &str,
        filter: &str,
        attrs: Vec<String>,
    ) -> Result<Vec<SearchEntry>, Failure> {
        match self.bind(&conf.search_dn, &conf.search_password).await? {
            0 => {}
            rc => return Err(Failure::Bind(format!("LDAP Result Code {rc}"))),
        }
        let filter = normalize_filter(filter);
        if filter.is_empty() {
            return Err(Failure::Filter);
        }
        let scope = match conf.scope {
            0 => Scope::Base,
            1 => Scope::OneLevel,
            _ => Scope::Subtree,
        };
        let result = self
            .ldap
            .search(base, scope, &filter, attrs)
            .await
            .map_err(|e| match e {
                LdapError::FilterParsing => Failure::Filter,
                e => network(e),
            })?;
        match result.1.rc {
            0 => Ok(result.0.into_iter().map(SearchEntry::construct).collect()),
            32 => Err(Failure::NotFound),
            rc => Err(Failure::Other(format!(
                "LDAP Result Code {rc}: {}",
                result.1.text
            ))),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let mut ldap = self.ldap.clone();
        tokio::spawn(async move {
            let _ = ldap.unbind().await;
        });
    }
}

/// `normalizeFilter`: parentheses around a filter that has none.
fn normalize_filter(filter: &str) -> String {
    let f = filter.trim();
    if f.is_empty() || (f.starts_with('(') && f.ends_with(')')) {
        f.to_string()
    } else {
        format!("({f})")
    }
}

/// `FilterBuilder.And` of a configured filter (maybe empty) and one condition.
fn and_filter(base: &str, cond: &str) -> String {
    let base = normalize_filter(base);
    if base.is_empty() {
        cond.to_string()
    } else {
        format!("(&{base}{cond})")
    }
}

/// go-ldap's `ParseDN`, as far as Harbor needs it: RDNs of `type=value` pairs, compared with
/// types and values lower-cased and trimmed. `None` for a syntax error.
pub fn parse_dn(dn: &str) -> Option<Vec<String>> {
    if dn.trim().is_empty() {
        return Some(Vec::new());
    }
    let mut rdns = Vec::new();
    let mut current = String::new();
    let mut chars = dn.chars();
    let mut parts = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                current.push(chars.next()?);
            }
            ',' | ';' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    for part in parts {
        let mut pairs = Vec::new();
        for pair in part.split('+') {
            let (t, v) = pair.split_once('=')?;
            let t = t.trim();
            let type_ok = t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !type_ok {
                return None;
            }
            pairs.push(format!("{}={}", t.to_lowercase(), v.trim().to_lowercase()));
        }
        pairs.sort();
        rdns.push(pairs.join("+"));
    }
    Some(rdns)
}

/// `UnderBaseDN`: the child equals the base or lies below it.
pub fn under_base_dn(base: &str, child: &str) -> Result<bool, Failure> {
    let base = parse_dn(base).ok_or(Failure::DnSyntax)?;
    let child = parse_dn(child).ok_or(Failure::DnSyntax)?;
    Ok(child.len() >= base.len() && child[child.len() - base.len()..] == base[..])
}

/// One group as `searchGroup` reports it.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub dn: String,
}

/// `SearchGroupByDN` → `searchGroup`: a DN outside the group base DN (else the base DN) finds
/// nothing; inside, the DN itself is the search base, with the group filter and
/// `(<name attribute or cn>=*)`. The name is the first value of the name attribute, else the DN.
/// A DN the server does not have is "entity not found".
pub async fn search_group_by_dn(
    conf: &LdapConf,
    group: &GroupConf,
    dn: &str,
) -> Result<Vec<Group>, Failure> {
    parse_dn(dn).ok_or(Failure::DnSyntax)?;
    let mut session = Session::open(conf).await?;
    let base = if group.base_dn.is_empty() {
        &conf.base_dn
    } else {
        &group.base_dn
    };
    if !under_base_dn(base, dn)? {
        return Ok(Vec::new());
    }
    search_groups(&mut session, conf, group, dn, "*").await
}

/// `SearchGroupByName`: groups under the group base DN whose name attribute matches.
pub async fn search_group_by_name(
    conf: &LdapConf,
    group: &GroupConf,
    name: &str,
) -> Result<Vec<Group>, Failure> {
    let mut session = Session::open(conf).await?;
    // The search base is the group base DN as configured; the check compares it with the
    // group base DN or, when that is empty, the user base DN (so an empty one finds nothing
    // unless the user base DN is empty too).
    let check = if group.base_dn.is_empty() {
        &conf.base_dn
    } else {
        &group.base_dn
    };
    if !under_base_dn(check, &group.base_dn)? {
        return Ok(Vec::new());
    }
    let escaped = ldap3::ldap_escape(name).to_string();
    search_groups(&mut session, conf, group, &group.base_dn, &escaped).await
}

async fn search_groups(
    session: &mut Session,
    conf: &LdapConf,
    group: &GroupConf,
    base: &str,
    name: &str,
) -> Result<Vec<Group>, Failure> {
    let attr = if group.name_attribute.is_empty() {
        "cn"
    } else {
        group.name_attribute.as_str()
    };
    let filter = and_filter(&group.filter, &format!("({attr}={name})"));
    // Harbor asks for the configured name attribute, which is empty unless set: the server
    // then returns no attribute and the name is the DN. "1.1" asks for no attribute.
    let wanted = if group.name_attribute.is_empty() {
        "1.1".to_string()
    } else {
        group.name_attribute.clone()
    };
    let entries = session.search(conf, base, &filter, vec![wanted]).await?;
    // Harbor keeps only the first entry found.
    Ok(entries
        .into_iter()
        .take(1)
        .map(|e| Group {
            name: e
                .attrs
                .values()
                .next()
                .and_then(|v| v.first().cloned())
                .unwrap_or_else(|| e.dn.clone()),
            dn: e.dn,
        })
        .collect())
}

/// One user as `SearchUser` maps an entry.
#[derive(Debug, Clone, Default)]
pub struct User {
    pub username: String,
    pub realname: String,
    pub email: String,
}

/// `SearchUser`: the configured filter and `(<uid>=<escaped name, or *>)` under the base DN.
pub async fn search_user(
    conf: &LdapConf,
    group: &GroupConf,
    username: &str,
) -> Result<Vec<User>, Failure> {
    let mut session = Session::open(conf).await?;
    let tag = ldap3::ldap_escape(username).to_string();
    let tag = if tag.is_empty() { "*".into() } else { tag };
    let filter = and_filter(&conf.filter, &format!("({}={tag})", conf.uid));
    let mut attrs: Vec<String> = ["uid", "cn", "mail", "email"].map(String::from).to_vec();
    let lower_uid = conf.uid.to_lowercase();
    if !["uid", "cn", "mail", "email"].contains(&lower_uid.as_str()) {
        attrs.push(conf.uid.clone());
    }
    attrs.push(group.membership_attribute.trim().to_string());
    let entries = session.search(conf, &conf.base_dn, &filter, attrs).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let attrs: HashMap<String, String> = e
                .attrs
                .iter()
                .filter_map(|(k, v)| Some((k.to_lowercase(), v.first()?.trim().to_string())))
                .collect();
            let get = |k: &str| attrs.get(k).cloned().unwrap_or_default();
            User {
                username: get(&lower_uid),
                // Harbor's switch takes whichever of uid and cn comes last; cn wins here.
                realname: attrs.get("cn").cloned().unwrap_or_else(|| get("uid")),
                email: attrs.get("mail").cloned().unwrap_or_else(|| get("email")),
            }
        })
        .collect())
}

/// `TestConfig`: open (a network failure is "ldap server network timeout", anything else
/// "fail to ping LDAP server"), an empty search DN is refused, and bad credentials are
/// "invalid credential". Any other bind result counts as success, as in Harbor.
pub async fn ping(conf: &LdapConf) -> Result<(), &'static str> {
    let mut session = match Session::open(conf).await {
        Ok(s) => s,
        Err(Failure::Network(_)) => return Err("ldap server network timeout"),
        Err(_) => return Err("fail to ping LDAP server"),
    };
    if conf.search_dn.is_empty() {
        return Err("empty search dn");
    }
    if let Ok(49) = session.bind(&conf.search_dn, &conf.search_password).await {
        return Err("invalid credential");
    }
    Ok(())
}

/// The body of `POST /ldap/ping` (`LdapConf` in the swagger).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PingReq {
    ldap_url: String,
    ldap_search_dn: String,
    ldap_search_password: String,
    ldap_base_dn: String,
    ldap_filter: String,
    ldap_uid: String,
    ldap_scope: i64,
}

/// `POST /ldap/ping`: system `configuration:read`; always 200 with `{success, message}`. An
/// empty password is taken from the stored settings in LDAP mode, else "empty password"
/// (`controller.Ping` / `defaultPassword`).
pub async fn ping_handler(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: PingReq = parse_body(&body)?;
    let stored_password = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("configuration", "read")?;
        (crate::auth_config::auth_mode(&store) == "ldap_auth")
            .then(|| str_value(&store, "ldap_search_password"))
            .filter(|p| !p.is_empty())
    };
    let mut conf = LdapConf {
        url: req.ldap_url,
        search_dn: req.ldap_search_dn,
        search_password: req.ldap_search_password,
        base_dn: req.ldap_base_dn,
        uid: req.ldap_uid,
        filter: req.ldap_filter,
        scope: req.ldap_scope,
        timeout_secs: 5,
    };
    let outcome = if conf.search_password.is_empty() {
        match stored_password {
            Some(p) => {
                conf.search_password = p;
                ping(&conf).await
            }
            None => Err("empty password"),
        }
    } else {
        ping(&conf).await
    };
    Ok(ok_json(match outcome {
        Ok(()) => json!({"success": true}),
        Err(e) => json!({"success": false, "message": format!("error: {e}")}),
    }))
}

/// `GET /ldap/users/search?username=`: system `ldap-user:list`; `[{username, realname, email}]`.
/// A failure is a plain error, 500 with its text hidden.
pub async fn search_users_handler(
    State(app): State<App>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (conf, group) = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("ldap-user", "list")?;
        configured(&store)
    };
    let params = Params::parse(raw.as_deref());
    let username = params.get("username").unwrap_or("");
    let users = search_user(&conf, &group, username).await.map_err(|e| {
        tracing::debug!("ldap user search failed: {e}");
        ApiError::internal()
    })?;
    let items: Vec<Value> = users
        .iter()
        .map(|u| json!({"username": u.username, "realname": u.realname, "email": u.email}))
        .collect();
    Ok(ok_json(Value::Array(items)))
}

/// `GET /ldap/groups/search?groupname=&groupdn=`: system `ldap-user:list`; by name when given,
/// else by DN (an unparsable DN is a plain error); nothing found is 404 "group name:..., group
/// DN:...". Items are `{group_name, ldap_group_dn}`.
pub async fn search_groups_handler(
    State(app): State<App>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (conf, group) = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("ldap-user", "list")?;
        configured(&store)
    };
    let params = Params::parse(raw.as_deref());
    let name = params.get("groupname").unwrap_or("");
    let dn = params.get("groupdn").unwrap_or("");
    let found = if !name.is_empty() {
        search_group_by_name(&conf, &group, name).await
    } else if !dn.is_empty() {
        search_group_by_dn(&conf, &group, dn).await
    } else {
        Ok(Vec::new())
    };
    let groups = found.map_err(|e| {
        tracing::debug!("ldap group search failed: {e}");
        ApiError::internal()
    })?;
    if groups.is_empty() {
        return Err(ApiError::not_found(format!(
            "group name:{name}, group DN:{dn}"
        )));
    }
    let items: Vec<Value> = groups
        .iter()
        .map(|g| json!({"group_name": g.name, "ldap_group_dn": g.dn}))
        .collect();
    Ok(ok_json(Value::Array(items)))
}
