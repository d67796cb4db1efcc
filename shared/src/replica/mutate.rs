//! Local mutations: applied to the optimistic state and queued, in one transaction.

use super::error::Result;
use super::{ISSUE_TABLE, Replica, pending};
use crate::mutations::Mutation;

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
        self.mutate_typed(&Mutation::parse_new(name, args)?, timestamp)
    }

    /// [`Replica::mutate`] for a mutation already parsed (and so validated), as the UI sends them.
    pub fn mutate_typed(&mut self, mutation: &Mutation, timestamp: u64) -> Result<Mutated> {
        let id = pending::next_id(&self.optimistic, self.meta.last_mutation_id)?;
        let tx = self.optimistic.transaction()?;
        crate::sqlite::execute(&tx, &mutation.statements(&self.actor))
            .map_err(|err| mutation.statement_failed(&err.to_string()))?;
        pending::append(&tx, id, mutation, timestamp)?;
        tx.commit()?;
        Ok(Mutated {
            id,
            changed: vec![ISSUE_TABLE],
        })
    }
}
