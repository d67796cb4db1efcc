//! When to push and pull: the one sync loop, sans-IO. The browser engine and the recovery of storage
//! left by closed tabs both drive a replica with it: ask [`Replica::due`] for the requests to send
//! now, send them, hand each answer to [`Replica::take`]. Pushes go out as soon as there is something
//! to push (a local change while pushes back off after a failure goes with the retry); a pull
//! follows each processed push, and at once when asked ([`Replica::pull_soon`]:
//! another tab pushed, the network came back; [`Replica::take_poke`]: the live channel said the log
//! grew) or when the server has more. While the live channel is up ([`Replica::set_live`]) nothing
//! else pulls: no timer. While it is down the replica polls, every [`PULL_EVERY_MS`] (every
//! [`HIDDEN_PULL_EVERY_MS`] while the page is hidden, and at once when it shows again). Failures
//! back off. One push and one pull at most are in flight: the replica's own tickets say which.

use super::error::Result;
use super::push::{PushOutcome, SyncFailure};
use super::{Backoff, Replica, Ticket};
use crate::protocol::{
    ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse, RejectedMutation,
};

/// How often a replica with nothing else to do pulls.
pub const PULL_EVERY_MS: u64 = 3_000;
/// ... and while no one can see its page: an idle hidden tab costs 60 requests an hour, not 1,200.
pub const HIDDEN_PULL_EVERY_MS: u64 = 60_000;

/// A timer that does not fire: the live channel says when.
const NEVER: u64 = u64::MAX;

/// The loop's timers, in epoch milliseconds, and what the last answer said of the network.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    next_push_at: u64,
    next_pull_at: u64,
    /// A pull was asked for while one was in flight: run another as soon as it ends.
    pull_again: bool,
    /// ... run another only if the one in flight ends below this cookie (a poke's).
    pull_again_below: u64,
    /// The live channel is up: it says when to pull, so no timer does.
    live: bool,
    /// The page is hidden: pull rarely.
    hidden: bool,
    online: bool,
    /// The last push got no answer at all (no network, the server down): the next answer from the
    /// server, a pull's, says it is back, and the push retries then rather than at its backoff.
    push_unanswered: bool,
    /// The server's last word on who is asking, when it refused them: signed out or removed.
    denied: Option<ErrorBody>,
    /// The server's last word when it held a request back (rate limit, daily budget).
    held_back: Option<ErrorBody>,
    /// Why this build is too old for the server, once it said so: it stays (only a new build
    /// can change it).
    pub(super) outdated: Option<ErrorBody>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            next_push_at: 0,
            next_pull_at: 0,
            pull_again: false,
            pull_again_below: 0,
            live: false,
            hidden: false,
            online: true,
            push_unanswered: false,
            denied: None,
            held_back: None,
            outdated: None,
        }
    }
}

/// A request to send, tagged with its ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Push(Ticket, PushRequest),
    Pull(Ticket, PullRequest),
}

/// What became of a request: the server's answer, or why there was none.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Pushed(Ticket, std::result::Result<PushResponse, SyncFailure>),
    Pulled(Ticket, std::result::Result<PullResponse, SyncFailure>),
}

/// What an answer changed, for whoever shows the replica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// Optimistic rows may have changed: read them again.
    pub changed: bool,
    /// This client's mutations the server rejected; their effects are gone now.
    pub rejected: Vec<RejectedMutation>,
    /// The server processed a push: others sharing the server may want to pull.
    pub pushed: bool,
}

impl Replica {
    /// The requests due at `now`: a push when something is unsent and its timer is up, a pull when
    /// its timer is up; never a second of either while one is in flight.
    pub fn due(&mut self, now: u64) -> Result<Vec<Request>> {
        let mut requests = Vec::new();
        if self.push_in_flight.is_none()
            && now >= self.schedule.next_push_at
            && let Some((ticket, request)) = self.next_push()?
        {
            requests.push(Request::Push(ticket, request));
        }
        if self.pull_in_flight.is_none()
            && now >= self.schedule.next_pull_at
            && let Some((ticket, request)) = self.next_pull()
        {
            requests.push(Request::Pull(ticket, request));
        }
        Ok(requests)
    }

