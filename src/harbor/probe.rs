//! `Client::connect`: the provider's configure step — is this Harbor, do the credentials
//! work, which version is it, and what robot prefix does it use.

use super::client::Client;
use super::error::Error;
use super::models::{GeneralInfo, UserResp};
use super::version::{HarborVersion, MIN_SUPPORTED};

/// Who the credentials turned out to belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credentials configured.
    Anonymous,
    /// A user account (local, LDAP, OIDC); `sysadmin_flag` says whether it is an admin.
    User(UserResp),
    /// A robot account: `/users/current` refuses it, but `/systeminfo` shows the
    /// authenticated-only `harbor_version`.
    Robot,
}

/// What [`Client::connect`] learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub principal: Principal,
    /// `None` for anonymous callers (Harbor hides it) or an unparseable development build.
    pub version: Option<HarborVersion>,
    /// `harbor_version` as Harbor sent it, e.g. `v2.14.1-6f4b3a2c`.
    pub version_text: Option<String>,
    /// `robot_name_prefix` from `/configurations`; `None` when not allowed to read it
    /// (anyone but a sysadmin), so the caller falls back to its own setting or `robot$`.
    pub robot_name_prefix: Option<String>,
    pub info: GeneralInfo,
}

impl Client {
    /// Confirms that the URL is a Harbor, that the credentials are accepted, and that
    /// the version is supported. Calls `GET /ping` and `GET /users/current` together, then
    /// `GET /systeminfo` and `GET /configurations` together: two round trips, not four
    /// (configure is on the critical path of every command). The credential check stays
    /// in the first pair so that wrong credentials are tried on no more requests than
    /// before (an LDAP or AD behind Harbor counts each as a failed bind).
    ///
    /// Harbor treats wrong credentials as anonymous instead of answering 401 everywhere,
    /// so a public endpoint proves nothing: users are checked on `/users/current`, robots
    /// (refused there) by `/systeminfo` showing `harbor_version`, which only
    /// authenticated callers see.
    ///
    /// Failures: unreachable host and TLS problems as [`Error::Transport`] (see
    /// [`Error::is_unreachable`], [`Error::is_tls`]), [`Error::NotHarbor`],
    /// [`Error::BadCredentials`], [`Error::UnsupportedVersion`].
    pub async fn connect(&self) -> Result<Connection, Error> {
        let authenticated = self.is_authenticated();
        let (ping, user) = tokio::join!(self.ping(), async {
            match authenticated {
                true => Some(self.current_user().await),
                false => None,
            }
        });
        match ping {
            Ok(text) if text.trim() == "Pong" => {}
            Ok(text) => {
                return Err(Error::NotHarbor {
                    message: format!(
                        "GET /api/v2.0/ping answered {:?} instead of \"Pong\"",
                        text.chars().take(80).collect::<String>()
                    ),
                });
            }
            // Busy or failing is not absent: Harbor's rate limiter, its proxy or a restarting
            // core answer 429 or 5xx. `send` has already retried it like any idempotent read;
            // say what Harbor answered.
            Err(e @ Error::Api { status, .. }) if status == 429 || status >= 500 => {
                return Err(e);
            }
            Err(Error::Api {
                status, message, ..
            }) => {
                return Err(Error::NotHarbor {
                    message: format!("GET /api/v2.0/ping answered HTTP {status}: {message}"),
                });
            }
            Err(other) => return Err(other),
        }

        let principal = if let Some(user) = user {
            match user {
                Ok(user) => Principal::User(user),
                Err(Error::Api {
                    status: 401,
                    message,
                    request_id,
                    ..
                }) => {
                    return Err(Error::BadCredentials {
                        message: format!("GET /users/current answered 401: {message}"),
                        request_id,
                    });
                }
                // Robots are refused here (412 in 2.15's spec, 403 in some releases).
                Err(Error::Api {
                    status: 403 | 412, ..
                }) => Principal::Robot,
                Err(Error::Decode { message, .. }) => {
                    return Err(Error::NotHarbor {
                        message: format!(
                            "GET /users/current returned an unexpected body: {message}"
                        ),
                    });
                }
                Err(other) => return Err(other),
            }
        } else {
            Principal::Anonymous
        };

        let (info, robot_name_prefix) = tokio::join!(self.systeminfo(), async {
            match authenticated {
                true => self.robot_name_prefix().await,
                false => None,
            }
        });
        let info = match info {
            Ok(info) => info,
            Err(Error::Decode { message, .. }) => {
                return Err(Error::NotHarbor {
                    message: format!("GET /systeminfo returned an unexpected body: {message}"),
                });
            }
            Err(Error::Api { status: 404, .. }) => {
                return Err(Error::NotHarbor {
                    message: "GET /api/v2.0/systeminfo does not exist".into(),
                });
            }
            Err(other) => return Err(other),
        };

        let version_text = info.harbor_version.clone().filter(|v| !v.is_empty());
        if principal == Principal::Robot && version_text.is_none() {
            return Err(Error::BadCredentials {
                message:
                    "Harbor treated the credentials as anonymous (no harbor_version in /systeminfo)"
                        .into(),
                request_id: None,
            });
        }
        let version = version_text.as_deref().and_then(HarborVersion::parse);
        if let Some(found) = version
            && found < MIN_SUPPORTED
        {
            return Err(Error::UnsupportedVersion {
                found,
                minimum: MIN_SUPPORTED,
            });
        }

        Ok(Connection {
            principal,
            version,
            version_text,
            robot_name_prefix,
            info,
        })
    }

    /// `GET /configurations` → `robot_name_prefix`; `None` when the caller may not read
    /// the configuration (403) or it has no such key. Also notes `quota_per_project_enable`
    /// for batched reads (`batch.rs`).
    pub async fn robot_name_prefix(&self) -> Option<String> {
        match self.get_configurations().await {
            Ok(config) => {
                // Read here because configure reads the configuration anyway: batched reads
                // list quotas whole only when Harbor keeps one per project.
                let per_project = config
                    .get("quota_per_project_enable")
                    .and_then(|item| item.value.as_bool());
                self.reads().set_quota_listing(per_project == Some(true));
                // An empty prefix is Harbor's to have (a `StringType` item): robots are then
                // named without one, so it must not fall back to `robot$`.
                config
                    .get("robot_name_prefix")
                    .and_then(|item| item.value.as_str())
                    .map(str::to_owned)
            }
            Err(error) => {
                tracing::debug!(error = %error, "robot_name_prefix not readable");
                None
            }
        }
    }
}
