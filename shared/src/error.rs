//! Errors as values: each has a protocol code and a human message.

use serde::{Deserialize, Serialize};

/// Why a single mutation was rejected. It changes nothing and is not logged, but it still advances the
/// client's `lastMutationId` and is reported in the push response's `rejected` list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MutationError {
    #[error("unknown mutation `{0}`")]
    UnknownMutation(String),
    #[error("invalid args for {name}: {reason}")]
    InvalidArgs { name: &'static str, reason: String },
    #[error("{0}")]
    StatementFailed(String),
}

impl MutationError {
    /// The code carried in `rejected[].error`.
    pub fn code(&self) -> &'static str {
        match self {
            MutationError::UnknownMutation(_) => "UnknownMutation",
            MutationError::InvalidArgs { .. } => "InvalidArgs",
            MutationError::StatementFailed(_) => "StatementFailed",
        }
    }
}

/// The error codes of whole requests, each with its HTTP status: 4xx for the caller's fault, 5xx for ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    InvalidRequest,
    PayloadTooLarge,
    VersionNotSupported,
    ClientStateNotFound,
    NotFound,
    MethodNotAllowed,
    InternalError,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::VersionNotSupported | ErrorCode::ClientStateNotFound => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::InternalError => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "InvalidRequest",
            ErrorCode::PayloadTooLarge => "PayloadTooLarge",
            ErrorCode::VersionNotSupported => "VersionNotSupported",
            ErrorCode::ClientStateNotFound => "ClientStateNotFound",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::MethodNotAllowed => "MethodNotAllowed",
            ErrorCode::InternalError => "InternalError",
        }
    }
}

/// A whole request failed: nothing was changed. Serialised as `{"error": code, "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn client_state_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ClientStateNotFound, message)
    }
}
