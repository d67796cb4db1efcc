//! The session cookie on the wire: read from `Cookie`, written as `Set-Cookie`. HttpOnly and
//! SameSite=Lax always; over https it is `__Host-`-prefixed and `Secure`. The value is
//! `shared::session`'s signed member id and expiry, under the `SESSION_KEY` secret.

use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use shared::session::{COOKIE, LIFETIME_MS, MIN_KEY_BYTES, SECURE_COOKIE, Session, SessionError};
use worker::{Env, Request, Response};

use super::now;
use crate::error::ApiError;

/// The secret that signs sessions: `npx wrangler secret put SESSION_KEY` (`.dev.vars` locally).
const KEY: &str = "SESSION_KEY";

fn key(env: &Env) -> Result<Vec<u8>, ApiError> {
    let key = env
        .secret(KEY)
        .map_err(|_| {
            ApiError::internal(
                "signing sessions",
                "SESSION_KEY is not set: `npx wrangler secret put SESSION_KEY`",
            )
        })?
        .to_string();
    if key.len() < MIN_KEY_BYTES {
        return Err(ApiError::internal(
            "signing sessions",
            format!("SESSION_KEY must be at least {MIN_KEY_BYTES} bytes"),
        ));
    }
    Ok(key.into_bytes())
}

/// The request's session: `None` without a session cookie, `Some(Err)` for one that does not check
/// out (tampered, signed under another key, expired).
pub fn read(req: &Request, env: &Env) -> Result<Option<Result<Session, SessionError>>, ApiError> {
    let header = req.headers().get("Cookie")?.unwrap_or_default();
    let Some(value) = Cookie::split_parse(header.as_str())
        .flatten()
        .find(|cookie| cookie.name() == SECURE_COOKIE || cookie.name() == COOKIE)
        .map(|cookie| cookie.value().to_owned())
    else {
        return Ok(None);
    };
    Ok(Some(Session::verify(&value, &key(env)?, now())))
}

/// A valid session, or none: for the routes that sign people in, where a stale cookie is no error.
pub fn valid(req: &Request, env: &Env) -> Result<Option<Session>, ApiError> {
    Ok(read(req, env)?.and_then(Result::ok))
}

/// Sets a new session for `member_id` on `response`.
pub fn start(
    req: &Request,
    env: &Env,
    response: &mut Response,
    member_id: uuid::Uuid,
) -> Result<(), ApiError> {
    let session = Session::starting(member_id, now());
    let secure = req.inner().url().starts_with("https:");
    let cookie = Cookie::build((
        if secure { SECURE_COOKIE } else { COOKIE },
        session.sign(&key(env)?),
    ))
    .path("/")
    .http_only(true)
    .same_site(SameSite::Lax)
    .secure(secure)
    .max_age(Duration::milliseconds(LIFETIME_MS as i64))
    .build();
    response
        .headers_mut()
        .append("Set-Cookie", &cookie.to_string())?;
    Ok(())
}
