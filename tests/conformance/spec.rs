//! A Swagger 2.0 validator for Harbor's spec, just wide enough for the exchanges the emulator
//! records: operation lookup by route template, `$ref` to `#/definitions`, `#/parameters` and
//! `#/responses`, and JSON values checked against `type`, `format` (integer ranges, date-time),
//! `properties`, `required`, `additionalProperties`, `items`, `enum`, `maxLength` and
//! `x-nullable` (go-swagger's alias `x-isnullable` included).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The spec file, relative to the workspace root (`CARGO_MANIFEST_DIR`): the shared reference
/// directory beside the repository (present in CI).
pub const SPEC_RELATIVE: &str = "../shared/reference/harbor-swagger-v2.15.2.yaml";
/// Where `scripts/install-tools.sh harbor-swagger` downloads it, relative to the workspace root.
pub const SPEC_DOWNLOADED: &str = ".tools/harbor-swagger-v2.15.2.yaml";
/// The SHA-256 of Harbor v2.15.2's `api/v2.0/swagger.yaml`, the only spec these tests accept.
pub const SPEC_SHA256: &str = "9be2b505d4c6baba40e6d646eac2b0aa4ff11f938727ae1eaa491ca01ebf71c7";
/// Where that file is published (goharbor/harbor at tag v2.15.2).
pub const SPEC_URL: &str =
    "https://raw.githubusercontent.com/goharbor/harbor/v2.15.2/api/v2.0/swagger.yaml";

/// One exchange as `GET /_emulator/exchanges` reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    pub method: String,
    pub route: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub request_body: Option<Value>,
    pub request_text: Option<String>,
    pub response_body: Option<Value>,
    pub response_text: Option<String>,
    pub location: Option<String>,
    #[serde(default)]
    pub request_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
}

/// Which half of an exchange a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Response,
}

/// One disagreement between an exchange and the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// `GET /projects/{project_name_or_id}`, in the spec's spelling when the operation was found.
    pub operation: String,
    pub status: u16,
    pub side: Side,
    /// JSON pointer into the body; empty for the body itself.
    pub pointer: String,
    pub message: String,
    /// The path and query actually requested, to find the exchange again.
    pub path: String,
    pub query: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.side {
            Side::Request => "request",
            Side::Response => "response",
        };
        write!(
            f,
            "{} -> {} {side} body at `{}`: {} (path {}{})",
            self.operation,
            self.status,
            self.pointer,
            self.message,
            self.path,
            self.query
                .as_ref()
                .map_or(String::new(), |q| format!("?{q}"))
        )
    }
}

pub struct Spec {
    doc: Value,
    base_path: String,
    /// When true, objects accept properties their schema does not list, as JSON Schema does.
    /// Off by default, because Harbor's go-swagger structs are closed (see `validate`).
    pub open_objects: bool,
}

/// The spec's location: `../shared/reference/`, then `HARBOR_SWAGGER_PATH`, then the copy
/// `scripts/install-tools.sh` downloads into `.tools/`. Each candidate must have the pinned
/// SHA-256. With none, a panic gives the exact commands that get it: the conformance tests
/// never skip.
pub fn spec_path() -> PathBuf {
    find_spec(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        std::env::var_os("HARBOR_SWAGGER_PATH").map(PathBuf::from),
    )
    .unwrap_or_else(|why| panic!("{why}"))
}

