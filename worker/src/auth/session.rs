//! The session cookie on the wire: read from `Cookie`, written as `Set-Cookie`. HttpOnly and
//! SameSite=Lax always; over https it is `__Host-`-prefixed and `Secure`, and only that name is read
//! there: a plain `tracker_session` can be planted by a sibling subdomain or over plain http, and
//! taking it would let the planter's session stand in for the victim's (session fixation). The
//! value is `shared::session`'s signed session, under the `SESSION_KEY` secret; each sign-in is a
//! row of the `session` table, which every request's own batch checks (`shared::server`).

use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use shared::Statement;
use shared::session::{COOKIE, LIFETIME_MS, MIN_KEY_BYTES, SECURE_COOKIE, Session, SessionError};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use super::now;
use crate::d1;
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
/// Its row is not read here.
pub fn valid(req: &Request, env: &Env) -> Result<Option<Session>, ApiError> {
    Ok(read(req, env)?.and_then(Result::ok))
}

/// How a session signed in (the `session.method` column, shown in the list of devices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    Setup,
    Invite,
    /// A sign-in link made on another of the member's devices.
    Device,
    Passkey,
    /// A cookie of the first format, traded for a session.
    Upgraded,
}

impl SignInMethod {
    fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Setup => "setup",
            SignInMethod::Invite => "invite",
            SignInMethod::Device => "device",
            SignInMethod::Passkey => "passkey",
            SignInMethod::Upgraded => "upgraded",
        }
    }
}

const INSERT_SESSION: &str = "INSERT INTO session (id, member_id, started_at, seen_at, \
     user_agent, method) VALUES (?1, ?2, ?3, ?3, ?4, ?5)";

/// This browser's session, if its cookie names one: a sign-in replaces it (one browser, one session).
const DELETE_REPLACED: &str = "DELETE FROM session WHERE id = ?1 AND member_id = ?2";

/// Signs `member_id` in on this browser: a new session row, and its cookie on `response`. Whatever
/// session the browser held is deleted in the same batch: a sign-in replaces it, so the devices list
/// never shows a browser twice.
pub async fn start(
    req: &Request,
    env: &Env,
    db: &D1Database,
    response: &mut Response,
    member_id: Uuid,
    method: SignInMethod,
) -> Result<Session, ApiError> {
    let session = Session::starting(Uuid::new_v4(), member_id, now());
    let user_agent = req.headers().get("User-Agent")?.unwrap_or_default();
    let mut statements = vec![Statement::new(
        INSERT_SESSION,
        vec![
            session.id.to_string().into(),
            member_id.to_string().into(),
            session.started_at.into(),
            shared::account::kept_user_agent(&user_agent).into(),
            method.as_str().into(),
        ],
    )];
    if let Some(replaced) = valid(req, env)? {
        statements.push(Statement::new(
            DELETE_REPLACED,
            vec![
                replaced.id.to_string().into(),
                replaced.member_id.to_string().into(),
            ],
        ));
    }
    d1::run(db, &statements).await?;
    set_cookie(req, env, response, &session)?;
    Ok(session)
}

/// Puts `session`'s cookie on `response`: a new sign-in, or a renewal.
pub fn set_cookie(
    req: &Request,
    env: &Env,
    response: &mut Response,
    session: &Session,
) -> Result<(), ApiError> {
    // Whole seconds, rounded up: a new session's cookie says exactly its 30 days.
    let lifetime = session.expires_at.saturating_sub(now()).div_ceil(1000) * 1000;
    let cookie = Cookie::build((cookie_name(req), session.sign(&key(env)?)))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(req))
        .max_age(Duration::milliseconds(lifetime.min(LIFETIME_MS) as i64))
        .build();
    response
        .headers_mut()
        .append("Set-Cookie", &cookie.to_string())?;
    Ok(())
}

/// Tells the browser to drop its session cookie (signed out).
pub fn clear_cookie(req: &Request, response: &mut Response) -> Result<(), ApiError> {
    let cookie = Cookie::build((cookie_name(req), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(req))
        .max_age(Duration::ZERO)
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
