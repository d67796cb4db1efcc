//! `POST /api/workspaces/{id}/pull`: the workspace's log entries after the client's cookie, a page at
//! a time, or, for a client with no cookie or one below the workspace's compaction horizon, a
//! snapshot of its current rows a page at a time ([`shared::snapshot`]). Each read is one D1 batch
//! that also checks who is asking.

use shared::Actor;
use shared::protocol::{PullResponse, parse_pull};
use shared::snapshot::{Read, Step, log_step, page_step};
use worker::{Env, Request, Response};

use crate::{body, d1, error::ApiError, http_cookie};

/// `SNAPSHOT_PULL=off` (a var): a client with no cookie replays the log from its start, as before
/// snapshots, while the log is whole (one below a horizon still gets a snapshot). The benchmark's
/// baseline; never needed in production.
const SNAPSHOT_PULL_VAR: &str = "SNAPSHOT_PULL";

pub async fn handle(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request = parse_pull(&body::read(req).await?)?;
    let cookie = match request.cookie {
        Some(cookie) => cookie,
        // No `cookie` field at all: a seed-style client, which keeps its cursor in the HTTP cookie.
        None => Some(http_cookie::last_log_id(req.headers())?.unwrap_or(0)),
    };
    let snapshots_off = env
        .var(SNAPSHOT_PULL_VAR)
        .is_ok_and(|value| value.to_string() == "off");
    let cookie = if snapshots_off {
        cookie.or(Some(0))
    } else {
        cookie
    };
    let db = env.d1(d1::BINDING)?;
    let response = answer(
        &db,
        by,
        request.schema_version,
        &request.client_id,
        Read::first(cookie, request.snapshot),
    )
    .await?;
    let secure = crate::auth::session::is_https(req);
    let mut http = Response::from_json(&response)?;
    http.headers_mut().set(
        "Set-Cookie",
        &http_cookie::set_last_log_id(response.cookie, secure, &by.workspace_id),
    )?;
    Ok(http)
}

/// Reads until there is an answer (the steps, and when a read turns into another, are
/// [`shared::snapshot`]'s).
async fn answer(
    db: &worker::D1Database,
    by: &Actor,
    schema_version: u64,
    client_id: &uuid::Uuid,
    mut read: Read,
) -> Result<PullResponse, ApiError> {
    loop {
        let step = match read {
            Read::Log(cookie) => log_step(
                by,
                schema_version,
                cookie,
                d1::pull_read(db, by, client_id, cookie).await?,
            )?,
            Read::Snapshot(from) => page_step(
                by,
                schema_version,
                from.as_ref(),
                d1::snapshot_page(db, by, client_id, from.as_ref()).await?,
            )?,
        };
        match step {
            Step::Answer(response) => return Ok(response),
            Step::Read(next) => read = next,
        }
    }
}
