//! How long to wait before retrying a failed push or pull: doubling from half a second to 30 seconds,
//! with jitter supplied by the caller (the replica itself makes nothing random).

use std::time::Duration;

const FIRST: Duration = Duration::from_millis(500);
const MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The wait before the next attempt; `jitter` in `0.0..=1.0` spreads clients out by up to half.
    pub fn delay(&self, jitter: f64) -> Duration {
        if self.failures == 0 {
            return Duration::ZERO;
        }
        let doubled = FIRST.saturating_mul(1 << self.failures.min(16).saturating_sub(1));
        let capped = doubled.min(MAX);
        capped.mul_f64(1.0 - 0.5 * jitter.clamp(0.0, 1.0))
    }
}
