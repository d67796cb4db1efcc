//! `POST /api/workspaces/{id}/issue-key` (owners): the workspace's issue key (`TRK` in TRK-42). Numbers
//! do not change with it; every open tracker is told on the live channel and reads the session again,
//! and addresses written with the old key still open their issue (`shared::numbers::parse_reference`).

use shared::api::{self, SetIssueKey};
use shared::{Actor, Statement};
use worker::{Env, Request, Response};

use crate::error::ApiError;
use crate::{auth, body, d1};

const SET_ISSUE_KEY: &str = "UPDATE workspace SET issue_key = ?2 WHERE id = ?1";

pub async fn set_issue_key(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: SetIssueKey = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    d1::run(
        &db,
        &[Statement::new(
            SET_ISSUE_KEY,
            vec![by.workspace(), request.issue_key.as_str().into()],
        )],
    )
    .await?;
    // Every open tracker shows the new key at once.
    crate::live::workspace_changed(env, &by.workspace_id).await;
    Ok(Response::from_json(&request)?)
}
