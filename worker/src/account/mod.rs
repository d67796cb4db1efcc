//! The signed-in member: `GET /api/session` (who, and in which workspaces), and what every way of
//! signing in shares: finding the member a request signs in as, and answering with a session. The
//! account's own routes are beside it: the devices signed in and signing out (`sessions.rs`), sign-in
//! links for another device (`devices.rs`), passkeys (`passkeys.rs`), the member's name
//! (`profile.rs`).

pub mod devices;
pub mod passkeys;
pub mod profile;
pub mod sessions;

use serde::Deserialize;
use shared::api::{MemberInfo, Name, Role, SessionInfo, WorkspaceInfo};
use shared::session::SessionError;
use shared::{ProtocolError, Statement};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use crate::auth::session::{self, SignInMethod};
use crate::auth::{self, now};
use crate::d1;
use crate::error::ApiError;

const INSERT_MEMBER: &str = "INSERT INTO member (id, name, created_at) VALUES (?1, ?2, ?3)";
const SELECT_SESSION: &str = "SELECT m.name AS member_name, w.id, w.name, ms.role, w.legacy, \
     w.issue_key \
     FROM member m \
     LEFT JOIN membership ms ON ms.member_id = m.id \
     LEFT JOIN workspace w ON w.id = ms.workspace_id \
     WHERE m.id = ?1 ORDER BY ms.joined_at, w.id";
/// `?1` session, `?2` member, `?3` now: the tracker opened with this session (0 rows: it is gone).
const SEEN: &str = "UPDATE session SET seen_at = ?3 WHERE id = ?1 AND member_id = ?2";
/// `?1` member, `?2` when a first-format cookie was issued: it may be traded for a session.
const SELECT_UPGRADABLE: &str =
    "SELECT 1 AS upgradable FROM member WHERE id = ?1 AND signed_out_at < ?2";

/// `GET /api/session`: who is signed in, and their workspaces; renews a session past half its life
/// (within its absolute lifetime), and records that the tracker opened with it.
pub async fn handle(req: &Request, env: &Env) -> Result<Response, ApiError> {
    let db = env.d1(d1::BINDING)?;
    if let Some(Err(SessionError::Outdated {
        member_id,
        issued_at,
    })) = session::read(req, env)?
    {
        return upgrade(req, env, &db, member_id, issued_at).await;
    }
    let caller = auth::caller(req, env, &db, auth::TokenCheck::Now).await?;
    crate::limits::member(env, caller.member_id()).await?;
    let current = match caller {
        auth::Caller::Session { .. } => session::valid(req, env)?,
        auth::Caller::Token { .. } => None,
    };
    if let Some(current) = &current {
        let seen = Statement::new(
            SEEN,
            vec![
                current.id.to_string().into(),
                current.member_id.to_string().into(),
                now().into(),
            ],
        );
        if d1::changes(&db, &seen).await? == 0 {
            return Err(shared::server::session_revoked().into());
        }
    }
    let mut info = session_info(&db, caller.member_id())
        .await?
        .ok_or_else(|| ProtocolError::unauthenticated("this member no longer exists"))?;
    if let auth::Caller::Token { workspace_id, .. } = caller {
        info.workspaces.retain(|w| w.id == workspace_id);
    }
    let mut response = Response::from_json(&info)?;
    if let Some(current) = current
        && current.wants_renewal(now())
    {
        session::set_cookie(req, env, &mut response, &current.renewed(now()))?;
    }
    Ok(response)
}

/// A cookie of the first format (no session row): traded for a session of its own, unless its
/// member signed out everywhere after it was issued.
async fn upgrade(
    req: &Request,
    env: &Env,
    db: &D1Database,
    member_id: Uuid,
    issued_at: u64,
) -> Result<Response, ApiError> {
    crate::limits::member(env, member_id).await?;
    let params = [member_id.to_string().into(), issued_at.into()];
    let upgradable: Option<serde_json::Value> = d1::first(db, SELECT_UPGRADABLE, &params).await?;
    if upgradable.is_none() {
        return Err(shared::server::session_revoked().into());
    }
    let sign_in = SignIn {
        member_id,
        statements: Vec::new(),
        signed_in: false,
    };
    signed_in_answer(req, env, db, &sign_in, SignInMethod::Upgraded, 200).await
}

