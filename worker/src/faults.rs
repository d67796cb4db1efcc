//! Faults on purpose, for the tests only: `POST /api/test/faults` (served only when the tests'
//! `wrangler dev` sets `TRACKER_TEST_ROUTES=1`, which no deployment does) sets, for this isolate,
//! how often D1 fails and how late it answers:
//!
//! - `d1Before`: the fraction of D1 calls (batches and reads) that fail before they run;
//! - `d1After`: the fraction of write batches that fail *after* they committed: the worker answers
//!   `500` for a change that stands, and the client, not knowing, sends it again (the hard case);
//! - `delayMs`: each D1 call first waits a random time up to this;
//! - `socketDrop`: the fraction of live sockets the workspace's Durable Object closes (`1012`, as a
//!   restart does) where it would have poked them: the poke is lost with the socket.
//!
//! `{}` turns them off. Each injected fault is logged (`fault: …`), so a run can count them.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use shared::ProtocolError;
use worker::{Request, Response};

use crate::body;
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    #[serde(default)]
    pub d1_before: f64,
    #[serde(default)]
    pub d1_after: f64,
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub socket_drop: f64,
}

thread_local! {
    static FAULTS: Cell<Faults> = Cell::new(Faults::default());
}

/// `POST /api/test/faults`: sets them; answers what is set.
pub async fn set(req: &mut Request) -> Result<Response, ApiError> {
    let faults: Faults = shared::api::parse(&body::read(req).await?)?;
    let fraction = |p: f64| (0.0..=1.0).contains(&p);
    let fractions = [faults.d1_before, faults.d1_after, faults.socket_drop];
    if !fractions.into_iter().all(fraction) || faults.delay_ms > 10_000 {
        return Err(ProtocolError::invalid_request(
            "d1Before, d1After and socketDrop are fractions from 0 to 1; delayMs is at most 10000",
        )
        .into());
    }
    FAULTS.with(|cell| cell.set(faults));
    worker::console_log!("fault settings: {faults:?}");
    Ok(Response::from_json(&faults)?)
}

/// Before a D1 call: waits, or fails, as set.
pub async fn before_call() -> worker::Result<()> {
    let faults = FAULTS.with(Cell::get);
    if faults.delay_ms > 0 {
        let wait = (random() * faults.delay_ms as f64) as u64;
        worker::Delay::from(std::time::Duration::from_millis(wait)).await;
    }
    if faults.d1_before > 0.0 && random() < faults.d1_before {
        worker::console_log!("fault: D1 failed before the call");
        return Err(worker::Error::RustError(
            "a fault injected before the D1 call".into(),
        ));
    }
    Ok(())
}

/// After a write batch committed: fails, as set.
pub fn after_commit() -> worker::Result<()> {
    let faults = FAULTS.with(Cell::get);
    if faults.d1_after > 0.0 && random() < faults.d1_after {
        worker::console_log!("fault: D1 failed after the batch committed");
        return Err(worker::Error::RustError(
            "a fault injected after the D1 batch committed".into(),
        ));
    }
    Ok(())
}

/// Whether to drop a socket the live channel would poke now.
pub fn drop_socket() -> bool {
    let faults = FAULTS.with(Cell::get);
    let drop = faults.socket_drop > 0.0 && random() < faults.socket_drop;
    if drop {
        worker::console_log!("fault: a live socket dropped");
    }
    drop
}

/// A number in `0.0..1.0`.
fn random() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 1.0;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}
