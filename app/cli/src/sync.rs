//! One sync, start to end, on the replica's own loop ([`Replica::due`], [`Replica::take`]): push what
//! is pending (100 mutations a request), pull until the server has nothing more, and stop. A CLI
//! command is not a tab left open: when the server cannot be reached it stops at once, the pending
//! queue kept on disk for the next command that can reach it. When the server holds requests back
//! (`429`), it waits as long as asked, as the browser does; a spent daily budget stops it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::ProgressBar;
use shared::ErrorCode;
use shared::protocol::{LogEntry, RejectedMutation};
use shared::replica::{Answer, Replica, Request, SyncFailure};

use crate::client::Client;
use crate::error::{CliError, Code, Result};

/// How many failed requests in a row (server errors) a sync tries before it gives up.
const MAX_FAILURES: u32 = 4;
/// The longest a sync waits for an answer that comes through (a `Retry-After`, a backoff) before it
/// gives up.
const MAX_WAIT_MS: u64 = 120_000;

/// What a sync did.
#[derive(Debug, Default)]
pub struct Synced {
    /// Local changes the server processed.
    pub pushed: u64,
    /// The log entries pulled (snapshot pages are not entries), in order: what `watch` prints.
    pub entries: Vec<LogEntry>,
    /// Local changes the server refused: their effects are gone from the replica.
    pub rejected: Vec<RejectedMutation>,
}

/// Why a sync stopped before it was done; the pending queue is kept either way.
#[derive(Debug)]
pub struct Stopped {
    pub error: CliError,
    pub synced: Synced,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

fn jitter() -> f64 {
    (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0
}

/// Pushes everything pending and pulls until the server has nothing more. `progress`, when given,
/// counts the pending mutations acknowledged.
pub fn sync(
    replica: &mut Replica,
    client: &Client,
    progress: Option<&ProgressBar>,
) -> std::result::Result<Synced, Stopped> {
    let mut synced = Synced::default();
    match run(replica, client, progress, &mut synced) {
        Ok(()) => Ok(synced),
        Err(error) => Err(Stopped { error, synced }),
    }
}

fn run(
    replica: &mut Replica,
    client: &Client,
    progress: Option<&ProgressBar>,
    synced: &mut Synced,
) -> Result<()> {
    let pending_at_start = replica.pending_count()?;
    let mut pulled = false;
    let mut tally = Tally::default();
    replica.push_soon();
    replica.pull_soon();
    loop {
        let requests = replica.due(now())?;
        if requests.is_empty() {
            if pulled && replica.pending_count()? == 0 {
                return Ok(());
            }
            tally.wait_or_stop()?;
            continue;
        }
        for request in requests {
            let answer = match request {
                Request::Push(ticket, body) => {
                    let result = client.push(&body);
                    if result.is_ok() {
                        synced.pushed += body.mutations.len() as u64;
                    }
                    tally.answered(&result);
                    Answer::Pushed(ticket, result)
                }
                Request::Pull(ticket, body) => {
                    let result = client.pull(&body);
                    if let Ok(response) = &result {
                        synced.entries.extend(response.mutations.iter().cloned());
                        pulled = !response.has_more;
                    }
                    tally.answered(&result);
                    Answer::Pulled(ticket, result)
                }
            };
            let outcome = replica.take(answer, now(), jitter())?;
            synced.rejected.extend(outcome.rejected);
            if let Some(bar) = progress {
                let left = replica.pending_count()?;
                bar.set_position(pending_at_start.saturating_sub(left));
            }
        }
        if let Some(error) = tally.stop.take() {
            return Err(error);
        }
    }
}

/// What the answers so far say about going on.
#[derive(Default)]
struct Tally {
    /// An answer that ends the sync ([`stops`]).
    stop: Option<CliError>,
    /// Failed requests in a row the server did not ask to be retried later (5xx, unreadable).
    failures: u32,
    last_failure: Option<SyncFailure>,
    /// How long this sync has waited on the replica's timers since the last answer that came
    /// through, in milliseconds.
    waited_ms: u64,
}

impl Tally {
    fn answered<T>(&mut self, result: &std::result::Result<T, SyncFailure>) {
        match result {
            Ok(_) => {
                self.failures = 0;
                self.waited_ms = 0;
            }
            Err(failure) => {
                self.stop = self.stop.take().or_else(|| stops(failure));
                self.failures += u32::from(failure.held_back().is_none());
                self.last_failure = Some(failure.clone());
            }
        }
    }

    /// Nothing is due: the last request failed or was held back, and the replica waits to retry.
    /// Waits with it, up to a point.
    fn wait_or_stop(&mut self) -> Result<()> {
        if self.failures >= MAX_FAILURES {
            let why = self
                .last_failure
                .as_ref()
                .map(|failure| crate::client::failure_to_error(failure, "the last").message)
                .unwrap_or_default();
            return Err(CliError::failed(format!(
                "the server failed {} requests in a row ({why}); local changes are kept, try \
                 `tracker sync` later",
                self.failures
            )));
        }
        if self.waited_ms > MAX_WAIT_MS {
            return Err(CliError::new(
                Code::HeldBack,
                "the server kept holding requests back; local changes are kept, try \
                 `tracker sync` later",
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
        self.waited_ms += 100;
        Ok(())
    }
}

/// Whether a failed request ends the sync: the server is unreachable, refuses the token, speaks a
/// newer version, or the day's budget is spent. Anything else (a `429 RateLimited`, a `5xx`) is the
/// replica's to retry on its timers. Judged per answer: a later successful pull clears the replica's
/// own record of it.
fn stops(failure: &SyncFailure) -> Option<CliError> {
    if failure.is_network() {
        return Some(CliError::new(
            Code::Offline,
            "the server could not be reached; local changes are kept and go with the next command \
             that reaches it (or `tracker sync`)",
        ));
    }
    if let Some(body) = failure.denial() {
        return Some(CliError::new(
            Code::NotSignedIn,
            format!(
                "the server refused the token: {} Make a new token and run `tracker login` again; \
                 local changes wait until then",
                body.message
            ),
        ));
    }
    if let Some(body) = failure.outdated() {
        return Some(CliError::failed(format!(
            "this build of the CLI is older than the server ({}): update it",
            body.message
        )));
    }
    match failure.held_back() {
        Some((body, _)) if body.error == ErrorCode::QuotaExceeded => Some(CliError::new(
            Code::HeldBack,
            format!(
                "{} Local changes are kept; `tracker sync` sends them once there is budget (the \
                 workspace's owner can give more for today: `tracker budget`).",
                body.message
            ),
        )),
        _ => None,
    }
}
