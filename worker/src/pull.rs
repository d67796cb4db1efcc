//! `POST /api/workspaces/{id}/pull`: the workspace's log entries after the client's cookie, a page at
//! a time, for a member of it (checked in the same D1 batch that reads the page).

use shared::Actor;
use shared::protocol::parse_pull;
use shared::server::pull_response;
use worker::{Env, Request, Response};

use crate::{body, d1, error::ApiError, http_cookie};

pub async fn handle(req: &mut Request, env: &Env, by: &Actor) -> Result<Response, ApiError> {
    let request = parse_pull(&body::read(req).await?)?;
    let cookie = match request.cookie {
        Some(Some(cookie)) => cookie,
        // `"cookie": null`: a new client starts from the beginning.
        Some(None) => 0,
        // No `cookie` field at all: a seed-style client, which keeps its cursor in the HTTP cookie.
        None => http_cookie::last_log_id(req.headers())?.unwrap_or(0),
    };
    let db = env.d1(d1::BINDING)?;
    let snapshot = d1::pull_snapshot(&db, by, &request.client_id, cookie).await?;
    let response = pull_response(by, cookie, snapshot)?;
    // The raw URL, not `req.url()`: parsing it would link the url crate's IDNA tables (~180 KB).
    let secure = req.inner().url().starts_with("https:");
    let mut http = Response::from_json(&response)?;
    http.headers_mut().set(
        "Set-Cookie",
        &http_cookie::set_last_log_id(response.cookie, secure, &by.workspace_id),
    )?;
    Ok(http)
}
