//! Compaction: the log stays bounded. A scheduled job (worker/src/compaction.rs, on a Cron Trigger)
//! deletes the entries logged before the retention window, oldest first, and raises each workspace's
//! horizon to the highest of its entries deleted, in the same batch: a cookie below a horizon is never
//! answered with the log (it would miss what was deleted) but with a snapshot. It also forgets clients
//! that have not pushed for a longer window (their next push is `ClientStateNotFound`, and they start
//! again under a new id), and daily usage counts from before yesterday.
//!
//! Each step is one D1 call, and a run stops at its budget of calls ([`Budget`]), well inside the
//! platform's 50 a invocation (Free plan); the next run goes on where it stopped.
//!
//! Entries of a deployment from before workspaces that no workspace has taken yet (`workspace_id`
//! `''`) are kept: they have no horizon to raise.

use crate::server::DAY_MS;
use crate::statement::{SqlValue, Statement};

/// How long an entry stays in the log, by default.
pub const DEFAULT_RETENTION_DAYS: f64 = 30.0;
/// How long a client that does not push is remembered, by default. Longer than the log: forgetting a
/// client is the one step that can cost it something (its queue renumbered under a new id, so a push
/// whose answer it never got would apply twice), so it waits for clients gone for good.
pub const DEFAULT_CLIENT_RETENTION_DAYS: f64 = 90.0;
/// D1 calls a run may make, by default (the Free plan allows 50 an invocation).
pub const DEFAULT_MAX_CALLS: u32 = 40;
/// Entries one call deletes at most, by default. Each is a row and three index entries written, so a
/// run (39 batches at most) writes at most about 39,000 rows: well inside a Free plan's 100,000 a
/// day, beside the team's own work.
pub const DEFAULT_BATCH_ENTRIES: u64 = 250;

/// The highest id of the oldest `?2` entries (of workspaces) such that it and every entry before it
/// were logged before `?1`: the prefix of the log that is due.
macro_rules! cut {
    () => {
        "(SELECT COALESCE((SELECT MIN(id) - 1 FROM oldest WHERE logged_at >= ?1), \
          (SELECT MAX(id) FROM oldest), 0))"
    };
}
macro_rules! oldest {
    () => {
        "WITH oldest AS (SELECT id, logged_at FROM mutation_log WHERE workspace_id <> '' \
         ORDER BY id LIMIT ?2) "
    };
}

/// `?1` cutoff, `?2` entries: raises the horizon of every workspace with entries in the due prefix to
/// the highest of them. Runs before the delete, in the same batch.
const RAISE_HORIZONS: &str = concat!(
    oldest!(),
    "UPDATE workspace SET horizon = MAX(horizon, (SELECT MAX(l.id) FROM mutation_log l \
     WHERE l.workspace_id = workspace.id AND l.id <= ",
    cut!(),
    ")) WHERE id IN (SELECT workspace_id FROM mutation_log WHERE workspace_id <> '' AND id <= ",
    cut!(),
    ")"
);
/// `?1` cutoff, `?2` entries: deletes the due prefix (the same one: the log has not changed in between).
const DELETE_ENTRIES: &str = concat!(
    oldest!(),
    "DELETE FROM mutation_log WHERE workspace_id <> '' AND id <= ",
    cut!()
);
/// `?1` cutoff, `?2` issues: the trashed issues due, oldest first (the same ones for each statement of
/// [`PURGE_TRASH`]: nothing else runs in between).
macro_rules! trashed_due {
    () => {
        "(SELECT id FROM issue WHERE deleted_at < ?1 ORDER BY deleted_at, id LIMIT ?2)"
    };
}
/// The client id compaction's own log entries carry: not a UUID, so no client's can ever be it.
pub const COMPACTION_CLIENT: &str = "compaction";
/// `?1` cutoff, `?2` issues, `?3` now: logs, for each trashed issue due, a `deleteIssue {id}` (for
/// good), as the member who trashed it, from [`COMPACTION_CLIENT`] (its mutation ids follow its
/// newest still in the log). Every replica applies it as any entry, so the issue leaves them as it
/// leaves D1, and one that takes a snapshot later gets the rows without it. Before
/// [`PURGE_TRASH`], in the same batch.
const LOG_PURGE: &str = concat!(
    "INSERT INTO mutation_log (client_id, mutation_id, name, args, workspace_id, member_id, \
     logged_at) SELECT 'compaction', (SELECT COALESCE(MAX(mutation_id), 0) FROM mutation_log \
     WHERE client_id = 'compaction') + ROW_NUMBER() OVER (ORDER BY deleted_at, id), 'deleteIssue', \
     json_object('id', id), workspace_id, COALESCE(deleted_by, created_by, ''), ?3 \
     FROM issue WHERE workspace_id <> '' AND id IN ",
    trashed_due!()
);
/// Removes issues that went to the trash before the cutoff, for good: their comments, label links and
/// history, then the issues. A replica drops them from its trash view by the same window
/// ([`TRASH_RETENTION_MS`]), and from its rows by the entries [`LOG_PURGE`] logs.
const PURGE_TRASH: [&str; 8] = [
    concat!("DELETE FROM mention WHERE issue_id IN ", trashed_due!()),
    concat!("DELETE FROM reaction WHERE issue_id IN ", trashed_due!()),
    concat!(
        "DELETE FROM subscription WHERE issue_id IN ",
        trashed_due!()
    ),
    concat!("DELETE FROM inbox_read WHERE issue_id IN ", trashed_due!()),
    concat!("DELETE FROM comment WHERE issue_id IN ", trashed_due!()),
    concat!("DELETE FROM issue_label WHERE issue_id IN ", trashed_due!()),
    concat!("DELETE FROM issue_event WHERE issue_id IN ", trashed_due!()),
    concat!("DELETE FROM issue WHERE id IN ", trashed_due!()),
];
/// How long a deleted issue stays in the trash, restorable: the log's default retention, so that the
/// same daily run removes both.
pub const TRASH_RETENTION_MS: u64 = DEFAULT_RETENTION_DAYS as u64 * DAY_MS;
/// `?1` the clients' cutoff, `?2` clients: forgets clients that have not pushed since then.
const DELETE_CLIENTS: &str = "DELETE FROM client WHERE id IN \
     (SELECT id FROM client WHERE seen_at < ?1 LIMIT ?2)";
