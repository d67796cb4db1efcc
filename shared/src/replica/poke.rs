//! Taking a poke from the live channel ([`crate::live`]): apply the entries it carries when they are
//! exactly what base lacks, or else pull. A poke only ever saves a pull; whatever it says, the next
//! pull brings the same base.

use super::Replica;
use super::error::Result;
use super::pull::check;
use crate::live::Poke;
use crate::protocol::PullResponse;

/// What a poke did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PokeOutcome {
    /// Base is at or past its cookie already (a late or repeated poke): nothing to do.
    Ignored,
    /// A pull was asked for: the poke carried nothing usable here.
    Pull,
    /// Its entries were applied to base and optimistic rebased: read the rows again.
    Applied { entries: usize },
}

impl Replica {
    /// Takes `poke`. Its entries are applied to base, with its cookie, in one transaction, then
    /// optimistic rebased (as a pull would) when all of these hold; otherwise the replica pulls at
    /// once (or right after the pull in flight, if that one may not reach the poke's cookie):
    /// - base has pulled before and its cookie is within the poke's `base..cookie`;
    /// - no pull is in flight (its answer would no longer follow base), and no snapshot is half taken;
    /// - none of the entries is this client's own: those acknowledge pending mutations, which only a
    ///   pull's `lastMutationId` may do. (A push answer lost on the way, say, leaves such entries
    ///   the replica does not expect.)
    ///
    /// Base's `lastMutationId` stays as it was: true as of the new cookie, since this client has no
    /// entry in between (one rejected meanwhile is acknowledged by the pull after its push).
    pub fn take_poke(&mut self, poke: &Poke) -> Result<PokeOutcome> {
        let Some(cookie) = self.meta.cookie else {
            self.pull_soon_to(poke.cookie);
            return Ok(PokeOutcome::Pull);
        };
        if cookie >= poke.cookie {
            return Ok(PokeOutcome::Ignored);
        }
        let usable = poke
            .entries_after(cookie)
            .filter(|entries| entries.iter().all(|entry| entry.id.is_none()));
        let idle = self.pull_in_flight.is_none() && self.meta.snapshot.is_none();
        let Some(entries) = usable.filter(|_| idle) else {
            self.pull_soon_to(poke.cookie);
            return Ok(PokeOutcome::Pull);
        };
        let response = PullResponse {
            cookie: poke.cookie,
            last_mutation_id: self.meta.last_mutation_id,
            has_more: false,
            mutations: entries.to_vec(),
            snapshot: None,
        };
        check(&response, Some(cookie), None)?;
        let touched = match self.apply_to_base(&response, Some(cookie)) {
            Ok(touched) => touched,
            Err(err) => {
                // Base forgot its cookie: the pull rebuilds it.
                self.pull_soon();
                return Err(err);
            }
        };
        self.rebase(touched, &[])?;
        Ok(PokeOutcome::Applied {
            entries: response.mutations.len(),
        })
    }
}
