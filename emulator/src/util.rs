//! Small helpers shared by the handlers: timestamps, query strings, pagination, request bodies, names.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

/// Milliseconds since the epoch; Harbor stores times with sub-second precision and renders RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        Self(i64::try_from(millis).unwrap_or(i64::MAX))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// `2026-01-02T03:04:05.678Z`, the shape go-swagger gives `strfmt.DateTime`.
    pub fn rfc3339(self) -> String {
        let secs = self.0.div_euclid(1000);
        let millis = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

impl Timestamp {
    /// Go's zero `time.Time` (`0001-01-01T00:00:00Z`): what Harbor stores for a time column an
    /// update leaves out of its body.
    pub const GO_ZERO: Timestamp = Timestamp(-62_135_596_800_000);

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the RFC 3339 forms go-swagger's
    /// `strfmt.DateTime` accepts in a body.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
            return None;
        }
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let ms = format!("{:0<3}", &frac[..digits.min(3)]);
            millis = ms.parse::<i64>().ok()?;
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && matches!(&rest[3..4], ":") => {
                let sign = match &rest[..1] {
                    "+" => 1,
                    "-" => -1,
                    _ => return None,
                };
                sign * (rest[1..3].parse::<i64>().ok()? * 3600
                    + rest[4..6].parse::<i64>().ok()? * 60)
            }
            _ => return None,
        };
        let days = days_from_civil(y, mo, d);
        let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset;
        Some(Timestamp(secs * 1000 + millis))
    }
}

/// The inverse of [`civil_from_days`] (Howard Hinnant's days-from-civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("parsing time {text:?} as RFC 3339")))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

/// Howard Hinnant's days-to-civil algorithm, so no date crate is needed for one format.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space), as Go's QueryUnescape does.
pub fn query_unescape(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Encodes one query component the way Go's `url.QueryEscape` does.
pub fn query_escape(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b' ');
    percent_encoding::utf8_percent_encode(text, SET)
        .to_string()
        .replace(' ', "+")
}

/// The decoded query string, keeping repeated keys in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((k, v)) => (query_unescape(k), query_unescape(v)),
                None => (query_unescape(part), String::new()),
            })
            .collect();
        Self(pairs)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// An optional int64 parameter; a non-integer is a binding error (422) as in go-swagger.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::unprocessable(format!("{key} in query must be of type int64: \"{v}\""))
            }),
        }
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None | Some("") => Ok(None),
            // go-swagger binds query booleans with `swag.ConvertBool`: these words are true,
            // anything else false, and it never fails.
            Some(v) => Ok(Some(matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "1" | "yes" | "ok" | "y" | "on" | "selected" | "checked" | "t" | "enabled"
            ))),
        }
    }

    /// The `q` parameter; Harbor unescapes it a second time, so `%252B` arrives as `+`.
    pub fn query(&self) -> ApiResult<Query> {
        Query::parse(self.get("q").map(query_unescape).as_deref().unwrap_or(""))
    }
}

/// One term of Harbor's `q` language.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Exact(String),
    Fuzzy(String),
    Range(Option<String>, Option<String>),
    AnyOf(Vec<String>),
    AllOf(Vec<String>),
}

impl Term {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Term::Exact(v) => value == v,
            Term::Fuzzy(v) => value.contains(v.as_str()),
            Term::AnyOf(vs) => vs.iter().any(|v| v == value),
            Term::AllOf(vs) => vs.iter().all(|v| v == value),
            Term::Range(min, max) => {
                let num = value.parse::<i64>().ok();
                let ok = |bound: &Option<String>, lower: bool| match (bound, num) {
                    (None, _) => true,
                    (Some(b), Some(n)) => b
                        .parse::<i64>()
                        .map(|b| if lower { n >= b } else { n <= b })
                        .unwrap_or(false),
                    (Some(b), None) => {
                        if lower {
                            value >= b.as_str()
                        } else {
                            value <= b.as_str()
                        }
                    }
                };
                ok(min, true) && ok(max, false)
            }
        }
    }
}

/// `k=v,k2=~v2,k3=[1~5],k4={a b}`: unknown keys are kept and simply never consulted, as in Harbor.
#[derive(Debug, Clone, Default)]
pub struct Query(pub BTreeMap<String, Term>);

