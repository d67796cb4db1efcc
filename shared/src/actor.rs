//! Who applies a mutation, and where: every mutator's statements are written for one [`Actor`], so a
//! mutation can touch only its own workspace's rows and records the member who made it. The server
//! takes the actor from the caller's session or token; a replica is one workspace's, and replays each
//! pulled entry as the member the server says made it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::statement::SqlValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The workspace whose rows the mutation may read and change.
    pub workspace_id: Uuid,
    /// The member the change is by.
    pub member_id: Uuid,
    /// On the server, the API token the request came with, if it did: the batch that does the work
    /// checks that it still exists (`shared::server`), so a revoked token is refused at once
    /// whatever a worker remembered of it. Never set in a replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<Uuid>,
    /// On the server, the session the request came with, if it did: checked the same way, so a
    /// signed-out or revoked session is refused at once. Never set in a replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
}

impl Actor {
    pub fn new(workspace_id: Uuid, member_id: Uuid) -> Self {
        Self {
            workspace_id,
            member_id,
            token_id: None,
            session_id: None,
        }
    }

    /// The same actor, asking with the API token `token_id`.
    pub fn with_token(self, token_id: Uuid) -> Self {
        Self {
            token_id: Some(token_id),
            ..self
        }
    }

    /// The same actor, asking with the session `session_id`.
    pub fn with_session(self, session_id: Uuid) -> Self {
        Self {
            session_id: Some(session_id),
            ..self
        }
    }

    /// The same workspace, another member: whose entry a replica replays.
    pub fn as_member(&self, member_id: Uuid) -> Self {
        Self { member_id, ..*self }
    }

    pub fn workspace(&self) -> SqlValue {
        self.workspace_id.to_string().into()
    }

    pub fn member(&self) -> SqlValue {
        self.member_id.to_string().into()
    }
}
