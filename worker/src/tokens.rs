//! `POST /api/workspaces/{id}/tokens`: a personal API token for this workspace, shown once; at most
//! [`MAX_TOKENS_PER_MEMBER`] per member and workspace, and only by a signed-in member: a token that
//! could mint tokens could outlive its own revocation.
//! `POST /api/workspaces/{id}/tokens/revoke`: one of your own tokens stops working at once.

use shared::api::{self, ById, CreateToken, CreatedToken, MAX_TOKENS_PER_MEMBER};
use shared::session::hash_secret;
use shared::{Actor, ErrorCode, ProtocolError, Statement};
use uuid::Uuid;
use worker::{Env, Request, Response};

use crate::auth::{self, Caller, now, token};
use crate::error::ApiError;
use crate::{body, d1};

/// Inserts nothing when the member holds `?7` tokens in the workspace already.
const INSERT_TOKEN: &str = "INSERT INTO api_token (id, workspace_id, member_id, name, token_hash, \
     created_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6 \
     WHERE (SELECT COUNT(*) FROM api_token WHERE workspace_id = ?2 AND member_id = ?3) < ?7";
const DELETE_TOKEN: &str =
    "DELETE FROM api_token WHERE id = ?1 AND workspace_id = ?2 AND member_id = ?3";

pub async fn create(
    req: &mut Request,
    env: &Env,
    caller: &Caller,
    by: &Actor,
) -> Result<Response, ApiError> {
    if let Caller::Token { .. } = caller {
        return Err(ProtocolError::forbidden(
            "an API token cannot make API tokens: make them while signed in, from Members",
        )
        .into());
    }
    let request: CreateToken = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::role(&db, by).await?;
    let created = CreatedToken {
        id: Uuid::new_v4(),
        name: request.name.as_str().to_owned(),
        token: token::new_secret()?,
    };
    let inserted = d1::changes(
        &db,
        &Statement::new(
            INSERT_TOKEN,
            vec![
                created.id.to_string().into(),
                by.workspace(),
                by.member(),
                created.name.as_str().into(),
                hash_secret(&created.token).into(),
                now().into(),
                MAX_TOKENS_PER_MEMBER.into(),
            ],
        ),
    )
    .await?;
    if inserted == 0 {
        return Err(ProtocolError::new(
            ErrorCode::LimitReached,
            format!(
                "you have {MAX_TOKENS_PER_MEMBER} API tokens in this workspace, as many as a member \
                 may: revoke one you no longer use first"
            ),
        )
        .into());
    }
    Ok(Response::from_json(&created)?.with_status(201))
}

pub async fn revoke(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: ById = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::role(&db, by).await?;
    let deleted = d1::changes(
        &db,
        &Statement::new(
            DELETE_TOKEN,
            vec![request.id.to_string().into(), by.workspace(), by.member()],
        ),
    )
    .await?;
    if deleted == 0 {
        return Err(ProtocolError::new(
            ErrorCode::NotFound,
            format!("you have no API token {} in this workspace", request.id),
        )
        .into());
    }
    crate::live::close_token(env, &by.workspace_id, &request.id).await;
    Ok(Response::from_json(
        &serde_json::json!({"revoked": request.id}),
    )?)
}
