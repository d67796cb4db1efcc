//! The replica's errors: each has a code and a human message, like the protocol's.

use crate::error::MutationError;

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    /// A local mutation was refused: invalid, or its statements failed. Nothing was queued.
    #[error(transparent)]
    Mutation(#[from] MutationError),
    /// The local database failed.
    #[error("local storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The server answered something the protocol does not allow; nothing was applied.
    #[error("invalid response from the server: {0}")]
    InvalidResponse(String),
}

impl ReplicaError {
    pub fn code(&self) -> &'static str {
        match self {
            ReplicaError::Mutation(err) => err.code(),
            ReplicaError::Storage(_) => "StorageFailed",
            ReplicaError::InvalidResponse(_) => "InvalidResponse",
        }
    }
}

pub type Result<T, E = ReplicaError> = std::result::Result<T, E>;