/// `?1` the oldest sign-in that still stands: sessions past their absolute lifetime.
const DELETE_OLD_SESSIONS: &str = "DELETE FROM session WHERE started_at < ?1";
/// `?1` now: sign-in links and passkey challenges past their expiry.
const DELETE_EXPIRED_SIGN_INS: [&str; 2] = [
    "DELETE FROM device_link WHERE expires_at <= ?1",
    "DELETE FROM passkey_challenge WHERE expires_at <= ?1",
];
/// `?1` the UTC day before yesterday: usage counts older than it no longer limit anyone.
const DELETE_USAGE: &str = "DELETE FROM member_usage WHERE day < ?1";
/// Right after [`DELETE_CLIENTS`], in the same batch: `changes()` counts the clients it deleted.
const RECORD_RUN: &str = "INSERT INTO compaction_run (ran_at, cutoff, deleted_through, \
     entries_deleted, clients_deleted, d1_calls, finished) VALUES (?1, ?2, \
     COALESCE((SELECT MAX(horizon) FROM workspace), 0), ?3, changes(), ?4, ?5)";
const PRUNE_RUNS: &str = "DELETE FROM compaction_run WHERE ran_at < ?1";
/// The newest run first: what an operator (and the tests) read.
pub const SELECT_RUNS: &str = "SELECT ran_at, cutoff, deleted_through, entries_deleted, \
     clients_deleted, d1_calls, finished FROM compaction_run ORDER BY id DESC";

/// A run's settings: the deployment's vars, or the defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub retention_days: f64,
    pub client_retention_days: f64,
    pub max_calls: u32,
    pub batch_entries: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retention_days: DEFAULT_RETENTION_DAYS,
            client_retention_days: DEFAULT_CLIENT_RETENTION_DAYS,
            max_calls: DEFAULT_MAX_CALLS,
            batch_entries: DEFAULT_BATCH_ENTRIES,
        }
    }
}

