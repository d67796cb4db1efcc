//! Local mutations: applied to the optimistic state and queued, in one transaction.

use rusqlite::params;

use super::error::Result;
use super::{ISSUE_TABLE, Replica};
use crate::error::MutationError;
use crate::mutations::Mutation;
use crate::protocol::MAX_SAFE_INTEGER;

/// A local mutation that applied and was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutated {
    /// Its id in this client's sequence.
    pub id: u64,
    /// The tables whose optimistic rows changed.
    pub changed: Vec<&'static str>,
}

impl Replica {
    /// Validates `args` through the shared mutation, applies it to the optimistic state and appends it
    /// to the pending queue with the next id, all in one transaction. A mutation that is invalid, or
    /// whose statements fail here, is refused with its error and never queued.
    pub fn mutate(
        &mut self,
        name: &str,
        args: &serde_json::Value,
        timestamp: u64,
    ) -> Result<Mutated> {
        self.mutate_typed(&Mutation::parse(name, args)?, timestamp)
    }

    /// [`Replica::mutate`] for a mutation already parsed (and so validated), as the UI sends them.
    pub fn mutate_typed(&mut self, mutation: &Mutation, timestamp: u64) -> Result<Mutated> {
        let id = self.next_mutation_id()?;
        let tx = self.optimistic.transaction()?;
        crate::sqlite::execute(&tx, &mutation.statements())
            .map_err(|err| MutationError::StatementFailed(err.to_string()))?;
        tx.execute(
            "INSERT INTO pending (id, name, args, timestamp) VALUES (?1, ?2, ?3, ?4)",
            params![
                id as i64,
                mutation.name(),
                mutation.args_json(),
                timestamp.min(MAX_SAFE_INTEGER) as i64
            ],
        )?;
        tx.commit()?;
        Ok(Mutated {
            id,
            changed: vec![ISSUE_TABLE],
        })
    }

    /// One above both the newest queued mutation and the newest acknowledged one.
    fn next_mutation_id(&self) -> Result<u64> {
        let newest: Option<i64> =
            self.optimistic
                .query_row("SELECT MAX(id) FROM pending", [], |row| row.get(0))?;
        Ok(newest.unwrap_or(0).max(0) as u64).map(|n| n.max(self.meta.last_mutation_id) + 1)
    }
}