impl Query {
    /// Harbor's `q.Build` (lib/q/builder.go `parseKeywords`, `parsePattern`): every
    /// comma-separated term needs a non-empty key and value around its first `=`, else 400; a
    /// value that opens a fuzzy match, range or list and does not close it is 400 "invalid query
    /// string value: <value>" (both texts seen on Harbor 2.15.2).
    pub fn parse(text: &str) -> ApiResult<Self> {
        let mut terms = BTreeMap::new();
        if text.is_empty() {
            return Ok(Self(terms));
        }
        for part in text.split(',') {
            let (key, value) = match part.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => (k, v),
                _ => {
                    return Err(ApiError::bad_request(
                        "the query string must contain \"=\" and the key/value cannot be empty",
                    ));
                }
            };
            let term = parse_pattern(value).ok_or_else(|| {
                ApiError::bad_request(format!("invalid query string value: {value}"))
            })?;
            terms.insert(key.to_string(), term);
        }
        Ok(Self(terms))
    }

    pub fn get(&self, key: &str) -> Option<&Term> {
        self.0.get(key)
    }

    /// True when the key is absent or its term matches.
    pub fn allows(&self, key: &str, value: &str) -> bool {
        self.get(key).is_none_or(|t| t.matches(value))
    }
}

/// `parsePattern` (lib/q/builder.go): the first character picks the kind. Its reasons ("range
/// must start with \"[\", ...") never reach the client: `errors.New(err)` copies the cause into
/// the message, which `WithMessagef` then replaces, so `None` is enough here.
fn parse_pattern(value: &str) -> Option<Term> {
    match value.as_bytes()[0] {
        // `parseFuzzyMatchValue`: at least one character after the `~`.
        b'~' => (value.len() >= 2).then(|| Term::Fuzzy(value[1..].to_string())),
        // `parseRange`: closed by `]`, exactly one `~`, at least one bound.
        b'[' => {
            if !value.ends_with(']') || value.matches('~').count() != 1 {
                return None;
            }
            let inner = &value[1..value.len() - 1];
            let (min, max) = inner.split_once('~')?;
            let (min, max) = (min.trim(), max.trim());
            if min.is_empty() && max.is_empty() {
                return None;
            }
            let bound = |s: &str| (!s.is_empty()).then(|| parse_value(s));
            Some(Term::Range(bound(min), bound(max)))
        }
        // `parseList`: closed by the matching bracket.
        b'{' => value.ends_with('}').then(|| Term::AnyOf(parse_list(value))),
        b'(' => value.ends_with(')').then(|| Term::AllOf(parse_list(value))),
        // `escapeValue`: a leading backslash escapes the pattern character that follows.
        b'\\' => Some(Term::Exact(value[1..].to_string())),
        _ => Some(Term::Exact(value.to_string())),
    }
}

/// `parseList`: the items between the brackets, split on single spaces, empty ones skipped.
fn parse_list(value: &str) -> Vec<String> {
    let inner = if value.len() >= 2 {
        &value[1..value.len() - 1]
    } else {
        ""
    };
    inner
        .split(' ')
        .map(parse_value)
        .filter(|v| !v.is_empty())
        .collect()
}

/// `parseValue`: trimmed; an integer stays a number, anything else loses its quotes.
fn parse_value(value: &str) -> String {
    let value = value.trim();
    match value.parse::<i64>() {
        Ok(n) => n.to_string(),
        Err(_) => value.trim_matches(|c| c == '"' || c == '\'').to_string(),
    }
}

/// `page`/`page_size` with Harbor's defaults (1, 10) and maximum (100).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub size: i64,
}

impl Page {
    pub fn from_params(params: &Params) -> ApiResult<Self> {
        let page = params.int("page")?.unwrap_or(1);
        let size = params.int("page_size")?.unwrap_or(10);
        if size > 100 {
            return Err(ApiError::unprocessable(
                "page_size in query should be less than or equal to 100",
            ));
        }
        // The swagger `page` has no minimum, and `lib/orm/query.go` `PaginationOnRawSQL`/
        // `QuerySetter` apply a limit only for `PageSize > 0` and an offset only for
        // `PageNumber > 0`: `page_size=0` is every row, `page=0` the first page.
        Ok(Self { page, size })
    }

