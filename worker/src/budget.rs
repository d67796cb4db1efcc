//! `POST /api/workspaces/{id}/members/budget` (owners): more changes for a member today, beyond the
//! deployment's daily budget (`MEMBER_DAILY_MUTATIONS`): what a large import needs, for one day,
//! without a new deployment. The push's own batch reads it (`shared::server::count_usage`), so it
//! costs pushes nothing.

use serde::Deserialize;
use shared::api::{self, Budget, GrantBudget};
use shared::server::{DAY_MS, SELECT_USAGE, grant_budget};
use shared::{Actor, ErrorCode, ProtocolError};
use worker::{Env, Request, Response};

use crate::auth::{self, now};
use crate::error::ApiError;
use crate::{body, d1, limits};

pub async fn grant(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request: GrantBudget = api::parse(&body::read(req).await?)?;
    request.check()?;
    let db = env.d1(d1::BINDING)?;
    auth::owner(&db, by).await?;
    let now = now();
    let daily = limits::daily_mutations(env);
    let granted = d1::changes(
        &db,
        &grant_budget(by, request.member_id, now, daily, request.extra),
    )
    .await?;
    if granted == 0 {
        return Err(
            ProtocolError::new(ErrorCode::NotFound, "no such member in this workspace").into(),
        );
    }
    #[derive(Deserialize)]
    struct Usage {
        mutations: u64,
        budget: u64,
    }
    let usage: Option<Usage> = d1::first(
        &db,
        SELECT_USAGE,
        &[request.member_id.to_string().into(), (now / DAY_MS).into()],
    )
    .await?;
    let usage = usage.ok_or_else(|| ApiError::internal("the grant", "no usage row after it"))?;
    Ok(Response::from_json(&Budget {
        member_id: request.member_id,
        used: usage.mutations,
        budget: usage.budget,
    })?)
}
