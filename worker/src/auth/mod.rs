//! Who is asking. Every `/api/*` route but setup and the invite pages has a caller: a member signed in
//! by the session cookie (`session.rs`), or by a personal API token sent as `Authorization: Bearer`
//! (`token.rs`). Neither, or one that does not check out: `401 Unauthenticated`.
//!
//! Membership is not settled here: the session says who, the route's workspace says where, and the
//! request's own D1 batch checks that one is in the other (push and pull carry the check in the very
//! batch that reads or writes; the other routes ask first, see [`role`]). A removed member is out at
//! their next request.

pub mod session;
pub mod token;

use shared::api::Role;
use shared::session::hash_secret;
use shared::{Actor, ErrorCode, ProtocolError, SqlValue};
use uuid::Uuid;
use worker::{D1Database, Env, Request};

use crate::d1;
use crate::error::ApiError;

/// A caller who checked out.
#[derive(Debug, Clone, Copy)]
pub enum Caller {
    /// Signed in by the session cookie (session `session_id`, until `expires_at`): may ask about any
    /// workspace, if a member there. Whether the session still stands is checked by the batch that
    /// does the work (the actor carries it).
    Session {
        member_id: Uuid,
        session_id: Uuid,
        expires_at: u64,
    },
    /// An API token (`token_id`): acts as the member who made it, in the one workspace it was made
    /// for.
    Token {
        member_id: Uuid,
        workspace_id: Uuid,
        token_id: Uuid,
    },
}

impl Caller {
    pub fn member_id(&self) -> Uuid {
        match self {
            Caller::Session { member_id, .. } | Caller::Token { member_id, .. } => *member_id,
        }
    }

    /// The caller acting in `workspace`; a token made for another workspace is refused. A token's
    /// actor carries it, so that the batches that do the work check it still stands.
    pub fn in_workspace(&self, workspace: Uuid) -> Result<Actor, ApiError> {
        match self {
            Caller::Token { workspace_id, .. } if *workspace_id != workspace => {
                Err(ProtocolError::forbidden("this API token is for another workspace").into())
            }
            Caller::Token { token_id, .. } => {
                Ok(Actor::new(workspace, self.member_id()).with_token(*token_id))
            }
            Caller::Session { session_id, .. } => {
                Ok(Actor::new(workspace, self.member_id()).with_session(*session_id))
            }
        }
    }
}

/// How a route checks an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// Looked up in D1 now.
    Now,
    /// The route's own batch checks it (push, pull, the live socket): a token this isolate looked up
    /// before is taken from memory, without a D1 read.
    InBatch,
}

/// The caller of a request that needs one: an API token if the request carries one (and then only
/// that), or else the session cookie.
pub async fn caller(
    req: &Request,
    env: &Env,
    db: &D1Database,
    check: TokenCheck,
) -> Result<Caller, ApiError> {
    if let Some(bearer) = token::bearer(req)? {
        let hash = hash_secret(&bearer);
        if check == TokenCheck::InBatch
            && let Some(known) = token::remembered(&hash)
        {
            return Ok(known);
        }
        // Each lookup is a D1 read whatever the token: made-up ones count against the address.
        crate::limits::address(env, req).await?;
        return token::caller(db, &hash).await;
    }
    match session::read(req, env)? {
        Some(Ok(session)) => Ok(Caller::Session {
            member_id: session.member_id,
            session_id: session.id,
            expires_at: session.expires_at,
        }),
        Some(Err(err)) => Err(ProtocolError::unauthenticated(err.to_string()).into()),
        None => Err(ProtocolError::unauthenticated(
            "sign in first: with a passkey or a sign-in link from another of your devices at \
             /signin, by the invite link you were sent, or send an API token as \
             `Authorization: Bearer <token>`",
        )
        .into()),
    }
}

/// `?1` workspace, `?2` member, `?3` the session asked with (NULL for a token, which was looked up
/// already): their role, and whether the session still stands.
const SELECT_ROLE: &str = "SELECT \
     (SELECT role FROM membership WHERE workspace_id = ?1 AND member_id = ?2) AS role, \
     (?3 IS NULL OR EXISTS (SELECT 1 FROM session WHERE id = ?3 AND member_id = ?2)) \
       AS session_valid";

/// Forgets the request's API token when `err` says it is gone, so that its next use looks it up.
pub fn forget_if_refused(req: &Request, err: &ApiError) {
    if err.code() == ErrorCode::Unauthenticated
        && let Ok(Some(bearer)) = token::bearer(req)
    {
        token::forget(&hash_secret(&bearer));
    }
}

/// `by`'s role in its workspace, read now (with whether their session still stands: `401`);
/// `403 Forbidden` when they are not a member.
pub async fn role(db: &D1Database, by: &Actor) -> Result<Role, ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        role: Option<String>,
        session_valid: u8,
    }
    let session = by
        .session_id
        .map_or(SqlValue::Null, |id| id.to_string().into());
    let params: [SqlValue; 3] = [by.workspace(), by.member(), session];
    let row: Option<Row> = d1::first(db, SELECT_ROLE, &params).await?;
    let row = row.ok_or_else(|| ApiError::internal("reading a role", "no row came back"))?;
    if row.session_valid == 0 {
        return Err(shared::server::session_revoked().into());
    }
    row.role
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| shared::server::not_a_member().into())
}

/// The member signed in by this request's session cookie, whose session still stands (read now),
/// within the member's rate limit: for the account's routes. An API token does not reach them (`403`): it is for one workspace's
/// data, not for the account that made it.
pub async fn signed_in(
    req: &Request,
    env: &Env,
    db: &D1Database,
) -> Result<shared::session::Session, ApiError> {
    if let Caller::Token { .. } = caller(req, env, db, TokenCheck::Now).await? {
        return Err(ProtocolError::forbidden(
            "an API token cannot manage the account: sign in to the app for that",
        )
        .into());
    }
    let session =
        session::valid(req, env)?.ok_or_else(|| ProtocolError::unauthenticated("sign in first"))?;
    let params: [SqlValue; 2] = [
        session.id.to_string().into(),
        session.member_id.to_string().into(),
    ];
    let standing: Option<serde_json::Value> = d1::first(db, SELECT_SESSION, &params).await?;
    if standing.is_none() {
        return Err(shared::server::session_revoked().into());
    }
    crate::limits::member(env, session.member_id).await?;
    Ok(session)
}

const SELECT_SESSION: &str = "SELECT 1 AS standing FROM session WHERE id = ?1 AND member_id = ?2";

/// Like [`role`], but only the workspace's owner may go on.
pub async fn owner(db: &D1Database, by: &Actor) -> Result<(), ApiError> {
    match role(db, by).await? {
        Role::Owner => Ok(()),
        Role::Member => {
            Err(ProtocolError::forbidden("only the workspace's owner may do this").into())
        }
    }
}

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// 32 bytes from the platform's cryptographic random source.
pub fn random_bytes() -> Result<[u8; 32], ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| ApiError::internal("random bytes", err))?;
    Ok(bytes)
}