    /// The rows of this page: all of them without a positive size (`page_size=0` or negative),
    /// the first page for `page < 1`.
    pub fn slice<T: Clone>(&self, items: &[T]) -> Vec<T> {
        if self.size <= 0 {
            return items.to_vec();
        }
        let start =
            usize::try_from((self.page.max(1) - 1).saturating_mul(self.size)).unwrap_or(usize::MAX);
        items
            .iter()
            .skip(start)
            .take(usize::try_from(self.size).unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }
}

/// A JSON list with `X-Total-Count` and a relative `Link` header whose entries are joined with `" , "`.
pub fn list_response<T: Serialize>(
    path: &str,
    params: &Params,
    page: Page,
    items: Vec<T>,
    total: usize,
) -> Response {
    let mut links = Vec::new();
    let link_to = |target: i64| {
        let mut sorted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &params.0 {
            if k != "page" && k != "page_size" {
                sorted.entry(k.clone()).or_default().push(v.clone());
            }
        }
        sorted.insert("page".into(), vec![target.to_string()]);
        sorted.insert("page_size".into(), vec![page.size.to_string()]);
        let query: Vec<String> = sorted
            .iter()
            .flat_map(|(k, vs)| {
                vs.iter()
                    .map(move |v| format!("{}={}", query_escape(k), query_escape(v)))
            })
            .collect();
        format!("<{path}?{}>", query.join("&"))
    };
    let total_i = i64::try_from(total).unwrap_or(i64::MAX);
    // `BaseAPI.Links` (handler/base.go): none for `page_size=0`; `prev` only while the previous
    // page has rows, `next` while rows remain. Only 0 is tested, so a negative size (every row,
    // `lib/orm/query.go` limits only for `PageSize > 0`) still gets links, which carry it: with
    // rows, `size*page < total` holds on every page, so there is always a `next`.
    if page.size != 0 {
        if page.page > 1 && (page.page - 1).saturating_mul(page.size) < total_i {
            links.push(format!("{}; rel=\"prev\"", link_to(page.page - 1)));
        }
        if page.page.saturating_mul(page.size) < total_i {
            links.push(format!("{}; rel=\"next\"", link_to(page.page + 1)));
        }
    }
    let mut headers = HeaderMap::new();
    headers.insert("X-Total-Count", HeaderValue::from(total_i));
    if !links.is_empty()
        && let Ok(v) = HeaderValue::from_str(&links.join(" , "))
    {
        headers.insert("Link", v);
    }
    (StatusCode::OK, headers, axum::Json(items)).into_response()
}

pub fn ok_json<T: Serialize>(value: T) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

/// 200 with an empty body: Harbor's answer to PUT and DELETE.
pub fn ok_empty() -> Response {
    StatusCode::OK.into_response()
}

/// 201 with a relative `Location`, optionally with a JSON body (robots).
pub fn created(location: String, body: Option<serde_json::Value>) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert("Location", v);
    }
    match body {
        Some(b) => (StatusCode::CREATED, headers, axum::Json(b)).into_response(),
        None => (StatusCode::CREATED, headers).into_response(),
    }
}

/// A required JSON body: absent is a binding error (422); unparsable or mistyped JSON is 400.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::unprocessable("body in body is required"));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("parsing body failed: {e}")))
}

/// Harbor's project and robot name rule `^[a-z0-9]+(?:[._-][a-z0-9]+)*$`.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    bytes
        .iter()
        .all(|&b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
        && bytes.windows(2).all(|w| alnum(w[0]) || alnum(w[1]))
}

/// The repository-path rule: name components separated by `/`.
pub fn is_valid_repository_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(is_valid_name)
}

/// A random alphanumeric string containing at least one upper, lower and digit (Harbor's robot secrets).
pub fn random_secret(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    loop {
        let s: String = (0..len)
            .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
            .collect();
        if secret_is_complex(&s) {
            return s;
        }
    }
}

pub fn secret_is_complex(secret: &str) -> bool {
    secret.chars().any(|c| c.is_ascii_uppercase())
        && secret.chars().any(|c| c.is_ascii_lowercase())
        && secret.chars().any(|c| c.is_ascii_digit())
}

/// A random UUID v4 for request ids and scanner registrations.
pub fn uuid_v4() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// go-swagger's default for a property that is neither required nor `x-nullable` nor
/// `x-omitempty: false`: the Go field carries `omitempty`, so `""`, `false`, `0`, an empty array
/// and `null` are left out of the answer. Removes those of `keys` from `body`.
pub fn omit_empty(body: &mut serde_json::Value, keys: &[&str]) {
    use serde_json::Value;
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    for key in keys {
        let empty = match obj.get(*key) {
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Bool(b)) => !b,
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Null) => true,
            _ => false,
        };
        if empty {
            obj.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_709_251_199_123).rfc3339(),
            "2024-02-29T23:59:59.123Z"
        );
    }

    #[test]
    fn names_follow_harbor_regex() {
        for ok in ["a", "abc", "a.b", "a-b_c", "1x"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "A", "a..b", "-a", "a-", "a+b", "a b", "a/b"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn query_terms() {
        let q = Query::parse("name=~ab,public=true,id=[1~5],x={a b}").unwrap();
        assert!(q.allows("name", "xaby"));
        assert!(q.allows("public", "true"));
        assert!(!q.allows("public", "false"));
        assert!(q.allows("id", "3") && !q.allows("id", "6"));
        assert!(q.allows("x", "b") && !q.allows("x", "c"));
        assert!(q.allows("unknown", "anything"));
    }
}
