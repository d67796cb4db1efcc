//! Pulling: the next request out, and its answer applied to base in one transaction, then the rebase.

use std::collections::BTreeSet;

use super::error::{ReplicaError, Result};
use super::push::SyncFailure;
use super::{ISSUE_TABLE, PullInFlight, Replica, Ticket, meta, pending};
use crate::error::ErrorCode;
use crate::mutations::{Mutation, Scope};
use crate::protocol::{LogEntry, PullRequest, PullResponse, RejectedMutation, SCHEMA_VERSION};

/// What a pull answer changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullOutcome {
    /// The server has more: pull again now.
    pub has_more: bool,
    /// The tables whose optimistic rows may have changed.
    pub changed: Vec<&'static str>,
    /// This client's mutations the server acknowledged without applying them. Their optimistic effects
    /// are gone now.
    pub rejected: Vec<RejectedMutation>,
    /// The answer was not to the pull in flight (late or duplicate), or base moved since: ignored.
    pub stale: bool,
}

impl Replica {
    /// The next pull, from base's cookie (or the next page of the snapshot in progress). `None` while
    /// a pull is in flight.
    pub fn next_pull(&mut self) -> Option<(Ticket, PullRequest)> {
        if self.pull_in_flight.is_some() {
            return None;
        }
        let ticket = self.ticket();
        self.pull_in_flight = Some(PullInFlight {
            ticket,
            cookie: self.meta.cookie,
            snapshot: self.meta.snapshot,
        });
        Some((
            ticket,
            PullRequest {
                client_id: self.meta.client_id,
                schema_version: SCHEMA_VERSION,
                cookie: Some(self.meta.cookie),
                snapshot: self.meta.snapshot,
            },
        ))
    }

    /// Takes a failed pull. `ClientStateNotFound` (the server was reset) and `ClientNotOwned`
    /// re-bootstrap.
    pub fn pull_failed(&mut self, ticket: Ticket, failure: &SyncFailure) -> Result<PullOutcome> {
        if self.pull_in_flight.map(|p| p.ticket) != Some(ticket) {
            return Ok(stale());
        }
        self.pull_in_flight = None;
        if failure.needs_new_client_id() {
            self.rebootstrap()?;
            return Ok(PullOutcome {
                has_more: true,
                changed: vec![ISSUE_TABLE],
                ..PullOutcome::default()
            });
        }
        self.pull_backoff.failed();
        Ok(PullOutcome::default())
    }

    /// Applies the answer to the pull `ticket`: in one transaction on base, its entries, the new cookie
    /// and `lastMutationId`; then the rebase of optimistic. An answer that brings nothing and
    /// acknowledges nothing does no database work at all. A snapshot page is taken by
    /// [`Replica::take_snapshot_page`].
    pub fn pull_succeeded(
        &mut self,
        ticket: Ticket,
        response: &PullResponse,
    ) -> Result<PullOutcome> {
        let Some(in_flight) = self.pull_in_flight else {
            return Ok(stale());
        };
        if in_flight.ticket != ticket
            || in_flight.cookie != self.meta.cookie
            || in_flight.snapshot != self.meta.snapshot
        {
            return Ok(stale());
        }
        self.pull_in_flight = None;
        let from = in_flight.cookie;
        if let Err(err) = check(response, from, in_flight.snapshot.as_ref()) {
            self.pull_backoff.failed();
            return Err(err);
        }
        self.pull_backoff.succeeded();
        if let Some(page) = &response.snapshot {
            return self.take_snapshot_page(response, page, from);
        }

        let acknowledged_before = self.meta.last_mutation_id;
        let brings_nothing = response.mutations.is_empty()
            && from == Some(response.cookie)
            && response.last_mutation_id <= acknowledged_before;
        if brings_nothing {
            return Ok(PullOutcome {
                has_more: response.has_more,
                ..PullOutcome::default()
            });
        }

        let touched = self.apply_to_base(response, from)?;
        let acknowledged = self.acknowledged_pending(acknowledged_before)?;
        let rejected = self.rejected_among(&acknowledged, &response.mutations);

        let optimistic_changed = if from.is_none() {
            // Base was built from scratch: no shortcut is sound.
            self.rebuild()?;
            true
        } else if rejected.is_empty() && only_these(&response.mutations, &acknowledged) {
            self.fast_forward()?;
            false
        } else {
            let rejected_ids: Vec<u64> = rejected.iter().map(|r| r.id).collect();
            self.rebase(touched, &rejected_ids)?;
            !response.mutations.is_empty() || !rejected.is_empty()
        };
        let changed = if optimistic_changed {
            vec![ISSUE_TABLE]
        } else {
            Vec::new()
        };
        Ok(PullOutcome {
            has_more: response.has_more,
            changed,
            rejected,
            stale: false,
        })
    }

