//! The scheduled job (`[triggers] crons` in wrangler.toml): compaction ([`shared::compaction`]).
//! Deletes the log entries older than the retention window, oldest first, raising each workspace's
//! horizon in the same batch, then forgets unused clients and records the run. At most
//! `COMPACTION_MAX_CALLS` D1 calls a run; what is left waits for the next.

use shared::compaction::{Budget, Outcome, Settings, closing_step, entries_step};
use worker::Env;

use crate::d1;
use crate::error::ApiError;

pub async fn run(env: &Env) -> Result<Outcome, ApiError> {
    let settings = Settings::from_vars(|name| env.var(name).ok().map(|value| value.to_string()))
        .map_err(|reason| ApiError::internal("the compaction settings", reason))?;
    let db = env.d1(d1::BINDING)?;
    let now = crate::auth::now();
    let cutoff = settings.cutoff(now);
    let mut budget = Budget::new(&settings);
    let mut outcome = Outcome::default();
    while budget.take_step() {
        let changes = d1::changes_in_batch(&db, &entries_step(&settings, cutoff)).await?;
        let deleted = changes.last().copied().unwrap_or(0) as u64;
        outcome.entries_deleted += deleted;
        if deleted < settings.batch_entries {
            outcome.finished = true;
            break;
        }
    }
    budget.take_closing();
    outcome.d1_calls = budget.used;
    d1::changes_in_batch(&db, &closing_step(&settings, now, cutoff, &outcome)).await?;
    Ok(outcome)
}
