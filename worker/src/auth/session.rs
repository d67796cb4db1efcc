//! The session cookie on the wire: read from `Cookie`, written as `Set-Cookie`. HttpOnly and
//! SameSite=Lax always; over https it is `__Host-`-prefixed and `Secure`, and only that name is read
//! there: a plain `tracker_session` can be planted by a sibling subdomain or over plain http, and
//! taking it would let the planter's session stand in for the victim's (session fixation). The
//! value is `shared::session`'s signed member id and expiry, under the `SESSION_KEY` secret.

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
    let name = cookie_name(req);
    let header = req.headers().get("Cookie")?.unwrap_or_default();
    let Some(value) = Cookie::split_parse(header.as_str())
        .flatten()
        .find(|cookie| cookie.name() == name)
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
    let secure = is_https(req);
    let cookie = Cookie::build((cookie_name(req), session.sign(&key(env)?)))
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

/// Whether the request came over https (a deployment; `wrangler dev --local-protocol https`). The raw
/// URL, not `req.url()`: parsing it would link the url crate's IDNA tables (~180 KB).
pub fn is_https(req: &Request) -> bool {
    req.inner().url().starts_with("https:")
}

/// The one session cookie name this request may carry: `__Host-tracker_session` over https,
/// `tracker_session` over plain http (where browsers refuse `__Host-` cookies).
fn cookie_name(req: &Request) -> &'static str {
    if is_https(req) { SECURE_COOKIE } else { COOKIE }
}
