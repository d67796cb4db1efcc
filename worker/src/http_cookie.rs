//! The `lastLogId` HTTP cookie: the pull cursor for clients that send no `cookie` in the body
//! (seed-style clients, curl). Our own client keeps its cursor in its base database instead.

use cookie::{Cookie, SameSite};
use shared::ProtocolError;
use shared::protocol::{COOKIE_NAME, parse_cookie_value};
use worker::Headers;

/// The cursor in the request's `Cookie` header, if it has one.
pub fn last_log_id(headers: &Headers) -> Result<Option<u64>, ProtocolError> {
    let header = headers.get("Cookie").ok().flatten().unwrap_or_default();
    Cookie::split_parse(header.as_str())
        .flatten()
        .find(|cookie| cookie.name() == COOKIE_NAME)
        .map(|cookie| parse_cookie_value(cookie.value()))
        .transpose()
}

/// The `Set-Cookie` value that stores `cookie` as the cursor in `workspace` (each workspace's pulls
/// have their own, by path); `Secure` when the request came over https (a deployment), not over
/// plain http (`wrangler dev`).
pub fn set_last_log_id(cookie: u64, secure: bool, workspace: &uuid::Uuid) -> String {
    Cookie::build((COOKIE_NAME, cookie.to_string()))
        .path(format!("/api/workspaces/{workspace}"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
        .to_string()
}