    /// Takes the answer to a request [`Replica::due`] handed out, at `now`, and sets the timers.
    /// `jitter` in `0.0..=1.0` spreads retries out (the replica makes nothing random itself).
    pub fn take(&mut self, answer: Answer, now: u64, jitter: f64) -> Result<Synced> {
        match answer {
            Answer::Pushed(ticket, result) => self.take_push(ticket, result, now, jitter),
            Answer::Pulled(ticket, result) => self.take_pull(ticket, result, now, jitter),
        }
    }

    /// Push at once: the network or the page came back, or someone asked to sync now.
    pub fn push_soon(&mut self) {
        self.schedule.next_push_at = 0;
    }

    /// A local change was made: push at once, unless pushes are backing off after a failure. Then
    /// the change goes with the retry already set (at most 30 s away, or when the server asked), so a
    /// busy tab during an outage, a rate limit or a spent day's budget sends a request a retry, not
    /// a request a change.
    pub fn push_change(&mut self) {
        if self.push_backoff.failures() == 0 {
            self.schedule.next_push_at = 0;
        }
    }

    /// Pull at once, or right after the pull in flight: another tab pushed, or the page came back.
    pub fn pull_soon(&mut self) {
        if self.pull_in_flight.is_some() {
            self.schedule.pull_again = true;
        } else {
            self.schedule.next_pull_at = 0;
        }
    }

    /// Pull unless base reaches `cookie` (a poke's head): at once, or after the pull in flight if that
    /// one ends below it.
    pub(super) fn pull_soon_to(&mut self, cookie: u64) {
        if self.pull_in_flight.is_some() {
            self.schedule.pull_again_below = self.schedule.pull_again_below.max(cookie);
        } else {
            self.schedule.next_pull_at = 0;
        }
    }

    /// The live channel went up or down. Either way the replica pulls at once: up, for what it may
    /// have missed while connecting; down, to start polling. Up, no timer pulls.
    pub fn set_live(&mut self, live: bool) {
        if std::mem::replace(&mut self.schedule.live, live) != live {
            self.pull_soon();
        }
    }

    /// The live channel is up, as far as the replica was told.
    pub fn live(&self) -> bool {
        self.schedule.live
    }

    /// The page was hidden or shown. Hidden, the replica pulls every [`HIDDEN_PULL_EVERY_MS`];
    /// shown again, it pulls at once, so what changed meanwhile is on screen.
    pub fn set_hidden(&mut self, hidden: bool) {
        let was = std::mem::replace(&mut self.schedule.hidden, hidden);
        if was && !hidden {
            self.pull_soon();
        }
    }

    /// The last answer came from the server (or none has been awaited yet).
    pub fn online(&self) -> bool {
        self.schedule.online
    }

    /// Why the server refuses this member, while it does (`Unauthenticated` or `Forbidden`): the
    /// pending changes cannot be saved until someone signs in again or re-invites them. Requests
    /// keep going out at the longest backoff, so access coming back is noticed.
    pub fn denied(&self) -> Option<&ErrorBody> {
        self.schedule.denied.as_ref()
    }

    /// Why the server is holding this replica's requests back (`RateLimited`, `QuotaExceeded`),
    /// while it is: requests wait at least as long as it asked (`Retry-After`).
    pub fn held_back(&self) -> Option<&ErrorBody> {
        self.schedule.held_back.as_ref()
    }

    /// Why this build can no longer sync with the server, once the server said it speaks a newer
    /// schema version (`409 VersionNotSupported`) or the log held a mutation this build does not
    /// know: the app should reload into the new version. Pushes go on meanwhile (a server keeps
    /// accepting older clients' pushes), so pending changes are still saved.
    pub fn outdated(&self) -> Option<&ErrorBody> {
        self.schedule.outdated.as_ref()
    }

    /// A push or a pull is in flight.
    pub fn syncing(&self) -> bool {
        self.push_in_flight.is_some() || self.pull_in_flight.is_some()
    }

