//! Invite links. The owner makes one (`POST /api/workspaces/{id}/invites`) and sends
//! `/join?invite=<token>`; whoever opens it sees the workspace's name (`POST /api/invites/preview`)
//! and joins under a display name (`POST /api/invites/accept`), or as themselves when signed in
//! already. A link works for anyone who has it until it expires (7 days unless chosen otherwise),
//! the owner revokes it, or the owner removes a member who joined by it (`members::remove`). A
//! removed member cannot come back by any link made before their removal. Only the SHA-256 of its
//! secret is stored.

use serde::Deserialize;
use shared::api::{
    self, AcceptInvite, ById, CreateInvite, CreatedInvite, InvitePreview, InviteToken,
};
use shared::session::{encode_secret, hash_secret};
use shared::{Actor, ErrorCode, ProtocolError, Statement};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use crate::auth::session::SignInMethod;
use crate::auth::{self, now, random_bytes};
use crate::error::ApiError;
use crate::{account, body, d1};

const PREFIX: &str = "inv_";

const SELECT_INVITE: &str = "SELECT i.workspace_id, w.name AS workspace_name, \
     i.created_at, i.expires_at \
     FROM invite i JOIN workspace w ON w.id = i.workspace_id WHERE i.token_hash = ?1";
/// `?1` workspace, `?2` member, `?3` the invite's creation: the member was removed after it was made.
const SELECT_REMOVED: &str = "SELECT 1 AS removed FROM removed_member \
     WHERE workspace_id = ?1 AND member_id = ?2 AND removed_at >= ?3";
const INSERT_INVITE: &str = "INSERT INTO invite (id, workspace_id, token_hash, created_by, \
     created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const DELETE_INVITE: &str = "DELETE FROM invite WHERE id = ?1 AND workspace_id = ?2";
/// Joins only while the invite still stands and the member was not removed since it was made:
/// otherwise (revoked, expired or removed between the check and this batch) it inserts nothing.
/// Already a member: nothing changes (an owner stays owner). Records the invite it joined by.
const JOIN: &str = "INSERT INTO membership (workspace_id, member_id, role, joined_at, invite_id) \
     SELECT i.workspace_id, ?2, 'member', ?3, i.id FROM invite i \
     WHERE i.token_hash = ?1 AND i.expires_at > ?3 AND NOT EXISTS (SELECT 1 FROM removed_member r \
       WHERE r.workspace_id = i.workspace_id AND r.member_id = ?2 AND r.removed_at >= i.created_at) \
     ON CONFLICT (workspace_id, member_id) DO NOTHING";

/// `POST /api/invites/preview`.
pub async fn preview(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: InviteToken = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    Ok(Response::from_json(
        &standing(&db, &request.token).await?.preview,
    )?)
}

/// `POST /api/invites/accept`: joins, and signs in (a new member, or the one signed in already).
pub async fn accept(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: AcceptInvite = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let invite = standing(&db, &request.token).await?;
    let now = now();
    let mut sign_in = account::signed_in_or_new(req, env, &db, request.name.as_ref(), now).await?;
    let member_id = sign_in.member_id;
    if sign_in.signed_in {
        // Signed in already: someone the owner removed does not walk back in by an old link.
        refuse_if_removed(&db, &invite, member_id).await?;
    }
    sign_in.statements.push(Statement::new(
        JOIN,
        vec![
            hash_secret(&request.token).into(),
            member_id.to_string().into(),
            now.into(),
        ],
    ));
    d1::run(&db, &sign_in.statements).await?;
    // The members' open trackers learn the newcomer's name now, not at their next read.
    crate::live::members_changed(env, &invite.preview.workspace_id).await;
    account::signed_in_answer(req, env, &db, &sign_in, SignInMethod::Invite, 200).await
}

/// `POST /api/workspaces/{id}/invites` (owners).
pub async fn create(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: CreateInvite = api::parse(&body::read(req).await?)?;
    let lifetime = request.lifetime_ms()?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    let token = encode_secret(PREFIX, &random_bytes()?);
    let id = Uuid::new_v4();
    let now = now();
    let invite = CreatedInvite {
        id,
        token,
        expires_at: now + lifetime,
    };
    d1::run(
        &db,
        &[Statement::new(
            INSERT_INVITE,
            vec![
                id.to_string().into(),
                by.workspace(),
                hash_secret(&invite.token).into(),
                by.member(),
                now.into(),
                invite.expires_at.into(),
            ],
        )],
    )
    .await?;
    Ok(Response::from_json(&invite)?.with_status(201))
}

/// `POST /api/workspaces/{id}/invites/revoke` (owners): the link stops working at once.
pub async fn revoke(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: ById = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    let deleted = d1::changes(
        &db,
        &Statement::new(
            DELETE_INVITE,
            vec![request.id.to_string().into(), by.workspace()],
        ),
    )
    .await?;
    if deleted == 0 {
        return Err(ProtocolError::new(
            ErrorCode::NotFound,
            format!("no invite {} in this workspace", request.id),
        )
        .into());
    }
    Ok(Response::from_json(
        &serde_json::json!({"revoked": request.id}),
    )?)
}

/// An invite that still stands: what its link shows, and when it was made.
struct Standing {
    preview: InvitePreview,
    created_at: u64,
}

/// `403 Forbidden` for a member removed from the invite's workspace after the invite was made.
async fn refuse_if_removed(
    db: &D1Database,
    invite: &Standing,
    member_id: Uuid,
) -> Result<(), ApiError> {
    let params = [
        invite.preview.workspace_id.to_string().into(),
        member_id.to_string().into(),
        invite.created_at.into(),
    ];
    let removed: Option<serde_json::Value> = d1::first(db, SELECT_REMOVED, &params).await?;
    match removed {
        Some(_) => Err(ProtocolError::forbidden(
            "you were removed from this workspace after this link was made: ask its owner for a \
             new invite",
        )
        .into()),
        None => Ok(()),
    }
}

/// The invite a secret stands for, if it still stands: unknown or revoked → `404 NotFound`, past
/// its expiry → `410 InviteExpired`.
async fn standing(db: &D1Database, token: &str) -> Result<Standing, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        workspace_id: String,
        workspace_name: String,
        created_at: u64,
        expires_at: u64,
    }
    let row: Option<Row> = d1::first(db, SELECT_INVITE, &[hash_secret(token).into()]).await?;
    let row = row.ok_or_else(|| {
        ProtocolError::new(
            ErrorCode::NotFound,
            "this invite link is not valid: it was revoked, or never made",
        )
    })?;
    if row.expires_at <= now() {
        return Err(ProtocolError::new(
            ErrorCode::InviteExpired,
            "this invite link has expired: ask for a new one",
        )
        .into());
    }
    Ok(Standing {
        preview: InvitePreview {
            workspace_id: Uuid::parse_str(&row.workspace_id)
                .map_err(|err| ApiError::internal("an invite's workspace id", err))?,
            workspace_name: row.workspace_name,
            expires_at: row.expires_at,
        },
        created_at: row.created_at,
    })
}
