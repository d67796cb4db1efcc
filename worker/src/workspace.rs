//! A workspace's settings. Owners: `POST /api/workspaces/{id}/issue-key` (the key in TRK-42), `.../name`
//! (its name) and `.../owner` (hand it to another member, staying on as a member). Members: `.../leave`
//! (the owner hands the workspace over first). Every open tracker of the workspace is told on the
//! live channel and reads the session (names, keys, roles) or the members again.
//!
//! A new issue key changes no number, and addresses written with the old key still open their issue
//! (`shared::numbers::parse_reference`).

use shared::account::{SetName, TransferOwnership};
use shared::api::{self, SetIssueKey};
use shared::{Actor, ErrorCode, ProtocolError, SqlValue, Statement};
use worker::{Env, Request, Response};

use crate::error::ApiError;
use crate::{auth, body, d1};

const SET_ISSUE_KEY: &str = "UPDATE workspace SET issue_key = ?2 WHERE id = ?1";
const SET_NAME: &str = "UPDATE workspace SET name = ?2 WHERE id = ?1";
/// `?1` workspace, `?2` the new owner, `?3` the owner now: both in one batch, each only while the
/// other holds, so a workspace never has two owners or none.
const TRANSFER: [&str; 2] = [
    "UPDATE membership SET role = 'owner' WHERE workspace_id = ?1 AND member_id = ?2 \
     AND role = 'member' AND EXISTS (SELECT 1 FROM membership \
       WHERE workspace_id = ?1 AND member_id = ?3 AND role = 'owner')",
    "UPDATE membership SET role = 'member' WHERE workspace_id = ?1 AND member_id = ?3 \
     AND EXISTS (SELECT 1 FROM membership WHERE workspace_id = ?1 AND member_id = ?2 \
       AND role = 'owner')",
];
/// Leaving is a removal by oneself (`members.rs`): recorded, so no link made before it lets the
/// same identity back in, and their name stays on what they wrote; their tokens here go.
const LEAVE: [&str; 3] = [
    "INSERT INTO removed_member (workspace_id, member_id, removed_at) \
     SELECT workspace_id, member_id, ?3 FROM membership \
     WHERE workspace_id = ?1 AND member_id = ?2 AND role <> 'owner' \
     ON CONFLICT (workspace_id, member_id) DO UPDATE SET removed_at = excluded.removed_at",
    "DELETE FROM membership WHERE workspace_id = ?1 AND member_id = ?2 AND role <> 'owner'",
    "DELETE FROM api_token WHERE workspace_id = ?1 AND member_id = ?2",
];

/// `POST .../issue-key` (owners).
pub async fn set_issue_key(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: SetIssueKey = api::parse(&body::read(req).await?)?;
    set(env, by, SET_ISSUE_KEY, request.issue_key.as_str().into()).await?;
    Ok(Response::from_json(&request)?)
}

/// `POST .../name` (owners).
pub async fn set_name(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: SetName = api::parse(&body::read(req).await?)?;
    set(env, by, SET_NAME, request.name.as_str().into()).await?;
    Ok(Response::from_json(&request)?)
}

/// One of the workspace's own settings, by its owner; every open tracker shows it at once.
async fn set(env: &Env, by: &Actor, sql: &'static str, value: SqlValue) -> Result<(), ApiError> {
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    d1::run(&db, &[Statement::new(sql, vec![by.workspace(), value])]).await?;
    crate::live::workspace_changed(env, &by.workspace_id).await;
    Ok(())
}

/// `POST .../owner` (owners).
pub async fn transfer(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: TransferOwnership = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    if request.member_id == by.member_id {
        return Err(ProtocolError::invalid_request("you own this workspace already").into());
    }
    let [promote, step_down] = TRANSFER;
    let params = vec![
        by.workspace(),
        request.member_id.to_string().into(),
        by.member(),
    ];
    let changed = d1::changes_in_batch(
        &db,
        &[
            Statement::new(promote, params.clone()),
            Statement::new(step_down, params),
        ],
    )
    .await?;
    if changed.first().copied().unwrap_or(0) == 0 {
        return Err(ProtocolError::new(
            ErrorCode::NotFound,
            format!("{} is not a member of this workspace", request.member_id),
        )
        .into());
    }
    crate::live::workspace_changed(env, &by.workspace_id).await;
    crate::live::members_changed(env, &by.workspace_id).await;
    Ok(Response::from_json(&request)?)
}

/// `POST .../leave` (members; the owner hands the workspace over first).
pub async fn leave(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let _: serde_json::Map<String, serde_json::Value> = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    if auth::role(&db, by).await? == api::Role::Owner {
        return Err(ProtocolError::forbidden(
            "the owner cannot leave: hand the workspace to another member first",
        )
        .into());
    }
    let [record, remove, tokens] = LEAVE;
    let params = vec![by.workspace(), by.member(), auth::now().into()];
    d1::run(
        &db,
        &[
            Statement::new(record, params.clone()),
            Statement::new(remove, params[..2].to_vec()),
            Statement::new(tokens, params[..2].to_vec()),
        ],
    )
    .await?;
    crate::live::close_member(env, &by.workspace_id, &by.member_id).await;
    crate::live::members_changed(env, &by.workspace_id).await;
    Ok(Response::from_json(
        &serde_json::json!({"left": by.workspace_id}),
    )?)
}
