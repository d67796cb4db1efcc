//! `GET /api/workspaces/{id}/members`: who is in the workspace; for its owner the open invites; for
//! everyone their own API tokens, and the names of people removed (what they wrote keeps them). `POST /api/workspaces/{id}/members/remove` (owners): the member's
//! next request is refused, their tokens for this workspace are deleted with them, the invite link
//! they joined by is revoked (it would let them, or anyone holding it, straight back in), and no
//! link made before now lets them back in under the same identity.

use serde::Deserialize;
use shared::api::{
    self, FormerMember, InviteInfo, Members, Membership, RemoveMember, Role, TokenInfo,
    WorkspaceInfo,
};
use shared::numbers::IssueKey;
use shared::{Actor, ErrorCode, ProtocolError, Statement};
use uuid::Uuid;
use worker::{Env, Request, Response};

use crate::auth::{self, now};
use crate::error::ApiError;
use crate::{body, d1};

/// The members, then (role `former`) the people removed and not back since, in one read.
const SELECT_MEMBERS: &str = "SELECT m.id, m.name, ms.role, 0 AS gone, ms.joined_at AS since FROM membership ms \
     JOIN member m ON m.id = ms.member_id WHERE ms.workspace_id = ?1 \
     UNION ALL SELECT m.id, m.name, 'former', 1, r.removed_at FROM removed_member r \
     JOIN member m ON m.id = r.member_id WHERE r.workspace_id = ?1 AND NOT EXISTS \
     (SELECT 1 FROM membership ms WHERE ms.workspace_id = ?1 AND ms.member_id = r.member_id) \
     ORDER BY gone, since, id";
const SELECT_INVITES: &str = "SELECT id, created_at, expires_at FROM invite \
     WHERE workspace_id = ?1 AND expires_at > ?2 ORDER BY created_at";
const SELECT_WORKSPACE: &str = "SELECT id, name, legacy, issue_key FROM workspace WHERE id = ?1";
const SELECT_TOKENS: &str = "SELECT id, name, created_at FROM api_token \
     WHERE workspace_id = ?1 AND member_id = ?2 ORDER BY created_at";
/// The removal's statements, in one batch: each of the first two acts only while `?2` is a member
/// (not the owner) of `?1`, so they run before the membership goes.
const REVOKE_JOINED_BY: &str = "DELETE FROM invite WHERE workspace_id = ?1 AND id = \
     (SELECT invite_id FROM membership WHERE workspace_id = ?1 AND member_id = ?2 AND role <> 'owner')";
const RECORD_REMOVAL: &str = "INSERT INTO removed_member (workspace_id, member_id, removed_at) \
     SELECT workspace_id, member_id, ?3 FROM membership \
     WHERE workspace_id = ?1 AND member_id = ?2 AND role <> 'owner' \
     ON CONFLICT (workspace_id, member_id) DO UPDATE SET removed_at = excluded.removed_at";
const REMOVE_MEMBER: &str = "DELETE FROM membership \
     WHERE workspace_id = ?1 AND member_id = ?2 AND role <> 'owner'";
const REMOVE_TOKENS: &str = "DELETE FROM api_token WHERE workspace_id = ?1 AND member_id = ?2";

pub async fn list(env: &Env, by: &Actor) -> Result<Response, ApiError> {
    #[derive(Deserialize)]
    struct MemberRow {
        id: String,
        name: String,
        role: String,
        gone: u8,
    }
    #[derive(Deserialize)]
    struct InviteRow {
        id: String,
        created_at: u64,
        expires_at: u64,
    }
    #[derive(Deserialize)]
    struct TokenRow {
        id: String,
        name: String,
        created_at: u64,
    }
    #[derive(Deserialize)]
    struct WorkspaceRow {
        id: String,
        name: String,
        legacy: u8,
        issue_key: Option<String>,
    }
    let db = env.d1(d1::BINDING)?;
    let role = auth::role(&db, by).await?;
    let (former, members): (Vec<MemberRow>, Vec<MemberRow>) =
        d1::all::<MemberRow>(&db, SELECT_MEMBERS, &[by.workspace()])
            .await?
            .into_iter()
            .partition(|row| row.gone == 1);
    let invites: Vec<InviteRow> = match role {
        Role::Owner => d1::all(&db, SELECT_INVITES, &[by.workspace(), now().into()]).await?,
        Role::Member => Vec::new(),
    };
    let tokens: Vec<TokenRow> = d1::all(&db, SELECT_TOKENS, &[by.workspace(), by.member()]).await?;
    let workspace: Option<WorkspaceRow> =
        d1::first(&db, SELECT_WORKSPACE, &[by.workspace()]).await?;
    let workspace = match workspace {
        Some(row) => Some(WorkspaceInfo {
            id: uuid(&row.id)?,
            name: row.name,
            role,
            legacy: row.legacy == 1,
            issue_key: row.issue_key.and_then(|key| IssueKey::try_from(key).ok()),
        }),
        None => None,
    };
    Ok(Response::from_json(&Members {
        members: members
            .into_iter()
            .map(|row| {
                Ok(Membership {
                    id: uuid(&row.id)?,
                    name: row.name,
                    role: Role::parse(&row.role).unwrap_or(Role::Member),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        former: former
            .into_iter()
            .map(|row| {
                Ok(FormerMember {
                    id: uuid(&row.id)?,
                    name: row.name,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        invites: invites
            .into_iter()
            .map(|row| {
                Ok(InviteInfo {
                    id: uuid(&row.id)?,
                    created_at: row.created_at,
                    expires_at: row.expires_at,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        tokens: tokens
            .into_iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: uuid(&row.id)?,
                    name: row.name,
                    created_at: row.created_at,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        you: Some(by.member_id),
        workspace,
    })?)
}

pub async fn remove(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: RemoveMember = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    if request.member_id == by.member_id {
        return Err(ProtocolError::forbidden("the owner cannot remove themselves").into());
    }
    let member = shared::SqlValue::from(request.member_id.to_string());
    let removed = d1::changes_in_batch(
        &db,
        &[
            Statement::new(REVOKE_JOINED_BY, vec![by.workspace(), member.clone()]),
            Statement::new(
                RECORD_REMOVAL,
                vec![by.workspace(), member.clone(), now().into()],
            ),
            Statement::new(REMOVE_MEMBER, vec![by.workspace(), member.clone()]),
            Statement::new(REMOVE_TOKENS, vec![by.workspace(), member]),
        ],
    )
    .await?;
    if removed.get(2).copied().unwrap_or(0) == 0 {
        return Err(ProtocolError::new(
            ErrorCode::NotFound,
            format!(
                "{} is not a member of this workspace, or is its owner",
                request.member_id
            ),
        )
        .into());
    }
    // Out now, not at their next request: their open trackers' sockets close.
    crate::live::close_member(env, &by.workspace_id, &request.member_id).await;
    // Everyone else's open trackers mark them as gone.
    crate::live::members_changed(env, &by.workspace_id).await;
    Ok(Response::from_json(
        &serde_json::json!({"removed": request.member_id}),
    )?)
}

fn uuid(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|err| ApiError::internal("a stored id", err))
}
