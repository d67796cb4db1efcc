//! What went wrong, as a value: a code a script can branch on (the process's exit status, see
//! [`Code::exit_status`]) and a message for the person reading it.

use shared::export::ExportError;
use shared::replica::ReplicaError;

/// Why a command failed. Each has its own exit status (README, "Command line").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Anything else: the server failed, a file could not be written.
    Failed,
    /// The command line, or a file given to it, is not what the command reads.
    Usage,
    /// No login, or the server refused the token (revoked, or its member removed).
    NotSignedIn,
    /// No such issue (or label, or member) in this workspace.
    NotFound,
    /// The server could not be reached; local changes stay queued for the next command that can.
    Offline,
    /// The server refused a change (it broke a rule); nothing of it was saved.
    Refused,
    /// The server held requests back past what the command waits (the daily budget is spent).
    HeldBack,
}

impl Code {
    pub fn exit_status(self) -> u8 {
        match self {
            Code::Failed => 1,
            Code::Usage => 2,
            Code::NotSignedIn => 3,
            Code::NotFound => 4,
            Code::Offline => 5,
            Code::Refused => 6,
            Code::HeldBack => 7,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Code::Failed => "Failed",
            Code::Usage => "Usage",
            Code::NotSignedIn => "NotSignedIn",
            Code::NotFound => "NotFound",
            Code::Offline => "Offline",
            Code::Refused => "Refused",
            Code::HeldBack => "HeldBack",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: Code,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, CliError>;

impl CliError {
    pub fn new(code: Code, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Code::Usage, message)
    }

    pub fn failed(message: impl Into<String>) -> CliError {
        CliError::new(Code::Failed, message)
    }

    pub fn not_found(message: impl Into<String>) -> CliError {
        CliError::new(Code::NotFound, message)
    }
}

impl From<ReplicaError> for CliError {
    fn from(err: ReplicaError) -> CliError {
        match err {
            ReplicaError::Mutation(refused) => CliError::new(Code::Refused, refused.to_string()),
            other => CliError::failed(format!("the local replica: {other}")),
        }
    }
}

impl From<shared::MutationError> for CliError {
    fn from(err: shared::MutationError) -> CliError {
        CliError::new(Code::Refused, err.to_string())
    }
}

impl From<ExportError> for CliError {
    fn from(err: ExportError) -> CliError {
        match err {
            ExportError::Replica(err) => err.into(),
            ExportError::NotLoaded => CliError::new(Code::Offline, err.to_string()),
            other => CliError::usage(other.to_string()),
        }
    }
}

/// A file that could not be read or written, named.
pub fn io(path: &std::path::Path, err: std::io::Error) -> CliError {
    CliError::failed(format!("{}: {err}", path.display()))
}
