//! What one caller may spend. Requests: per member (or, before anyone is signed in, per address)
//! through the Workers Rate Limiting binding, `429 RateLimited` past it. Changes: applied mutations
//! per member per UTC day, counted in D1 by the push's own batch (`shared::server::count_usage`),
//! `429 QuotaExceeded` past the deployment's budget. Both answers say when to retry
//! (`Retry-After`). The limits and why: docs/security.md, "Limits".

use shared::{ErrorCode, ProtocolError};
use uuid::Uuid;
use worker::{Env, Request};

use crate::error::ApiError;

/// The binding that counts a signed-in member's requests (wrangler.toml).
const MEMBER_REQUESTS: &str = "MEMBER_REQUESTS";
/// The binding that counts requests no one is signed in for yet, by address.
const ADDRESS_REQUESTS: &str = "ADDRESS_REQUESTS";
/// The bindings' period, in seconds: what `Retry-After` says.
pub const WINDOW_SECONDS: u64 = 10;
/// `RATE_LIMITS=off` turns both limits off (the integration tests' servers, which push as fast as
/// they can as one member); anything else, or nothing, leaves them on.
const SWITCH: &str = "RATE_LIMITS";
/// The daily budget of applied mutations per member, when `MEMBER_DAILY_MUTATIONS` does not say.
pub const DEFAULT_DAILY_MUTATIONS: u64 = 2_000;
const DAILY_MUTATIONS: &str = "MEMBER_DAILY_MUTATIONS";

fn on(env: &Env) -> bool {
    env.var(SWITCH)
        .map_or(true, |value| value.to_string() != "off")
}

/// Counts one request of `member`'s.
pub async fn member(env: &Env, member: Uuid) -> Result<(), ApiError> {
    limit(env, MEMBER_REQUESTS, format!("member:{member}")).await
}

/// Counts one request from the caller's address, for routes before anyone is signed in (setup,
/// invites, and an API token's lookup).
pub async fn address(env: &Env, req: &Request) -> Result<(), ApiError> {
    let address = req
        .headers()
        .get("CF-Connecting-IP")?
        .unwrap_or_else(|| "unknown".to_owned());
    limit(env, ADDRESS_REQUESTS, format!("address:{address}")).await
}

async fn limit(env: &Env, binding: &str, key: String) -> Result<(), ApiError> {
    if !on(env) {
        return Ok(());
    }
    let limiter = env
        .rate_limiter(binding)
        .map_err(|err| ApiError::internal("the rate limit binding", err))?;
    let outcome = limiter
        .limit(key)
        .await
        .map_err(|err| ApiError::internal("a rate limit", err))?;
    if outcome.success {
        Ok(())
    } else {
        Err(ProtocolError::new(
            ErrorCode::RateLimited,
            format!("too many requests just now; try again in {WINDOW_SECONDS} seconds"),
        )
        .into())
    }
}

/// The most mutations a member may have applied in one UTC day.
pub fn daily_mutations(env: &Env) -> u64 {
    if !on(env) {
        return shared::protocol::MAX_SAFE_INTEGER;
    }
    env.var(DAILY_MUTATIONS)
        .ok()
        .and_then(|value| value.to_string().trim().parse().ok())
        .unwrap_or(DEFAULT_DAILY_MUTATIONS)
}

/// `Retry-After` for an answer with `code`, in seconds: the binding's window, or until the next UTC
/// day.
pub fn retry_after(code: ErrorCode, now: u64) -> Option<u64> {
    match code {
        ErrorCode::RateLimited => Some(WINDOW_SECONDS),
        ErrorCode::QuotaExceeded => {
            let day = shared::server::DAY_MS;
            Some((day - now % day).div_ceil(1000))
        }
        _ => None,
    }
}
