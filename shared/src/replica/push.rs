//! Pushing: the next batch of pending mutations out, and what the server's answer teaches.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::error::Result;
use super::{Replica, Ticket, meta, pending};
use crate::error::ErrorCode;
use crate::protocol::{
    ErrorBody, MAX_BODY_BYTES, MAX_PUSH_MUTATIONS, PushMutation, PushRequest, PushResponse,
    SCHEMA_VERSION,
};

/// Why a push or pull got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncFailure {
    /// No answer: the request may or may not have reached the server.
    Network(String),
    /// The server answered with an error; `retry_after_ms` when it said how long to wait
    /// (`Retry-After`, on a 429).
    Server {
        status: u16,
        error: Option<ErrorBody>,
        retry_after_ms: Option<u64>,
    },
    /// The server said it succeeded, but its answer is not the protocol's.
    Unreadable(String),
}

impl SyncFailure {
    /// No answer came: the network, not the server.
    pub fn is_network(&self) -> bool {
        matches!(self, SyncFailure::Network(_))
    }

    /// The server lost this client's state, or the client id is someone else's (another member
    /// signed in on this device, say): the replica re-bootstraps under a new client id.
    pub(super) fn needs_new_client_id(&self) -> bool {
        matches!(self, SyncFailure::Server { error: Some(body), .. }
            if matches!(body.error, ErrorCode::ClientStateNotFound | ErrorCode::ClientNotOwned))
    }

    /// The server refuses who is asking: signed out (`Unauthenticated`) or no longer a member
    /// (`Forbidden`). Retrying soon cannot help; the pending changes stay, unsaved, until it can.
    pub fn denial(&self) -> Option<&ErrorBody> {
        match self {
            SyncFailure::Server {
                error: Some(body), ..
            } if matches!(
                body.error,
                ErrorCode::Unauthenticated | ErrorCode::Forbidden
            ) =>
            {
                Some(body)
            }
            _ => None,
        }
    }

    /// The server speaks a newer schema version than this build can read
    /// (`409 VersionNotSupported`): a new version of the app is needed. Retrying cannot help.
    pub fn outdated(&self) -> Option<&ErrorBody> {
        match self {
            SyncFailure::Server {
                error: Some(body), ..
            } if body.error == ErrorCode::VersionNotSupported => Some(body),
            _ => None,
        }
    }

    /// The server held this request back (`RateLimited`, `QuotaExceeded`): why, and for how long
    /// at least (milliseconds).
    pub fn held_back(&self) -> Option<(&ErrorBody, u64)> {
        match self {
            SyncFailure::Server {
                error: Some(body),
                retry_after_ms,
                ..
            } if matches!(
                body.error,
                ErrorCode::RateLimited | ErrorCode::QuotaExceeded
            ) =>
            {
                Some((body, retry_after_ms.unwrap_or(0)))
            }
            _ => None,
        }
    }
}

/// What a push answer changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The answer to the push in flight: the server has processed this client's mutations up to here.
    /// Pull next, to get their effects and drop them from the queue.
    Processed { last_mutation_id: u64 },
    /// An answer to a request that is no longer in flight (late or duplicate): ignored.
    Stale,
    /// The server lost this client's state: the replica took a new client id and renumbered its
    /// pending mutations, which the next push sends again.
    Rebootstrapped,
    /// Failed; try again after the push backoff's delay.
    Failed,
}

impl Replica {
    /// The next push: the pending mutations the server has not processed, at most 100, in order.
    /// `None` when there are none, or a push is already in flight.
    pub fn next_push(&mut self) -> Result<Option<(Ticket, PushRequest)>> {
        if self.push_in_flight.is_some() {
            return Ok(None);
        }
        let after = self.meta.last_mutation_id.max(self.pushed_through);
        let mut mutations = pending::unsent(&self.optimistic, after, MAX_PUSH_MUTATIONS)?;
        fit_in_one_body(&mut mutations);
        if mutations.is_empty() {
            return Ok(None);
        }
        let ticket = self.ticket();
        self.push_in_flight = Some(ticket);
        Ok(Some((
            ticket,
            PushRequest {
                client_id: self.meta.client_id,
                schema_version: SCHEMA_VERSION,
                mutations,
            },
        )))
    }

    /// Takes the server's answer to the push `ticket`. Rejections are remembered and reported by the
    /// pull that acknowledges them, when their optimistic effects are undone.
    pub fn push_succeeded(&mut self, ticket: Ticket, response: &PushResponse) -> PushOutcome {
        if self.push_in_flight != Some(ticket) {
            return PushOutcome::Stale;
        }
        self.push_in_flight = None;
        self.push_backoff.succeeded();
        self.pushed_through = self.pushed_through.max(response.last_mutation_id);
        for rejected in &response.rejected {
            if rejected.id > self.meta.last_mutation_id {
                self.rejections.insert(rejected.id, rejected.clone());
            }
        }
        PushOutcome::Processed {
            last_mutation_id: response.last_mutation_id,
        }
    }

    /// Takes a failed push. `ClientStateNotFound` and `ClientNotOwned` re-bootstrap; anything else
    /// backs off and retries.
    pub fn push_failed(&mut self, ticket: Ticket, failure: &SyncFailure) -> Result<PushOutcome> {
        if self.push_in_flight != Some(ticket) {
            return Ok(PushOutcome::Stale);
        }
        self.push_in_flight = None;
        if failure.needs_new_client_id() {
            self.rebootstrap()?;
            return Ok(PushOutcome::Rebootstrapped);
        }
        self.push_backoff.failed();
        Ok(PushOutcome::Failed)
    }

    /// The server has lost this client (it was reset, or restored from an older backup). Take a new
    /// client id, so the server's `lastMutationId` for it is 0, and renumber the live pending mutations
    /// from 1 in their order; the next pull rebuilds base from the whole log. Base first: if the
    /// renumbering never happens, the next push gaps, is refused again, and this runs again.
    pub(super) fn rebootstrap(&mut self) -> Result<()> {
        let acknowledged = self.meta.last_mutation_id;
        self.meta = meta::reset(&self.base, &self.meta, Uuid::new_v4())?;
        let tx = self.optimistic.transaction()?;
        pending::renumber_from_one(&tx, acknowledged)?;
        tx.commit()?;
        self.pushed_through = 0;
        self.rejections = BTreeMap::new();
        self.push_in_flight = None;
        self.pull_in_flight = None;
        self.rebuild()
    }
}

/// Room in a push's body for everything but its mutations (the client id, the version, brackets).
const BODY_OVERHEAD: usize = 1024;

/// Keeps the first of `mutations` that fit in one request body ([`MAX_BODY_BYTES`]), and always the
/// first: a hundred long descriptions (an import's, a long offline session's) would otherwise make a
/// push the server refuses as too large, again and again, and nothing behind it would ever sync.
fn fit_in_one_body(mutations: &mut Vec<PushMutation>) {
    let mut bytes = BODY_OVERHEAD;
    let fits = mutations
        .iter()
        .position(|mutation| {
            bytes += serde_json::to_string(mutation).map_or(usize::MAX / 2, |json| json.len() + 1);
            bytes > MAX_BODY_BYTES
        })
        .unwrap_or(mutations.len())
        .max(1);
    mutations.truncate(fits);
}
