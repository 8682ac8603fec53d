//! The `provider "harbor"` block: its schema (the Go provider's arguments and environment
//! variables, plus ours), plan-time validation, and the configure step that yields one pooled,
//! verified [`harbor::Client`] shared by every resource.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::harbor::{self, Auth, ClientConfig, Connection, Secret};
use crate::schema::def::validators;
use crate::schema::resource::{DataSource, EphemeralResource, ListResource, Provider, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};
use crate::{data_sources, ephemeral_resources, resources};

/// The provider's source address, as users write it in `required_providers`.
pub const SOURCE_ADDRESS: &str = "openova/harbor";

use crate::context::HarborContext;

#[derive(Default)]
pub struct HarborProvider;

const DEFAULT_TIMEOUT_SECS: i64 = 60;
const DEFAULT_MAX_RETRIES: i64 = 4;

/// An argument set in HCL wins; otherwise the environment variable, when one is documented.
fn arg_or_env(config: &Value, name: &str, env: Option<&str>) -> Option<String> {
    config.str_attr(name).map(str::to_string).or_else(|| {
        env.and_then(|e| std::env::var(e).ok())
            .filter(|s| !s.is_empty())
    })
}

fn env_bool(name: &str) -> Option<bool> {
    std::env::var(name)
        .ok()
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// Checks a Harbor URL: a scheme of http or https and a host.
fn check_url(url: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "{url:?} has no scheme; write it as https://harbor.example.com"
        ));
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "{url:?} uses scheme {scheme:?}; Harbor is reached over https (or http)"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("{url:?} has no host"));
    }
    Ok(())
}

