//! The member's signed-in devices: `GET /api/account` lists them (with the passkeys), `POST
//! /api/sessions/revoke` signs one out, `POST /api/session/sign-out` signs out this device or
//! (`everywhere`) every one. A session's row going is what signs it out: every request's own batch
//! checks it, and its live sockets are closed now.

use serde::Deserialize;
use shared::account::{AccountInfo, PasskeyInfo, SessionListing, SignOut, describe_device};
use shared::api::{self, ById};
use shared::{SqlValue, Statement};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use crate::auth::{self, now, session};
use crate::error::ApiError;
use crate::live::{self, SignedOut};
use crate::{body, d1};

const SELECT_SESSIONS: &str = "SELECT id, user_agent, method, started_at, seen_at FROM session \
     WHERE member_id = ?1 ORDER BY seen_at DESC, id";
const SELECT_PASSKEYS: &str = "SELECT id, name, created_at, used_at FROM passkey \
     WHERE member_id = ?1 ORDER BY created_at, id";
const SELECT_WORKSPACES: &str = "SELECT workspace_id FROM membership WHERE member_id = ?1";
const DELETE_SESSION: &str = "DELETE FROM session WHERE id = ?1 AND member_id = ?2";
/// Signing out everywhere: every session, every unused device link, and no first-format cookie
/// issued before now may be traded for a session.
const SIGN_OUT_EVERYWHERE: [&str; 3] = [
    "DELETE FROM session WHERE member_id = ?1",
    "DELETE FROM device_link WHERE member_id = ?1",
    "UPDATE member SET signed_out_at = ?2 WHERE id = ?1",
];

/// `GET /api/account`.
pub async fn list(req: &Request, env: &Env) -> Result<Response, ApiError> {
    #[derive(Deserialize)]
    struct SessionRow {
        id: String,
        user_agent: String,
        method: String,
        started_at: u64,
        seen_at: u64,
    }
    #[derive(Deserialize)]
    struct PasskeyRow {
        id: String,
        name: String,
        created_at: u64,
        used_at: Option<u64>,
    }
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    let member: [SqlValue; 1] = [current.member_id.to_string().into()];
    let sessions: Vec<SessionRow> = d1::all(&db, SELECT_SESSIONS, &member).await?;
    let passkeys: Vec<PasskeyRow> = d1::all(&db, SELECT_PASSKEYS, &member).await?;
    let sessions = sessions
        .into_iter()
        .map(|row| {
            let id = Uuid::parse_str(&row.id)
                .map_err(|err| ApiError::internal("a stored session id", err))?;
            Ok(SessionListing {
                id,
                device: describe_device(&row.user_agent),
                method: row.method,
                started_at: row.started_at,
                seen_at: row.seen_at,
                current: id == current.id,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let passkeys = passkeys
        .into_iter()
        .map(|row| PasskeyInfo {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            used_at: row.used_at,
        })
        .collect();
    Ok(Response::from_json(&AccountInfo { sessions, passkeys })?)
}

/// `POST /api/sessions/revoke`: signs one of the caller's sessions out (another device's, or this
/// one's); `404` for a session that is not theirs or is gone.
pub async fn revoke(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: ById = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    super::delete_own(
        &db,
        DELETE_SESSION,
        request.id.to_string().into(),
        current.member_id,
        format!("you have no session {}", request.id),
    )
    .await?;
    let workspaces = workspaces_of(&db, current.member_id).await?;
    live::close_signed_out(env, &workspaces, SignedOut::Session(request.id)).await;
    let mut response = Response::from_json(&serde_json::json!({"revoked": request.id}))?;
    if request.id == current.id {
        session::clear_cookie(req, &mut response)?;
    }
    Ok(response)
}

/// `POST /api/session/sign-out`.
pub async fn sign_out(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: SignOut = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    let member = SqlValue::from(current.member_id.to_string());
    let (statements, signed_out) = if request.everywhere {
        let [sessions, links, mark] = SIGN_OUT_EVERYWHERE;
        (
            vec![
                Statement::new(sessions, vec![member.clone()]),
                Statement::new(links, vec![member.clone()]),
                Statement::new(mark, vec![member, now().into()]),
            ],
            SignedOut::Member(current.member_id),
        )
    } else {
        (
            vec![Statement::new(
                DELETE_SESSION,
                vec![current.id.to_string().into(), member],
            )],
            SignedOut::Session(current.id),
        )
    };
    d1::run(&db, &statements).await?;
    let workspaces = workspaces_of(&db, current.member_id).await?;
    live::close_signed_out(env, &workspaces, signed_out).await;
    let mut response = Response::from_json(&request)?;
    session::clear_cookie(req, &mut response)?;
    Ok(response)
}

/// The workspaces `member` is in: where their live sockets may be open.
pub async fn workspaces_of(db: &D1Database, member: Uuid) -> Result<Vec<Uuid>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        workspace_id: String,
    }
    let rows: Vec<Row> = d1::all(db, SELECT_WORKSPACES, &[member.to_string().into()]).await?;
    rows.into_iter()
        .map(|row| {
            Uuid::parse_str(&row.workspace_id)
                .map_err(|err| ApiError::internal("a stored workspace id", err))
        })
        .collect()
}
