//! Harbor's error envelope: `{"errors":[{"code","message"}]}` with the code-to-status table of lib/errors.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One API failure, rendered exactly as Harbor renders its `errors.Error`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// Anonymous callers that lack a permission get this (Harbor's `UnauthorizedError(nil)`).
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "unauthorized")
    }

    /// Authenticated callers that lack a permission get this (Harbor's `ForbiddenError(nil)`).
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", "forbidden")
    }

    pub fn forbidden_msg(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// Robot-creates-robot privilege escalation uses the `DENIED` code, which also maps to 403.
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "DENIED", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    pub fn precondition(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "PRECONDITION", message)
    }

    /// Validation failures of the generated go-swagger binding layer (bad types, limits, missing
    /// body). go-swagger hands them over as a CompositeError, whose text Harbor passes on:
    /// "validation failure list:" and the failure on the next line (seen on Harbor 2.15.2).
    pub fn unprocessable(message: impl Into<String>) -> Self {
        let message = message.into();
        let message = if message.starts_with("validation failure list:") {
            message
        } else {
            format!("validation failure list:\n{message}")
        };
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE_ENTITY",
            message,
        )
    }

    /// A `common/http.Error` from a remote (`lib/http/error.go` `apiError`): the remote's status,
    /// its text upper-cased as the code, and the remote's body as the message.
    pub fn legacy(status: StatusCode, message: impl Into<String>) -> Self {
        let code = status
            .canonical_reason()
            .unwrap_or("UNKNOWN")
            .to_ascii_uppercase()
            .replace(' ', "_");
        Self {
            status,
            code: Box::leak(code.into_boxed_str()),
            message: message.into(),
        }
    }

    /// Plain Go errors surface as 500 and Harbor hides their text.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN",
            "internal server error",
        )
    }

    /// An arbitrary status for fault injection, with the code Harbor would use for it.
    pub fn injected(status: StatusCode) -> Self {
        let code = match status.as_u16() {
            400 => "BAD_REQUEST",
            401 => "UNAUTHORIZED",
            403 => "FORBIDDEN",
            404 => "NOT_FOUND",
            409 => "CONFLICT",
            412 => "PRECONDITION",
            429 => "TOO_MANY_REQUEST",
            _ => "UNKNOWN",
        };
        Self::new(status, code, "injected fault")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"errors": [{"code": self.code, "message": self.message}]});
        (self.status, axum::Json(body)).into_response()
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;
