//! `POST /api/profile`: the signed-in member's display name, the same in every workspace they are
//! in. Every open tracker of those workspaces is told on the live channel and reads the names again.

use shared::account::SetName;
use shared::{SqlValue, Statement, api};
use worker::{Env, Request, Response};

use super::sessions::workspaces_of;
use crate::error::ApiError;
use crate::{auth, body, d1};

const SET_NAME: &str = "UPDATE member SET name = ?2 WHERE id = ?1";

pub async fn set_name(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: SetName = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    let member = SqlValue::from(current.member_id.to_string());
    d1::run(
        &db,
        &[Statement::new(
            SET_NAME,
            vec![member, request.name.as_str().into()],
        )],
    )
    .await?;
    for workspace in workspaces_of(&db, current.member_id).await? {
        crate::live::members_changed(env, &workspace).await;
    }
    Ok(Response::from_json(&request)?)
}
