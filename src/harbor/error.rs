//! The client's error enum: callers branch on `status()` / `is_not_found()`, never on message text.

use std::fmt;

use super::version::HarborVersion;

/// Why a request never got an HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not open a connection (refused, DNS failure, unreachable host).
    Connect,
    /// The connect or request timeout elapsed.
    Timeout,
    /// The TLS handshake failed, usually an untrusted or mismatched certificate.
    Tls,
    /// Anything else, e.g. the connection dropped after the request was sent.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Tls => "TLS handshake failed",
            TransportKind::Other => "transport error",
        })
    }
}

/// Everything the Harbor client can fail with. No variant ever carries a secret:
/// messages come from Harbor's error body or from the transport with the URL removed.
// Clone: one batched read's failure is the answer of every caller waiting for that object.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Harbor answered with a non-success status.
    #[error(
        "{method} {path}: Harbor answered HTTP {status}{}: {message}{}",
        fmt_code(code),
        fmt_request_id(request_id)
    )]
    Api {
        status: u16,
        /// Harbor's error code, e.g. `CONFLICT` or `PRECONDITION`.
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        method: String,
        path: String,
    },
    /// No HTTP answer was received.
    #[error("{method} {path}: {kind}: {message}{}", fmt_request_id(request_id))]
    Transport {
        kind: TransportKind,
        message: String,
        request_id: Option<String>,
        method: String,
        path: String,
    },
    /// Harbor answered, but the body was not what its API documents.
    #[error(
        "{method} {path}: could not decode Harbor's answer: {message}{}",
        fmt_request_id(request_id)
    )]
    Decode {
        message: String,
        request_id: Option<String>,
        method: String,
        path: String,
    },
    /// The client configuration cannot work (bad URL, bad CA PEM, bad header).
    #[error("invalid Harbor client configuration: {0}")]
    InvalidConfig(String),
    /// The server answered, but the credentials were not accepted.
    #[error(
        "Harbor did not accept the credentials: {message}{}",
        fmt_request_id(request_id)
    )]
    BadCredentials {
        message: String,
        request_id: Option<String>,
    },
    /// The server answered, but not like Harbor's v2.0 API.
    #[error("the server does not look like Harbor: {message}")]
    NotHarbor { message: String },
    /// A create whose outcome could not be settled: the request may have been processed
    /// (its answer was lost, or it may still be in progress), and looking for the object did
    /// not find it or could not run. Harbor may hold the object; the caller must keep track
    /// of it rather than forget it.
    #[error("{cause}. Harbor may have created it anyway: {why}")]
    Unsettled { cause: Box<Error>, why: String },
    /// Harbor is older than the oldest supported release.
    #[error("Harbor {found} is not supported; the oldest supported version is {minimum}")]
    UnsupportedVersion {
        found: HarborVersion,
        minimum: HarborVersion,
    },
}

fn fmt_code(code: &Option<String>) -> String {
    code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
}

fn fmt_request_id(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" [request id {id}]"))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status Harbor answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Harbor's error code (`NOT_FOUND`, `CONFLICT`, ...), if it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The `X-Request-Id` of the failed request, for correlating with Harbor's logs.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::Transport { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::BadCredentials { request_id, .. } => request_id.as_deref(),
            Error::Unsettled { cause, .. } => cause.request_id(),
            Error::InvalidConfig(_)
            | Error::NotHarbor { .. }
            | Error::UnsupportedVersion { .. } => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// 403. Non-admins asking for a project that does not exist get this, not 404.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401) || matches!(self, Error::BadCredentials { .. })
    }

    /// 412, e.g. deleting a project that still has repositories.
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(412)
    }

    pub fn is_tls(&self) -> bool {
        self.transport_kind() == Some(TransportKind::Tls)
    }

    /// The host could not be reached at all (refused, unresolvable, timed out).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self.transport_kind(),
            Some(TransportKind::Connect | TransportKind::Timeout)
        )
    }

    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// Whether a create failed without settling whether Harbor made the object; see
    /// [`Error::Unsettled`].
    pub fn is_unsettled(&self) -> bool {
        matches!(self, Error::Unsettled { .. })
    }

    /// Whether a create that failed this way may nonetheless have happened on the
    /// server: the request may have been sent and processed before the failure.
    pub(crate) fn is_ambiguous(&self) -> bool {
        match self {
            Error::Unsettled { .. } => true,
            Error::Transport { kind, .. } => {
                matches!(kind, TransportKind::Timeout | TransportKind::Other)
            }
            Error::Api { status, .. } => *status >= 500,
            Error::Decode { .. } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_carries_message_code_and_request_id() {
        let err = Error::Api {
            status: 409,
            code: Some("CONFLICT".into()),
            message: "The project named ci already exists".into(),
            request_id: Some("abc-123".into()),
            method: "POST".into(),
            path: "/projects".into(),
        };
        let text = err.to_string();
        assert!(text.contains("409"), "{text}");
        assert!(text.contains("CONFLICT"), "{text}");
        assert!(
            text.contains("The project named ci already exists"),
            "{text}"
        );
        assert!(text.contains("abc-123"), "{text}");
        assert!(err.is_conflict());
        assert!(!err.is_not_found());
        assert_eq!(err.request_id(), Some("abc-123"));
        assert_eq!(err.code(), Some("CONFLICT"));
    }

    #[test]
    fn ambiguity_follows_whether_the_request_may_have_been_processed() {
        let transport = |kind| Error::Transport {
            kind,
            message: "x".into(),
            request_id: None,
            method: "POST".into(),
            path: "/projects".into(),
        };
        assert!(!transport(TransportKind::Connect).is_ambiguous());
        assert!(!transport(TransportKind::Tls).is_ambiguous());
        assert!(transport(TransportKind::Timeout).is_ambiguous());
        assert!(transport(TransportKind::Other).is_ambiguous());
        assert!(transport(TransportKind::Timeout).is_unreachable());
    }
}