/// Deletes one of the member's own rows: `sql` with `?1` its id and `?2` the member. `404 NotFound`
/// saying `missing` when they have none such (another member's, or gone).
pub async fn delete_own(
    db: &D1Database,
    sql: &'static str,
    id: shared::SqlValue,
    member: Uuid,
    missing: String,
) -> Result<(), ApiError> {
    let deleted = d1::changes(
        db,
        &Statement::new(sql, vec![id, member.to_string().into()]),
    )
    .await?;
    if deleted == 0 {
        return Err(ProtocolError::new(shared::ErrorCode::NotFound, missing).into());
    }
    Ok(())
}

/// Who a sign-in request is for, and what creates them.
pub struct SignIn {
    pub member_id: Uuid,
    /// Creates a new member (empty for one who exists).
    pub statements: Vec<Statement>,
    /// Signed in on this browser already, with a session that stands: it is kept.
    pub signed_in: bool,
}

/// The member a sign-in request is for: the one signed in already with a session that still stands
/// (the statements are empty), or a new one named `name` (the statements create them). A new member
/// without a name is refused.
pub async fn signed_in_or_new(
    req: &Request,
    env: &Env,
    db: &D1Database,
    name: Option<&Name>,
    now: u64,
) -> Result<SignIn, ApiError> {
    if session::valid(req, env)?.is_some()
        && let Ok(current) = auth::signed_in(req, env, db).await
    {
        return Ok(SignIn {
            member_id: current.member_id,
            statements: Vec::new(),
            signed_in: true,
        });
    }
    let name = name.ok_or_else(|| {
        ProtocolError::invalid_request("name is required: the display name others will see")
    })?;
    let member_id = Uuid::new_v4();
    Ok(SignIn {
        member_id,
        statements: vec![Statement::new(
            INSERT_MEMBER,
            vec![
                member_id.to_string().into(),
                name.as_str().into(),
                now.into(),
            ],
        )],
        signed_in: false,
    })
}

/// The answer to a sign-in: who, their workspaces, and (unless this browser is signed in as them
/// already) a new session and its cookie.
pub async fn signed_in_answer(
    req: &Request,
    env: &Env,
    db: &D1Database,
    sign_in: &SignIn,
    method: SignInMethod,
    status: u16,
) -> Result<Response, ApiError> {
    let info = session_info(db, sign_in.member_id)
        .await?
        .ok_or_else(|| ApiError::internal("signing in", "the member was not saved"))?;
    let mut response = Response::from_json(&info)?.with_status(status);
    if !sign_in.signed_in {
        session::start(req, env, db, &mut response, sign_in.member_id, method).await?;
    }
    Ok(response)
}

pub async fn session_info(
    db: &D1Database,
    member_id: Uuid,
) -> Result<Option<SessionInfo>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        member_name: String,
        id: Option<String>,
        name: Option<String>,
        role: Option<String>,
        legacy: Option<u8>,
        issue_key: Option<String>,
    }
    let rows: Vec<Row> = d1::all(db, SELECT_SESSION, &[member_id.to_string().into()]).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let member = MemberInfo {
        id: member_id,
        name: first.member_name.clone(),
    };
    let mut workspaces = Vec::new();
    for row in rows {
        let (Some(id), Some(name), Some(role)) = (row.id, row.name, row.role) else {
            continue;
        };
        workspaces.push(WorkspaceInfo {
            id: Uuid::parse_str(&id).map_err(|err| ApiError::internal("a workspace id", err))?,
            role: Role::parse(&role).unwrap_or(Role::Member),
            legacy: row.legacy == Some(1),
            // Stored when chosen; made from the name otherwise (and for what a wrong row holds).
            issue_key: Some(
                row.issue_key
                    .and_then(|key| shared::numbers::IssueKey::try_from(key).ok())
                    .unwrap_or_else(|| shared::numbers::IssueKey::from_name(&name)),
            ),
            name,
        });
    }
    Ok(Some(SessionInfo { member, workspaces }))
}