    fn take_push(
        &mut self,
        ticket: Ticket,
        result: std::result::Result<PushResponse, SyncFailure>,
        now: u64,
        jitter: f64,
    ) -> Result<Synced> {
        let mut wait_at_least = 0;
        let outcome = match result {
            Ok(response) => self.push_succeeded(ticket, &response),
            Err(failure) => {
                if self.push_in_flight == Some(ticket) {
                    self.schedule.online = !failure.is_network();
                    self.schedule.push_unanswered = failure.is_network();
                    wait_at_least = self.note_refusal(&failure);
                }
                self.push_failed(ticket, &failure)?
            }
        };
        let mut synced = Synced::default();
        match outcome {
            PushOutcome::Processed { .. } => {
                self.schedule.online = true;
                self.schedule.push_unanswered = false;
                self.schedule.denied = None;
                self.schedule.held_back = None;
                synced.pushed = true;
                self.pull_soon();
            }
            PushOutcome::Rebootstrapped => {
                synced.changed = true;
                self.pull_soon();
            }
            PushOutcome::Failed => {
                self.schedule.next_push_at =
                    now + delay(&self.push_backoff, jitter).max(wait_at_least);
            }
            PushOutcome::Stale => {}
        }
        Ok(synced)
    }

    fn take_pull(
        &mut self,
        ticket: Ticket,
        result: std::result::Result<PullResponse, SyncFailure>,
        now: u64,
        jitter: f64,
    ) -> Result<Synced> {
        let in_flight = self.pull_in_flight.map(|p| p.ticket) == Some(ticket);
        let mut wait_at_least = 0;
        let outcome = match result {
            Ok(response) => self.pull_succeeded(ticket, &response),
            Err(failure) => {
                if in_flight {
                    self.schedule.online = !failure.is_network();
                    wait_at_least = self.note_refusal(&failure);
                }
                self.pull_failed(ticket, &failure)
            }
        };
        if !in_flight {
            return Ok(Synced::default());
        }
        let below = std::mem::take(&mut self.schedule.pull_again_below);
        let pull_again =
            std::mem::take(&mut self.schedule.pull_again) || self.meta.cookie.unwrap_or(0) < below;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                self.schedule.next_pull_at = now + delay(&self.pull_backoff, jitter);
                return Err(err);
            }
        };
        self.schedule.next_pull_at = if self.pull_backoff.failures() > 0 {
            now + delay(&self.pull_backoff, jitter).max(wait_at_least)
        } else {
            self.schedule.online = true;
            self.schedule.denied = None;
            self.schedule.held_back = None;
            // The server answers again: a push that found no one retries now.
            if std::mem::take(&mut self.schedule.push_unanswered) {
                self.schedule.next_push_at = self.schedule.next_push_at.min(now);
            }
            if outcome.has_more || pull_again {
                now
            } else if self.schedule.live {
                NEVER
            } else if self.schedule.hidden {
                now + HIDDEN_PULL_EVERY_MS
            } else {
                now + PULL_EVERY_MS
            }
        };
        Ok(Synced {
            changed: !outcome.changed.is_empty(),
            rejected: outcome.rejected,
            pushed: false,
        })
    }
}

impl Replica {
    /// Remembers a refusal of who is asking, or a request held back; any other failure leaves the
    /// last word as it was. Returns how long the server asked to wait, in milliseconds (0 if it
    /// did not).
    fn note_refusal(&mut self, failure: &SyncFailure) -> u64 {
        if let Some(body) = failure.denial() {
            self.schedule.denied = Some(body.clone());
        }
        if let Some(body) = failure.outdated() {
            self.schedule.outdated = Some(body.clone());
        }
        match failure.held_back() {
            Some((body, wait)) => {
                self.schedule.held_back = Some(body.clone());
                wait
            }
            None => 0,
        }
    }
}

fn delay(backoff: &Backoff, jitter: f64) -> u64 {
    backoff.delay(jitter).as_millis() as u64
}