impl Settings {
    /// Reads the vars `LOG_RETENTION_DAYS` and `CLIENT_RETENTION_DAYS` (non-negative numbers;
    /// fractions allowed), `COMPACTION_MAX_CALLS` (at least 2) and `COMPACTION_BATCH` (1 to
    /// 100,000); a var that is unset keeps its default, one that does not parse is an error naming
    /// it.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let days = |name: &str, default: f64| -> Result<f64, String> {
            let Some(value) = var(name) else {
                return Ok(default);
            };
            value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite() && *d >= 0.0)
                .ok_or_else(|| format!("{name} must be a number of days, 0 or more: {value:?}"))
        };
        let mut settings = Settings {
            retention_days: days("LOG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)?,
            client_retention_days: days("CLIENT_RETENTION_DAYS", DEFAULT_CLIENT_RETENTION_DAYS)?,
            ..Settings::default()
        };
        if let Some(calls) = var("COMPACTION_MAX_CALLS") {
            settings.max_calls = calls
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|c| *c >= 2)
                .ok_or_else(|| format!("COMPACTION_MAX_CALLS must be 2 or more: {calls:?}"))?;
        }
        if let Some(batch) = var("COMPACTION_BATCH") {
            settings.batch_entries = batch
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|b| (1..=100_000).contains(b))
                .ok_or_else(|| format!("COMPACTION_BATCH must be 1 to 100000: {batch:?}"))?;
        }
        Ok(settings)
    }

    /// Entries logged before this (epoch milliseconds) are due at `now`.
    pub fn cutoff(&self, now: u64) -> u64 {
        now.saturating_sub((self.retention_days * DAY_MS as f64) as u64)
    }

    /// Clients that have not pushed since this are forgotten at `now`.
    pub fn client_cutoff(&self, now: u64) -> u64 {
        now.saturating_sub((self.client_retention_days * DAY_MS as f64) as u64)
    }
}

/// One step of a run: delete the next batch of due entries, raising horizons first. One D1 call;
/// the second statement's changes are the entries deleted (fewer than the batch: nothing due is
/// left).
pub fn entries_step(settings: &Settings, cutoff: u64) -> Vec<Statement> {
    let params = || vec![SqlValue::from(cutoff), settings.batch_entries.into()];
    vec![
        Statement::new(RAISE_HORIZONS, params()),
        Statement::new(DELETE_ENTRIES, params()),
    ]
}

/// What a run did, recorded by its last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub entries_deleted: u64,
    pub d1_calls: u32,
    pub finished: bool,
}

/// The last step of a run, one D1 call: drop old usage counts and run records, remove what has been in
/// the trash since before the cutoff (at most a batch of issues), forget unused clients
/// (at most a batch), and record this run (`outcome.d1_calls` should count this call; the clients
/// deleted are counted by the database, `changes()` of the statement before).
pub fn closing_step(
    settings: &Settings,
    now: u64,
    cutoff: u64,
    outcome: &Outcome,
) -> Vec<Statement> {
    let day_before_yesterday = (now / DAY_MS).saturating_sub(2);
    // Runs of the retention window, and of the last day at least.
    let runs_kept_since = cutoff.min(now.saturating_sub(DAY_MS));
    let mut statements = vec![
        Statement::new(DELETE_USAGE, vec![day_before_yesterday.into()]),
        Statement::new(PRUNE_RUNS, vec![runs_kept_since.into()]),
    ];
    statements.push(Statement::new(
        LOG_PURGE,
        vec![cutoff.into(), settings.batch_entries.into(), now.into()],
    ));
    statements.extend(
        PURGE_TRASH
            .map(|sql| Statement::new(sql, vec![cutoff.into(), settings.batch_entries.into()])),
    );
    let oldest_session = now.saturating_sub(crate::account::SESSION_MAX_AGE_MS);
    statements.push(Statement::new(
        DELETE_OLD_SESSIONS,
        vec![oldest_session.into()],
    ));
    statements.extend(DELETE_EXPIRED_SIGN_INS.map(|sql| Statement::new(sql, vec![now.into()])));
    statements.extend([
        Statement::new(
            DELETE_CLIENTS,
            vec![
                settings.client_cutoff(now).into(),
                settings.batch_entries.into(),
            ],
        ),
        Statement::new(
            RECORD_RUN,
            vec![
                now.into(),
                cutoff.into(),
                outcome.entries_deleted.into(),
                u64::from(outcome.d1_calls).into(),
                u64::from(outcome.finished).into(),
            ],
        ),
    ]);
    statements
}

/// The D1 calls a run has left: every step takes one, and the closing step is always kept for.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    left: u32,
    pub used: u32,
}

impl Budget {
    pub fn new(settings: &Settings) -> Budget {
        Budget {
            left: settings.max_calls,
            used: 0,
        }
    }

    /// Takes a call for an entries step, unless only the closing step's is left.
    pub fn take_step(&mut self) -> bool {
        if self.left > 1 {
            self.left -= 1;
            self.used += 1;
            true
        } else {
            false
        }
    }

    /// Takes the closing step's call.
    pub fn take_closing(&mut self) {
        self.left = self.left.saturating_sub(1);
        self.used += 1;
    }
}
