//! The local member's role, which the rules that let a workspace's owner do more (changing others'
//! comments, [`crate::mutations::refusal`]) read from `membership` in optimistic, as the server reads
//! its own: so the replica refuses locally exactly what the server would.

use rusqlite::params;

use super::Replica;
use super::error::Result;
use crate::api::Role;

impl Replica {
    /// Records the local member's role in this workspace (as the app last heard it from the server).
    pub fn set_role(&mut self, role: Role) -> Result<()> {
        let tx = self.optimistic.transaction()?;
        tx.execute(
            "DELETE FROM membership WHERE workspace_id = ?1",
            params![self.actor.workspace_id.to_string()],
        )?;
        tx.execute(
            "INSERT INTO membership (workspace_id, member_id, role, joined_at) VALUES (?1, ?2, ?3, 0)",
            params![
                self.actor.workspace_id.to_string(),
                self.actor.member_id.to_string(),
                role.as_str()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}