/// [`spec_path`] for a workspace at `root` and a `HARBOR_SWAGGER_PATH` of `env_path`.
pub fn find_spec(root: &Path, env_path: Option<PathBuf>) -> Result<PathBuf, String> {
    let mut candidates = vec![("the shared reference directory", root.join(SPEC_RELATIVE))];
    candidates.extend(env_path.map(|p| ("HARBOR_SWAGGER_PATH", p)));
    candidates.push((
        "scripts/install-tools.sh's download",
        root.join(SPEC_DOWNLOADED),
    ));
    let mut looked = Vec::new();
    for (what, path) in candidates {
        if !path.is_file() {
            looked.push(format!("{what}: {} (missing)", path.display()));
            continue;
        }
        match sha256_of(&path) {
            Some(sum) if sum == SPEC_SHA256 => return Ok(path),
            // A wrong file must not pass silently, wherever it was found.
            sum => {
                return Err(format!(
                    "{what}: {} has SHA-256 {} but Harbor v2.15.2's api/v2.0/swagger.yaml has \
                     {SPEC_SHA256}. Point HARBOR_SWAGGER_PATH at the right file or remove it.",
                    path.display(),
                    sum.as_deref().unwrap_or("(sha256sum failed)")
                ));
            }
        }
    }
    Err(format!(
        "the Harbor swagger spec is missing; looked at:\n  {}\nGet it (from the repository \
         root) with:\n  scripts/install-tools.sh harbor-swagger\nwhich runs:\n  curl -fsSL -o \
         {SPEC_DOWNLOADED} {SPEC_URL}\n  echo '{SPEC_SHA256}  {SPEC_DOWNLOADED}' | sha256sum -c\n\
         or set HARBOR_SWAGGER_PATH to a copy of that file. The conformance tests need it and \
         never skip.",
        looked.join("\n  ")
    ))
}

/// The file's SHA-256 in hex, from coreutils' `sha256sum` (the tests need no hashing crate).
fn sha256_of(path: &Path) -> Option<String> {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.split_whitespace().next()?.to_owned())
}

/// YAML to JSON, keys stringified (the spec quotes status codes, but not every YAML file does).
fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0))
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn is_template(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Whether two paths have the same shape: equal literals, and a parameter wherever the other
/// has one (names may differ between the emulator and the spec).
fn same_shape(a: &str, b: &str) -> bool {
    let (a, b): (Vec<_>, Vec<_>) = (a.split('/').collect(), b.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            if is_template(x) || is_template(y) {
                is_template(x) && is_template(y)
            } else {
                x == y
            }
        })
}

fn pointer_push(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// `2006-01-02T15:04:05[.frac](Z|±hh:mm)`, what go-swagger's `strfmt.DateTime` emits.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !(b[10] == b'T' || b[10] == b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] | [b'z'] => true,
        [sign, h1, h2, b':', m1, m2] if *sign == b'+' || *sign == b'-' => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
        }
        _ => false,
    }
}

impl Spec {
    /// Loads the spec (see [`spec_path`]), failing loudly when it is not there.
    pub fn load() -> Spec {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
            .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
        let doc = yaml_to_json(yaml);
        assert_eq!(
            doc["swagger"],
            "2.0",
            "{} is not Swagger 2.0",
            path.display()
        );
        let base_path = doc["basePath"].as_str().unwrap_or("").to_string();
        Spec {
            doc,
            base_path,
            open_objects: false,
        }
    }

