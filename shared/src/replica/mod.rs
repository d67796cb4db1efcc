//! The client replica: the sync engine's half that runs in every browser (and in native tests).
//!
//! - **base** is exactly what the server has confirmed: the rows built from the log entries pulled so
//!   far, with the `cookie` they reach and this client's `last_mutation_id`. It has its own database.
//! - **optimistic** is base plus the pending mutations: what the UI reads. Its database also holds the
//!   durable **pending** queue, so a local mutation and its queue entry commit in one transaction.
//! - A pending mutation whose id is at or below base's `last_mutation_id` has been acknowledged by the
//!   server. It is dead from that moment, whatever the queue table still holds, so applying a pull is
//!   one transaction on base; the rebase that follows deletes it.
//! - Each base change bumps base's `version`, and optimistic records the version it was rebased on. If
//!   the two differ on open (a crash between the two transactions), optimistic is rebuilt.
//!
//! The replica does no IO of its own (sans-IO): [`Replica::next_push`] and [`Replica::next_pull`]
//! hand out requests, one of each in flight at a time, tagged with a [`Ticket`]; the caller does the
//! HTTP and hands back the response or the failure. Only the answer to the request in flight is taken:
//! a duplicate or late answer changes nothing.
//!
//! [`Replica::due`] and [`Replica::take`] are the sync loop on top of them: when to push and pull.
//!
//! One `Replica` owns its storage: two replicas must not open the same files at once.

mod backoff;
mod error;
mod everything;
mod inbox;
mod matches;
mod meta;
mod mutate;
mod pending;
mod poke;
mod pull;
mod push;
mod queries;
mod rebase;
mod role;
mod schedule;
pub mod schema;
mod snapshot;
mod storage;
mod window;

pub use crate::issue::{Issue, IssueFilter, StatusCounts};
pub use crate::issue::{MAX_WINDOW, WindowRequest};
pub use backoff::Backoff;
pub use error::{ReplicaError, Result};
pub use mutate::Mutated;
pub use poke::PokeOutcome;
pub use pull::PullOutcome;
pub use push::{PushOutcome, SyncFailure};
pub use schedule::{Answer, HIDDEN_PULL_EVERY_MS, PULL_EVERY_MS, Request, Synced};
pub use storage::Storage;
pub use window::{ListCursor, Window};

use std::collections::BTreeMap;

use rusqlite::Connection;
use uuid::Uuid;

use crate::actor::Actor;
use crate::protocol::RejectedMutation;
use meta::BaseMeta;

/// The table every mutation changes; what [`Mutated::changed`] and [`PullOutcome::changed`] name.
pub const ISSUE_TABLE: &str = "issue";

/// Tags a request handed out by the replica; only the answer to the request in flight is taken. The
/// instance part is random, so an answer meant for a replica that was closed and reopened is never
/// taken by its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    instance: u64,
    number: u64,
}

/// The pull in flight: its answer is taken only while base is still where the pull started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PullInFlight {
    ticket: Ticket,
    cookie: Option<u64>,
    snapshot: Option<crate::protocol::SnapshotCursor>,
}

pub struct Replica {
    /// The workspace this replica is of, and the member whose local changes it queues.
    actor: Actor,
    base: Connection,
    optimistic: Connection,
    meta: BaseMeta,
    push_in_flight: Option<Ticket>,
    /// The pull in flight, and the cookie and snapshot cursor it was sent with.
    pull_in_flight: Option<PullInFlight>,
    instance: u64,
    tickets: u64,
    /// The highest `lastMutationId` a push answer reported: pending mutations up to it need not be sent
    /// again, though they stay pending until a pull acknowledges them.
    pushed_through: u64,
    /// Why the server rejected mutations, from push answers, until the pull that drops them.
    rejections: BTreeMap<u64, RejectedMutation>,
    pub push_backoff: Backoff,
    pub pull_backoff: Backoff,
    schedule: schedule::Schedule,
}

impl Replica {
    /// Opens (or creates) `actor`'s replica of `actor`'s workspace in `storage`, with a new random
    /// client id the first time. Local changes are made as `actor`'s member.
    pub fn open(storage: &Storage, actor: Actor) -> Result<Replica> {
        let (mut base, mut optimistic) = storage.open()?;
        // An `INSERT OR REPLACE` deletes the row it replaces; with this, the delete fires
        // optimistic's triggers too, so its status counts see both halves.
        optimistic.pragma_update(None, "recursive_triggers", true)?;
        // Temporary files (the statement journal the count triggers need) in memory, not in OPFS.
        optimistic.pragma_update(None, "temp_store", "MEMORY")?;
        // Up to 64 MiB of optimistic's pages stay in memory (2 MiB by default): a search reads every
        // issue, and through OPFS each page read is a call out of the wasm. 100,000 issues are
        // about 45 MB.
        optimistic.pragma_update(None, "cache_size", -65536)?;
        // `rarray(?)`: a list's rows by their ids (`matches.rs`).
        rusqlite::vtab::array::load_module(&optimistic)?;
        crate::sqlite::migrate_with(&mut base, schema::BASE)?;
        crate::sqlite::migrate_with(&mut optimistic, schema::OPTIMISTIC)?;
        let meta::Claimed { meta, claimed } =
            meta::init(&mut base, Uuid::new_v4(), actor.workspace_id)?;
        let rebased_on = meta::init_optimistic(&optimistic)?;
        let mut replica = Replica {
            actor,
            base,
            optimistic,
            meta,
            push_in_flight: None,
            pull_in_flight: None,
            instance: Uuid::new_v4().as_u64_pair().0,
            tickets: 0,
            pushed_through: 0,
            rejections: BTreeMap::new(),
            push_backoff: Backoff::default(),
            pull_backoff: Backoff::default(),
            schedule: schedule::Schedule::default(),
        };
        if claimed || rebased_on != replica.meta.version {
            replica.rebuild()?;
        }
        Ok(replica)
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    pub fn client_id(&self) -> Uuid {
        self.meta.client_id
    }

    /// The highest log id base has applied; `None` before the first pull.
    pub fn cookie(&self) -> Option<u64> {
        self.meta.cookie
    }

    /// The highest of this client's mutation ids the server has acknowledged, as far as base knows.
    pub fn last_mutation_id(&self) -> u64 {
        self.meta.last_mutation_id
    }

    /// Rows written to either database since it was opened: a diagnostic, to see what work a sync did.
    pub fn rows_written(&self) -> u64 {
        self.base.total_changes() + self.optimistic.total_changes()
    }

    fn ticket(&mut self) -> Ticket {
        self.tickets += 1;
        Ticket {
            instance: self.instance,
            number: self.tickets,
        }
    }
}
