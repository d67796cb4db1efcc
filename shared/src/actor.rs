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
}

impl Actor {
    pub fn new(workspace_id: Uuid, member_id: Uuid) -> Self {
        Self {
            workspace_id,
            member_id,
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
