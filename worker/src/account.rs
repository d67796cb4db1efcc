//! The signed-in member: `GET /api/session` (who, and in which workspaces), and what setup and
//! accepting an invite share: finding the member a request signs in as, and answering with a session.

use serde::Deserialize;
use shared::api::{MemberInfo, Name, Role, SessionInfo, WorkspaceInfo};
use shared::{ProtocolError, Statement};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use crate::auth::{self, session};
use crate::d1;
use crate::error::ApiError;

const INSERT_MEMBER: &str = "INSERT INTO member (id, name, created_at) VALUES (?1, ?2, ?3)";
const SELECT_MEMBER: &str = "SELECT 1 AS known FROM member WHERE id = ?1";
const SELECT_SESSION: &str = "SELECT m.name AS member_name, w.id, w.name, ms.role, w.legacy, \
     w.issue_key \
     FROM member m \
     LEFT JOIN membership ms ON ms.member_id = m.id \
     LEFT JOIN workspace w ON w.id = ms.workspace_id \
     WHERE m.id = ?1 ORDER BY ms.joined_at, w.id";

/// `GET /api/session`: who is signed in, and their workspaces; renews a session past half its life.
pub async fn handle(req: &Request, env: &Env) -> Result<Response, ApiError> {
    let db = env.d1(d1::BINDING)?;
    let caller = auth::caller(req, env, &db, auth::TokenCheck::Now).await?;
    crate::limits::member(env, caller.member_id()).await?;
    let mut info = session_info(&db, caller.member_id())
        .await?
        .ok_or_else(|| ProtocolError::unauthenticated("this member no longer exists"))?;
    if let auth::Caller::Token { workspace_id, .. } = caller {
        info.workspaces.retain(|w| w.id == workspace_id);
    }
    let mut response = Response::from_json(&info)?;
    if let Some(current) = session::valid(req, env)?
        && matches!(caller, auth::Caller::Session { .. })
        && current.wants_renewal(auth::now())
    {
        session::start(req, env, &mut response, caller.member_id())?;
    }
    Ok(response)
}

/// The member a sign-in request is for: the one signed in already (the statements are empty), or a
/// new one named `name` (the statements create them). A new member without a name is refused.
pub async fn signed_in_or_new(
    req: &Request,
    env: &Env,
    db: &D1Database,
    name: Option<&Name>,
    now: u64,
) -> Result<(Uuid, Vec<Statement>), ApiError> {
    if let Some(current) = session::valid(req, env)? {
        let known: Option<serde_json::Value> =
            d1::first(db, SELECT_MEMBER, &[current.member_id.to_string().into()]).await?;
        if known.is_some() {
            return Ok((current.member_id, Vec::new()));
        }
    }
    let name = name.ok_or_else(|| {
        ProtocolError::invalid_request("name is required: the display name others will see")
    })?;
    let member_id = Uuid::new_v4();
    Ok((
        member_id,
        vec![Statement::new(
            INSERT_MEMBER,
            vec![
                member_id.to_string().into(),
                name.as_str().into(),
                now.into(),
            ],
        )],
    ))
}

/// The answer to a sign-in: who, their workspaces, and a fresh session cookie.
pub async fn signed_in_answer(
    req: &Request,
    env: &Env,
    db: &D1Database,
    member_id: Uuid,
    status: u16,
) -> Result<Response, ApiError> {
    let info = session_info(db, member_id)
        .await?
        .ok_or_else(|| ApiError::internal("signing in", "the member was not saved"))?;
    let mut response = Response::from_json(&info)?.with_status(status);
    session::start(req, env, &mut response, member_id)?;
    Ok(response)
}

async fn session_info(db: &D1Database, member_id: Uuid) -> Result<Option<SessionInfo>, ApiError> {
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