    /// Follows `$ref` (local references only) until a schema, parameter or response object.
    fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                return node;
            };
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("only local $ref are supported, not {reference}"));
            node = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
        }
        panic!("$ref chain too long at {node}")
    }

    /// The spec path and operation object for a recorded route template such as
    /// `/api/v2.0/projects/{project_name_or_id}`.
    pub fn operation(&self, method: &str, route: &str) -> Option<(&str, &Value)> {
        let relative = route.strip_prefix(&self.base_path)?;
        let method = method.to_ascii_lowercase();
        let paths = self.doc["paths"].as_object()?;
        paths
            .iter()
            .filter(|(path, _)| same_shape(path, relative))
            .find_map(|(path, item)| item.get(&method).map(|op| (path.as_str(), op)))
    }

    /// Whether a concrete path such as `/api/v2.0/robots/3` names a spec path that has a GET.
    fn is_gettable(&self, location: &str) -> bool {
        let Some(relative) = location.strip_prefix(&self.base_path) else {
            return false;
        };
        let concrete: Vec<_> = relative.split('/').collect();
        self.doc["paths"].as_object().is_some_and(|paths| {
            paths.iter().any(|(path, item)| {
                let template: Vec<_> = path.split('/').collect();
                item.get("get").is_some()
                    && template.len() == concrete.len()
                    && template
                        .iter()
                        .zip(&concrete)
                        .all(|(t, c)| (is_template(t) && !c.is_empty()) || t == c)
            })
        })
    }

    /// Every violation in one exchange, request and response.
    pub fn check(&self, ex: &Exchange) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some((spec_path, op)) = self.operation(&ex.method, &ex.route) else {
            out.push(Violation {
                operation: format!("{} {}", ex.method, ex.route),
                status: ex.status,
                side: Side::Request,
                pointer: String::new(),
                message: "no operation in the spec matches this method and route".into(),
                path: ex.path.clone(),
                query: ex.query.clone(),
            });
            return out;
        };
        let operation = format!("{} {spec_path}", ex.method);
        let mut report = |side, pointer: String, message: String| {
            out.push(Violation {
                operation: operation.clone(),
                status: ex.status,
                side,
                pointer,
                message,
                path: ex.path.clone(),
                query: ex.query.clone(),
            })
        };

        // Request: the `in: body` parameter.
        let body_param = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .find(|p| p["in"] == "body");
        match (body_param, &ex.request_body, &ex.request_text) {
            (_, None, Some(text)) => report(
                Side::Request,
                String::new(),
                format!("request body is not JSON: {text:.80}"),
            ),
            (None, Some(body), _) => report(
                Side::Request,
                String::new(),
                format!("the operation takes no body, but one was sent: {body:.120}"),
            ),
            (Some(param), None, None) if param["required"] == true => report(
                Side::Request,
                String::new(),
                format!("the body parameter `{}` is required", param["name"]),
            ),
            (Some(param), Some(body), _) => {
                let mut errors = Vec::new();
                self.validate(&param["schema"], body, "", Side::Request, &mut errors);
                for (pointer, message) in errors {
                    report(Side::Request, pointer, message);
                }
            }
            _ => {}
        }

        // Request: query parameters. go-swagger ignores undeclared ones, so a client sending
        // one believes it filters when it does not.
        let query_params: Vec<&Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .filter(|p| p["in"] == "query")
            .collect();
        let sent = parse_query(ex.query.as_deref().unwrap_or(""));
        for (key, value) in &sent {
            let at = format!("?{key}");
            match query_params.iter().find(|p| p["name"] == key.as_str()) {
                None => report(
                    Side::Request,
                    at,
                    "query parameter not declared by the operation (Harbor ignores it)".into(),
                ),
                Some(param) => {
                    let typed = typed_parameter(param, value);
                    let mut errors = Vec::new();
                    self.validate(param, &typed, &at, Side::Request, &mut errors);
                    for (pointer, message) in errors {
                        report(Side::Request, pointer, message);
                    }
                }
            }
        }
        for param in &query_params {
            if param["required"] == true
                && let Some(name) = param["name"].as_str()
                && !sent.iter().any(|(k, _)| k == name)
            {
                report(
                    Side::Request,
                    format!("?{name}"),
                    "required query parameter is missing".into(),
                );
            }
        }

        // Request: declared header parameters (e.g. `X-Is-Resource-Name`) must have their type.
        for param in op["parameters"].as_array().into_iter().flatten() {
            let param = self.resolve(param);
            if param["in"] != "header" {
                continue;
            }
            let Some(name) = param["name"].as_str() else {
                continue;
            };
            match ex.request_headers.get(&name.to_ascii_lowercase()) {
                Some(value) => {
                    let mut errors = Vec::new();
                    let at = format!("header {name}");
                    self.validate(
                        param,
                        &typed_parameter(param, value),
                        &at,
                        Side::Request,
                        &mut errors,
                    );
                    for (pointer, message) in errors {
                        report(Side::Request, pointer, message);
                    }
                }
                None if param["required"] == true => report(
                    Side::Request,
                    format!("header {name}"),
                    "required header is missing".into(),
                ),
                None => {}
            }
        }

        // Response: the documented answer for this status, else `default`.
        let responses = &op["responses"];
        let Some(response) = responses
            .get(ex.status.to_string())
            .or_else(|| responses.get("default"))
            .map(|r| self.resolve(r))
        else {
            let documented: Vec<_> = responses
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            report(
                Side::Response,
                String::new(),
                format!(
                    "status {} is not documented (documented: {})",
                    ex.status,
                    documented.join(", ")
                ),
            );
            // Every Harbor error, documented or not, carries the `Errors` body.
            if ex.status >= 400 {
                let mut errors = Vec::new();
                match &ex.response_body {
                    Some(body) => self.validate(
                        &json!({"$ref": "#/definitions/Errors"}),
                        body,
                        "",
                        Side::Response,
                        &mut errors,
                    ),
                    None => errors.push((String::new(), "an error without an Errors body".into())),
                }
                for (pointer, message) in errors {
                    report(Side::Response, pointer, message);
                }
            }
            return out;
        };
        let declares_location = response["headers"]
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("location")));
        for (name, header) in response["headers"].as_object().into_iter().flatten() {
            // `Link` appears only when there is another page; Location is checked below;
            // X-Request-Id is set by the emulator's outermost middleware, outside the log
            // (emulator/tests/api/general.rs pins that every answer carries it).
            if ["link", "location", "x-request-id"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
            {
                continue;
            }
            let at = format!("header {name}");
            match ex.response_headers.get(&name.to_ascii_lowercase()) {
                None => report(
                    Side::Response,
                    at,
                    "the spec declares this header, none was sent".into(),
                ),
                Some(value) => {
                    let mut errors = Vec::new();
                    self.validate(
                        header,
                        &typed_parameter(header, value),
                        &at,
                        Side::Response,
                        &mut errors,
                    );
                    for (pointer, message) in errors {
                        report(Side::Response, pointer, message);
                    }
                }
            }
        }
        match &ex.location {
            None if declares_location => report(
                Side::Response,
                String::new(),
                "the spec declares a Location header, none was sent".into(),
            ),
            // Harbor's Location is relative and names an object the API can GET.
            Some(location) if !self.is_gettable(location) => report(
                Side::Response,
                String::new(),
                format!(
                    "Location `{location}` is not a path under {} with a GET",
                    self.base_path
                ),
            ),
            _ => {}
        }
        let schema = response.get("schema");
        match (schema, &ex.response_body, &ex.response_text) {
            // A string schema answered as text (e.g. `/ping`'s "Pong") is fine.
            (Some(schema), None, Some(text)) if self.resolve(schema)["type"] != "string" => report(
                Side::Response,
                String::new(),
                format!("response body is not JSON: {text:.80}"),
            ),
            (Some(_), None, None) => report(
                Side::Response,
                String::new(),
                "the spec documents a body for this status, none was sent".into(),
            ),
            (None, Some(body), _) => report(
                Side::Response,
                String::new(),
                format!("the spec documents no body for this status, got {body:.120}"),
            ),
            (Some(schema), Some(body), _) => {
                let mut errors = Vec::new();
                self.validate(schema, body, "", Side::Response, &mut errors);
                for (pointer, message) in errors {
                    report(Side::Response, pointer, message);
                }
            }
            _ => {}
        }
        out
    }

    /// Validates `value` against `schema`, appending `(pointer, message)` for each violation.
    /// In a response, a property marked `x-omitempty: false` must be there: go-swagger always
    /// writes it, so Harbor always sends it.
    pub fn validate(
        &self,
        schema: &Value,
        value: &Value,
        pointer: &str,
        side: Side,
        out: &mut Vec<(String, String)>,
    ) {
        let name = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
        let schema = self.resolve(schema);
        let what = name.map_or(String::new(), |n| format!(" ({n})"));
        macro_rules! fail {
            ($message:expr) => {
                out.push((pointer.to_string(), $message))
            };
        }

        if value.is_null() {
            let nullable = schema["x-nullable"] == true || schema["x-isnullable"] == true;
            if !nullable && !schema.as_object().is_some_and(Map::is_empty) {
                fail!(format!("null, but the schema{what} is not x-nullable"));
            }
            return;
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            fail!(format!(
                "{value} is not one of {}",
                Value::from(allowed.clone())
            ));
        }
        // A bare `type: object` is `interface{}` to go-swagger: Harbor accepts and sends any
        // JSON there (e.g. `Schedule.parameters` values such as `delete_untagged: true`).
        let bare_object = schema["type"] == "object"
            && schema.get("properties").is_none()
            && schema.get("additionalProperties").is_none();
        if bare_object {
            return;
        }
        let ty = schema["type"].as_str().or_else(|| {
            (schema.get("properties").is_some() || schema.get("additionalProperties").is_some())
                .then_some("object")
        });
        match ty {
            Some("object") => {
                let Some(object) = value.as_object() else {
                    fail!(format!("expected an object{what}, got {}", kind(value)));
                    return;
                };
                let properties = schema["properties"].as_object();
                for required in schema["required"].as_array().into_iter().flatten() {
                    if let Some(key) = required.as_str()
                        && !object.contains_key(key)
                    {
                        fail!(format!("required property `{key}`{what} is missing"));
                    }
                }
                if side == Side::Response {
                    for (key, property) in properties.into_iter().flatten() {
                        if property["x-omitempty"] == false && !object.contains_key(key) {
                            fail!(format!(
                                "property `{key}`{what} is x-omitempty: false, so Harbor always \
                                 sends it, but it is missing"
                            ));
                        }
                    }
                }
                for (key, item) in object {
                    let at = pointer_push(pointer, key);
                    if let Some(property) = properties.and_then(|p| p.get(key)) {
                        self.validate(property, item, &at, side, out);
                    } else {
                        match schema.get("additionalProperties") {
                            Some(extra @ Value::Object(_)) => {
                                self.validate(extra, item, &at, side, out)
                            }
                            Some(Value::Bool(true)) => {}
                            // go-swagger models are closed structs: Harbor drops a request
                            // property its model lacks, and cannot send one its model lacks.
                            // So an unknown property counts whenever the schema lists
                            // properties, unless `Spec::open_objects` is set.
                            Some(Value::Bool(false)) => out
                                .push((at, format!("property `{key}` is not in the schema{what}"))),
                            _ if properties.is_some() && !self.open_objects => out
                                .push((at, format!("property `{key}` is not in the schema{what}"))),
                            _ => {}
                        }
                    }
                }
            }
            Some("array") => {
                let Some(items) = value.as_array() else {
                    fail!(format!("expected an array{what}, got {}", kind(value)));
                    return;
                };
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.validate(item_schema, item, &format!("{pointer}/{i}"), side, out);
                    }
                }
            }
            Some("string") => {
                let Some(s) = value.as_str() else {
                    fail!(format!("expected a string{what}, got {}", kind(value)));
                    return;
                };
                if schema["format"] == "date-time" && !is_rfc3339(s) {
                    fail!(format!("`{s}` is not an RFC 3339 date-time"));
                }
                if let Some(max) = schema["maxLength"].as_u64()
                    && s.chars().count() as u64 > max
                {
                    fail!(format!("longer than maxLength {max}"));
                }
            }
            Some("integer") => {
                let (min, max): (i128, i128) = match schema["format"].as_str() {
                    Some("int8") => (i8::MIN.into(), i8::MAX.into()),
                    Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                    Some("uint64") => (0, u64::MAX.into()),
                    _ => (i64::MIN.into(), i64::MAX.into()),
                };
                let n = value
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| value.as_u64().map(i128::from));
                match n {
                    None => fail!(format!("expected an integer, got {value}")),
                    Some(n) if n < min || n > max => fail!(format!(
                        "{n} is out of range for format {}",
                        schema["format"].as_str().unwrap_or("int64")
                    )),
                    Some(n) => {
                        if let Some(max) = schema["maximum"].as_i64()
                            && n > i128::from(max)
                        {
                            fail!(format!("{n} is above the maximum {max}"));
                        }
                        if let Some(min) = schema["minimum"].as_i64()
                            && n < i128::from(min)
                        {
                            fail!(format!("{n} is below the minimum {min}"));
                        }
                    }
                }
            }
            Some("number") if !value.is_number() => {
                fail!(format!("expected a number, got {}", kind(value)))
            }
            Some("boolean") if !value.is_boolean() => {
                fail!(format!("expected a boolean, got {}", kind(value)))
            }
            Some("number" | "boolean") => {}
            Some(other) => fail!(format!("the validator does not know type `{other}`")),
            None => {}
        }
    }
}