    /// Applies the entries to base with the new cursor, in one transaction; returns the rows they
    /// touched. An entry that cannot apply here means base diverged from the server: base forgets its
    /// cookie, so the next pull rebuilds it from the whole log.
    pub(super) fn apply_to_base(
        &mut self,
        response: &PullResponse,
        from: Option<u64>,
    ) -> Result<BTreeSet<Scope>> {
        // A mutation this build does not know comes from a newer version of the app: base stays
        // where it is (it is not wrong, only behind), and the app is told to reload.
        if let Some(entry) = response
            .mutations
            .iter()
            .find(|entry| !Mutation::NAMES.iter().any(|(name, _)| *name == entry.name))
        {
            self.schedule.outdated = Some(crate::protocol::ErrorBody {
                error: ErrorCode::VersionNotSupported,
                message: format!(
                    "the log holds `{}`, a change this version of the app does not know",
                    crate::error::quote(&entry.name)
                ),
            });
            return Err(ReplicaError::InvalidResponse(format!(
                "log entry {} ({}) is of a newer version; nothing applied",
                entry.log_id, entry.name
            )));
        }
        let mut touched = BTreeSet::new();
        let tx = self.base.transaction()?;
        if from.is_none() {
            for table in super::rebase::TABLES {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
        }
        for entry in &response.mutations {
            let applied = entry
                .mutation()
                .map_err(|err| err.to_string())
                .and_then(|mutation| {
                    touched.extend(mutation.scopes());
                    let by = self.actor.as_member(entry.member_id);
                    crate::sqlite::execute(&tx, &mutation.replay_statements(&by))
                        .map_err(|e| e.to_string())
                });
            if let Err(reason) = applied {
                drop(tx);
                self.meta = meta::forget_cookie(&self.base, &self.meta)?;
                return Err(ReplicaError::InvalidResponse(format!(
                    "log entry {} ({}) does not apply here ({reason}); base will be rebuilt",
                    entry.log_id, entry.name
                )));
            }
        }
        let advanced = meta::advance(
            &tx,
            &self.meta,
            from,
            response.cookie,
            response.last_mutation_id,
        )?;
        tx.commit()?;
        self.meta = advanced;
        Ok(touched)
    }

    /// The pending mutations this pull acknowledged: above the old `lastMutationId`, up to the new.
    pub(super) fn acknowledged_pending(&self, before: u64) -> Result<Vec<(u64, String)>> {
        pending::acknowledged(&self.optimistic, before, self.meta.last_mutation_id)
    }

    /// Acknowledged mutations with no entry in this pull were rejected: the server processed them
    /// without applying them (an applied one is always in the pages up to the new `lastMutationId`).
    fn rejected_among(
        &mut self,
        acknowledged: &[(u64, String)],
        entries: &[LogEntry],
    ) -> Vec<RejectedMutation> {
        // The server marks this client's own entries with their mutation id.
        let applied: BTreeSet<u64> = entries.iter().filter_map(|e| e.id).collect();
        let rejected = acknowledged
            .iter()
            .filter(|(id, _)| !applied.contains(id))
            .map(|(id, name)| {
                self.rejections
                    .remove(id)
                    .unwrap_or_else(|| RejectedMutation {
                        id: *id,
                        // The push answer that said why was lost.
                        error: ErrorCode::Unknown,
                        message: format!("the server did not apply {name}"),
                    })
            })
            .collect();
        self.rejections
            .retain(|id, _| *id > self.meta.last_mutation_id);
        rejected
    }
}

/// True when the entries are exactly this client's acknowledged mutations, in order: the server did
/// to base precisely what optimistic already shows, so optimistic needs no change. Not for a create:
/// the server gave its issue a number, which optimistic does not have.
fn only_these(entries: &[LogEntry], acknowledged: &[(u64, String)]) -> bool {
    entries.iter().all(|entry| {
        entry.name != <crate::mutations::CreateIssue as crate::mutations::Mutator>::NAME
    }) && entries.len() == acknowledged.len()
        && entries
            .iter()
            .zip(acknowledged)
            .all(|(entry, (id, _))| entry.id == Some(*id))
}

/// The protocol's promises about a pull answer, checked before anything is applied: entries follow the
/// cookie in order; a snapshot page carries no entries, and one that continues the snapshot (not a
/// reset) answers a pull that asked for it, at its cookie.
pub(super) fn check(
    response: &PullResponse,
    from: Option<u64>,
    cursor: Option<&crate::protocol::SnapshotCursor>,
) -> Result<()> {
    match (&response.snapshot, cursor) {
        (Some(_), _) if !response.mutations.is_empty() => {
            return Err(ReplicaError::InvalidResponse(format!(
                "a snapshot page with {} log entries",
                response.mutations.len()
            )));
        }
        (Some(page), None) if !page.reset => {
            return Err(ReplicaError::InvalidResponse(
                "a snapshot page that continues no snapshot".to_owned(),
            ));
        }
        (Some(page), Some(cursor)) if !page.reset && response.cookie != cursor.cookie => {
            return Err(ReplicaError::InvalidResponse(format!(
                "a snapshot page at cookie {}, continuing one at {}",
                response.cookie, cursor.cookie
            )));
        }
        (None, Some(_)) => {
            return Err(ReplicaError::InvalidResponse(
                "log entries where the next snapshot page was asked for".to_owned(),
            ));
        }
        _ => {}
    }
    if response.snapshot.is_some() {
        return Ok(());
    }
    let from = from.unwrap_or(0);
    let mut previous = from;
    for entry in &response.mutations {
        if entry.log_id <= previous {
            return Err(ReplicaError::InvalidResponse(format!(
                "log id {} does not follow {previous}",
                entry.log_id
            )));
        }
        previous = entry.log_id;
    }
    if response.cookie < previous {
        return Err(ReplicaError::InvalidResponse(format!(
            "cookie {} is behind the entries (up to {previous})",
            response.cookie
        )));
    }
    Ok(())
}

fn stale() -> PullOutcome {
    PullOutcome {
        stale: true,
        ..PullOutcome::default()
    }
}
