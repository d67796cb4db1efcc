//! The replica's errors: each has a code and a human message, like the protocol's.

use crate::error::{ErrorCode, MutationError};

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    /// A local mutation was refused: invalid, or its statements failed. Nothing was queued.
    #[error(transparent)]
    Mutation(#[from] MutationError),
    /// The local database failed.
    #[error("local storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The local databases hold something the replica did not write, or no longer what it expects.
    #[error("local storage is inconsistent: {0}")]
    Inconsistent(String),
    /// The server answered something the protocol does not allow; nothing was applied.
    #[error("invalid response from the server: {0}")]
    InvalidResponse(String),
}

impl ReplicaError {
    /// The protocol's code of a refused mutation; local failures have none.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ReplicaError::Mutation(err) => Some(err.code()),
            _ => None,
        }
    }
}

pub type Result<T, E = ReplicaError> = std::result::Result<T, E>;