/// `a=1&b=x%2By` into decoded pairs (`+` is a space, as in a form-encoded query).
fn parse_query(query: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    match std::str::from_utf8(&bytes[i + 1..i + 3])
                        .ok()
                        .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A query or header value as the JSON its parameter type describes, so `validate` can check it;
/// a value that does not parse stays a string and fails the type check.
fn typed_parameter(param: &Value, value: &str) -> Value {
    match param["type"].as_str() {
        Some("integer") => value
            .parse::<i64>()
            .map_or_else(|_| Value::String(value.to_string()), Value::from),
        Some("boolean") => match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(value.to_string()),
        },
        _ => Value::String(value.to_string()),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    /// The lookup order of `find_spec`, on a workspace root with no `../shared` beside it.
    #[test]
    fn spec_is_found_through_harbor_swagger_path_and_must_match_the_pin() {
        let real = spec_path();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("clone");
        std::fs::create_dir(&root).unwrap();

        // Nothing anywhere: the error gives the commands that fetch and check the file.
        let err = find_spec(&root, None).unwrap_err();
        assert!(
            err.contains(&format!("curl -fsSL -o {SPEC_DOWNLOADED} {SPEC_URL}")),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "echo '{SPEC_SHA256}  {SPEC_DOWNLOADED}' | sha256sum -c"
            )),
            "{err}"
        );
        assert!(err.contains("HARBOR_SWAGGER_PATH"), "{err}");

        // HARBOR_SWAGGER_PATH with the pinned file is used.
        let copy = dir.path().join("swagger.yaml");
        std::fs::copy(&real, &copy).unwrap();
        assert_eq!(find_spec(&root, Some(copy.clone())).unwrap(), copy);

        // Another file there is refused, naming both hashes.
        let wrong = dir.path().join("wrong.yaml");
        std::fs::write(&wrong, "swagger: '2.0'\n").unwrap();
        let err = find_spec(&root, Some(wrong)).unwrap_err();
        assert!(
            err.contains("HARBOR_SWAGGER_PATH") && err.contains(SPEC_SHA256),
            "{err}"
        );

        // The downloaded copy in .tools/ is the last resort.
        std::fs::create_dir(root.join(".tools")).unwrap();
        std::fs::copy(&real, root.join(SPEC_DOWNLOADED)).unwrap();
        assert_eq!(find_spec(&root, None).unwrap(), root.join(SPEC_DOWNLOADED));
    }

    use super::*;

    fn errors(spec: &Spec, schema: Value, value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        spec.validate(&schema, &value, "", Side::Response, &mut out);
        out
    }

    #[test]
    fn the_validator_catches_what_it_claims_to() {
        let spec = Spec::load();
        // A definition through $ref: wrong types and a missing required property.
        let e = errors(
            &spec,
            json!({"$ref": "#/definitions/RobotCreated"}),
            json!({"id": "1", "name": 3, "expires_at": 1.5}),
        );
        let pointers: Vec<_> = e.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/expires_at", "/id", "/name"], "{e:?}");
        // int32 range, arrays, enums, closed objects, maps, nullability, date-time.
        let schema = json!({"type": "object", "required": ["a"], "additionalProperties": false,
            "properties": {"a": {"type": "integer", "format": "int32"},
                "b": {"type": "array", "items": {"type": "string", "enum": ["x"]}},
                "any": {"type": "object"},
                "c": {"type": "object", "additionalProperties": {"type": "boolean"}},
                "d": {"type": "string", "x-nullable": true},
                "e": {"type": "string"},
                "t": {"type": "string", "format": "date-time"}}});
        let e = errors(
            &spec,
            schema.clone(),
            json!({"a": 3_000_000_000i64, "b": ["x", "y"], "c": {"k": 1}, "d": null, "e": null, "any": 1,
                   "t": "2026-01-02 10:00:00", "z": 1}),
        );
        let pointers: Vec<_> = e.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b/1", "/c/k", "/e", "/t", "/z"], "{e:?}");
        assert!(errors(&spec, schema.clone(), json!({})).len() == 1);
        assert!(
            errors(
                &spec,
                schema,
                json!({"a": 1, "t": "2026-01-02T10:00:00.123+02:00"})
            )
            .is_empty()
        );
    }

    fn exchange(method: &str, route: &str, status: u16) -> Exchange {
        Exchange {
            method: method.into(),
            route: route.into(),
            path: route.into(),
            query: None,
            status,
            request_body: None,
            request_text: None,
            response_body: None,
            response_text: None,
            location: None,
            request_headers: BTreeMap::new(),
            response_headers: BTreeMap::new(),
        }
    }

    #[test]
    fn exchanges_are_checked_on_both_sides() {
        let spec = Spec::load();
        let mut ex = exchange("POST", "/api/v2.0/projects", 201);
        ex.request_body = Some(json!({"project_name": 7, "nonsense": true}));
        ex.query = Some("page_size=500&owner=x".into());
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.pointer).collect();
        // project_name type, an unknown property, undeclared query, the missing Location.
        assert_eq!(
            found,
            ["/nonsense", "/project_name", "?page_size", "?owner", ""]
        );
        let mut ex = exchange("GET", "/api/v2.0/projects", 200);
        ex.query = Some("page_size=500&name=a%2Bb".into());
        ex.response_body = Some(json!([{"project_id": 1, "repo_count": 0, "extra": 1}]));
        ex.response_headers
            .insert("x-total-count".into(), "1".into());
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.pointer).collect();
        assert_eq!(found, ["?page_size", "/0/extra"]);
        let mut ex = exchange("GET", "/api/v2.0/robots/{id}", 200);
        ex.response_body = Some(json!({"id": 1, "editable": true}));
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.message).collect();
        assert!(
            found.len() == 1 && found[0].contains("`disable`"),
            "{found:?}"
        );
        let mut ex = exchange("POST", "/api/v2.0/robots", 201);
        ex.request_body = Some(json!({"name": "a", "level": "system", "permissions": []}));
        ex.response_body = Some(json!({"id": 1}));
        ex.location = Some("http://h/api/v2.0/robots/1".into());
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.message).collect();
        assert!(
            found.len() == 1 && found[0].contains("Location"),
            "{found:?}"
        );
        ex.location = Some("/api/v2.0/robots/1".into());
        assert_eq!(spec.check(&ex), []);
        let mut ex = exchange("GET", "/api/v2.0/projects/{id}/summary", 200);
        ex.request_headers
            .insert("x-is-resource-name".into(), "yes".into());
        ex.response_body = Some(json!({"repo_count": 0}));
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.pointer).collect();
        assert_eq!(found, ["header X-Is-Resource-Name"]);
        let mut ex = exchange("GET", "/api/v2.0/robots", 200);
        ex.response_body = Some(json!([]));
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.pointer).collect();
        assert_eq!(found, ["header X-Total-Count"]);
        let mut ex = exchange("GET", "/api/v2.0/robots/{id}", 418);
        ex.response_body = Some(json!({"errors": [{"code": 1}]}));
        let found: Vec<_> = spec.check(&ex).into_iter().map(|v| v.pointer).collect();
        assert_eq!(found, ["", "/errors/0/code"]);
    }

    #[test]
    fn routes_match_the_spec_by_shape() {
        let spec = Spec::load();
        let (path, _) = spec
            .operation("GET", "/api/v2.0/projects/{name}/summary")
            .unwrap();
        assert_eq!(path, "/projects/{project_name_or_id}/summary");
        let (path, _) = spec.operation("POST", "/api/v2.0/registries/ping").unwrap();
        assert_eq!(path, "/registries/ping");
        assert!(
            spec.operation("POST", "/api/v2.0/registries/{id}")
                .is_none()
        );
        assert!(spec.operation("GET", "/api/version").is_none());
    }
}