#[async_trait]
impl Provider for HarborProvider {
    type Data = HarborContext;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Manages Harbor, the container registry: projects, quotas, robot accounts, registry endpoints and \
                 replication. Arguments and environment variables are those of goharbor/harbor, so existing provider \
                 blocks keep working; unlike it, TLS is verified unless `insecure = true`.",
            )
            .attr(
                Attribute::string("url")
                    .optional()
                    .describe("Harbor's URL, e.g. `https://harbor.example.com` (`/api/v2.0` is added). Environment: `HARBOR_URL`."),
            )
            .attr(
                Attribute::string("username")
                    .optional()
                    .describe("User or robot name for HTTP basic auth (a robot as `robot$name`). Environment: `HARBOR_USERNAME`."),
            )
            .attr(
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .describe("Password or robot secret. Environment: `HARBOR_PASSWORD`."),
            )
            .attr(
                Attribute::string("bearer_token")
                    .optional()
                    .sensitive()
                    .describe("A bearer token, used instead of basic auth. Environment: `HARBOR_BEARER_TOKEN`."),
            )
            .attr(Attribute::bool("insecure").optional().describe(
                "Skip verification of Harbor's TLS certificate. Off by default: prefer `ca_certificate`. \
                 Environment: `HARBOR_IGNORE_CERT`.",
            ))
            .attr(
                Attribute::string("ca_certificate")
                    .optional()
                    .describe("PEM certificate(s) of the CA that signed Harbor's certificate, trusted in addition to the system's. Environment: `HARBOR_CA_CERTIFICATE`."),
            )
            .attr(
                Attribute::number("api_version")
                    .optional()
                    .describe("Harbor API version. Only `2` (Harbor 2.x) is supported; kept for compatibility with goharbor/harbor."),
            )
            .attr(Attribute::string("robot_prefix").optional().describe(
                "The system robot name prefix, used when the credentials may not read Harbor's configuration (non-admins). Default: Harbor's setting, else `robot$`.",
            ))
            .attr(
                Attribute::typed("headers", Type::map(Type::String))
                    .optional()
                    .sensitive()
                    .describe("Extra HTTP headers sent with every request (for a gateway in front of Harbor). A `Host` entry overrides the request host."),
            )
            .attr(
                Attribute::number("request_timeout")
                    .optional()
                    .describe(format!("Seconds one Harbor operation may take, retries included. Default {DEFAULT_TIMEOUT_SECS}."))
                    .validate(validators::int_between(1, 3600)),
            )
            .attr(
                Attribute::number("max_retries")
                    .optional()
                    .describe(format!(
                        "Retries of a failed idempotent request (connection errors, 429, 502, 503, 504), with exponential back-off. 0 disables retrying. Default {DEFAULT_MAX_RETRIES}."
                    ))
                    .validate(validators::int_between(0, 20)),
            ),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(url) = config.str_attr("url")
            && let Err(e) = check_url(url)
        {
            diags.attr_error(AttributePath::attr("url"), "Invalid Harbor URL", e);
        }
        match config.get("api_version") {
            Value::Number(n) if n.as_i64() == Some(1) => diags.attr_error(
                AttributePath::attr("api_version"),
                "Harbor API v1 is not supported",
                "Harbor 1.x is end of life; this provider speaks the v2.0 API of Harbor 2.11 and later. Remove `api_version` or set it to 2.",
            ),
            Value::Number(n) if n.as_i64() != Some(2) => diags.attr_error(
                AttributePath::attr("api_version"),
                format!("Unknown Harbor API version {n}"),
                "Only API version 2 exists in Harbor 2.x. Remove `api_version` or set it to 2.",
            ),
            _ => {}
        }
        // Credentials come in pairs; a half configured in HCL may be completed from the environment.
        let known = |n: &str| !config.get(n).is_unknown();
        if known("username") && known("password") {
            let user = arg_or_env(config, "username", Some("HARBOR_USERNAME"));
            let pass = arg_or_env(config, "password", Some("HARBOR_PASSWORD"));
            if user.is_some() != pass.is_some() {
                let missing = if user.is_some() {
                    "password"
                } else {
                    "username"
                };
                diags.attr_error(
                    AttributePath::attr(missing),
                    format!("Missing {missing}"),
                    format!(
                        "`username` and `password` go together: set `{missing}` (or HARBOR_{}).",
                        missing.to_uppercase()
                    ),
                );
            }
        }
    }

    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
    ) -> Result<HarborContext, Diagnostics> {
        let mut diags = Diagnostics::new();
        let Some(url) = arg_or_env(config, "url", Some("HARBOR_URL")) else {
            diags.attr_error(
                AttributePath::attr("url"),
                "Missing Harbor URL",
                "Set `url` in the provider block or the HARBOR_URL environment variable, e.g. https://harbor.example.com.",
            );
            return Err(diags);
        };
        if let Err(e) = check_url(&url) {
            diags.attr_error(AttributePath::attr("url"), "Invalid Harbor URL", e);
            return Err(diags);
        }
        let mut cc = ClientConfig::new(url.clone());
        if let Some(token) = arg_or_env(config, "bearer_token", Some("HARBOR_BEARER_TOKEN")) {
            cc.auth = Auth::Bearer(Secret::from(token));
        } else if let (Some(u), Some(p)) = (
            arg_or_env(config, "username", Some("HARBOR_USERNAME")),
            arg_or_env(config, "password", Some("HARBOR_PASSWORD")),
        ) {
            cc.auth = Auth::Basic {
                username: u,
                password: Secret::from(p),
            };
        }
        cc.insecure = config
            .bool_attr("insecure")
            .or_else(|| env_bool("HARBOR_IGNORE_CERT"))
            .unwrap_or(false);
        cc.ca_certificate = arg_or_env(config, "ca_certificate", Some("HARBOR_CA_CERTIFICATE"));
        cc.request_timeout = Duration::from_secs(
            config
                .i64_attr("request_timeout")
                .unwrap_or(DEFAULT_TIMEOUT_SECS) as u64,
        );
        cc.max_retries = config
            .i64_attr("max_retries")
            .unwrap_or(DEFAULT_MAX_RETRIES) as u32;
        if let Some(m) = config.get("headers").as_map() {
            cc.headers = m
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), Secret::from(v.as_str()?.to_string()))))
                .collect();
        }
        tracing::info!(url = %url, terraform_version, insecure = cc.insecure, "configuring the Harbor provider");
        let client = harbor::Client::new(cc).map_err(|e| {
            let mut d = Diagnostics::new();
            let attr = if e.to_string().contains("PEM") || e.to_string().contains("certificate") {
                "ca_certificate"
            } else {
                "url"
            };
            d.attr_error(
                AttributePath::attr(attr),
                "Invalid Harbor client configuration",
                e.to_string(),
            );
            d
        })?;
        let conn: Connection = client
            .connect()
            .await
            .map_err(|e| connect_diagnostic(&url, &e))?;
        let robot_prefix = conn
            .robot_name_prefix
            .clone()
            .or_else(|| config.str_attr("robot_prefix").map(str::to_string))
            .unwrap_or_else(|| "robot$".to_string());
        tracing::info!(version = ?conn.version_text, robot_prefix = %robot_prefix, "connected to Harbor");
        Ok(HarborContext {
            client,
            version: conn.version,
            robot_prefix,
            principal: conn.principal,
        })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<HarborContext>>> {
        resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<HarborContext>>> {
        data_sources::all()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<HarborContext>>> {
        ephemeral_resources::all()
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource<HarborContext>>> {
        crate::list_resources::all()
    }
}

/// One diagnostic per way configure can fail, saying what went wrong and what to do next.
fn connect_diagnostic(url: &str, e: &harbor::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    let (attr, summary, detail) = match e {
        harbor::Error::BadCredentials { .. } => (
            "username",
            "Harbor did not accept the credentials",
            format!(
                "{e}. Check `username` and `password` (or HARBOR_USERNAME / HARBOR_PASSWORD); a robot logs in as `robot$name`."
            ),
        ),
        harbor::Error::NotHarbor { .. } => (
            "url",
            "This URL is not a Harbor",
            format!("{e}. Check that `url` points at Harbor's external URL, without `/api/v2.0`."),
        ),
        harbor::Error::UnsupportedVersion { .. } => (
            "url",
            "Harbor version not supported",
            format!("{e}. Upgrade Harbor to {} or later.", harbor::MIN_SUPPORTED),
        ),
        e if e.is_tls() => (
            "ca_certificate",
            "Harbor's TLS certificate is not trusted",
            format!(
                "{e}. Set `ca_certificate` to the PEM of the CA that signed Harbor's certificate, or (not recommended) `insecure = true`."
            ),
        ),
        e if e.status().is_some_and(|s| s == 429 || s >= 500) => (
            "url",
            "Harbor is busy or failing",
            format!(
                "{e}. Harbor answered, but with an error, after the provider retried it (up to `max_retries` within `request_timeout`). \
                 Apply again once Harbor recovers, or raise `max_retries` and `request_timeout`."
            ),
        ),
        e if e.is_unreachable() => (
            "url",
            "Harbor is unreachable",
            format!(
                "{e}. Check `url` ({url}), DNS and the network path to Harbor; `request_timeout` and `max_retries` bound how long the provider waits."
            ),
        ),
        e => ("url", "Could not connect to Harbor", e.to_string()),
    };
    d.attr_error(AttributePath::attr(attr), summary, detail);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_scheme_and_host() {
        assert!(check_url("https://harbor.example.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080/").is_ok());
        assert!(
            check_url("harbor.example.com")
                .unwrap_err()
                .contains("no scheme")
        );
        assert!(check_url("ftp://x").unwrap_err().contains("scheme"));
        assert!(check_url("https://").unwrap_err().contains("no host"));
    }

    #[test]
    fn api_version_1_is_refused_with_the_attribute() {
        let mut config = Value::null_object(&HarborProvider.schema().ty());
        config.set("api_version", Value::int(1));
        let mut d = Diagnostics::new();
        HarborProvider.validate(&config, &mut d);
        let e = d.iter().find(|d| d.summary.contains("v1")).expect("error");
        assert_eq!(e.path, Some(AttributePath::attr("api_version")));
    }
}
