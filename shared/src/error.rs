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
    pub fn code(&self) -> ErrorCode {
        match self {
            MutationError::UnknownMutation(_) => ErrorCode::UnknownMutation,
            MutationError::InvalidArgs { .. } => ErrorCode::InvalidArgs,
            MutationError::StatementFailed(_) => ErrorCode::StatementFailed,
        }
    }
}

/// Every code the protocol defines: those of whole requests, each with its HTTP status (4xx for the
/// caller's fault, 5xx for ours), and those of single rejected mutations (`rejected[].error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    UnknownMutation,
    InvalidArgs,
    StatementFailed,
    InvalidRequest,
    /// No session or API token, or one that is not valid (tampered, expired, revoked).
    Unauthenticated,
    /// Signed in, but not allowed: not a member of the workspace, not its owner, another site.
    Forbidden,
    /// The client id belongs to another member, or to another workspace.
    ClientNotOwned,
    PayloadTooLarge,
    UnsupportedMediaType,
    VersionNotSupported,
    ClientStateNotFound,
    NotFound,
    /// An invite link past its expiry.
    InviteExpired,
    /// A sign-in link for another device, or a passkey challenge, past its expiry.
    Expired,
    MethodNotAllowed,
    /// Too many requests from this member (or, signed out, this address) just now: retry after the
    /// `Retry-After` header's seconds.
    RateLimited,
    /// The caller already has as many of a thing as the deployment allows (API tokens per member):
    /// remove one first.
    LimitReached,
    /// This member's changes for the day are used up (the deployment's daily budget per member):
    /// retry after the `Retry-After` header's seconds (the next UTC day).
    QuotaExceeded,
    InternalError,
    /// A code this build does not know (a newer server's): read, never sent.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::UnknownMutation
            | ErrorCode::InvalidArgs
            | ErrorCode::StatementFailed
            | ErrorCode::InvalidRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden | ErrorCode::ClientNotOwned => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::InviteExpired | ErrorCode::Expired => 410,
            ErrorCode::RateLimited | ErrorCode::QuotaExceeded => 429,
            ErrorCode::VersionNotSupported
            | ErrorCode::ClientStateNotFound
            | ErrorCode::LimitReached => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::InternalError | ErrorCode::Unknown => 500,
        }
    }
}

/// How much of a caller's input an error message may quote.
pub const MAX_QUOTED_CHARS: usize = 200;

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, marked when cut: for messages that quote input.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
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

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
}
