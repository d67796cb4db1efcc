//! Personal API tokens: `trk_` and 256 random bits, shown once when made, stored as their SHA-256.
//! A token acts as the member who made it, in the workspace it was made for, until revoked (or until
//! that member is removed, which deletes their tokens).
//!
//! Finding a token's member is a D1 read. The isolate remembers what it found ([`remembered`]), so
//! the routes that check the token again in the very batch that does their work (push, pull, the
//! live socket: `Actor::token_id`) skip that read when the isolate has seen the token before. What
//! is remembered never lets anyone in: a token gone from D1 is refused by that batch, and forgotten.

use shared::ProtocolError;
use std::cell::RefCell;
use std::collections::HashMap;

use shared::session::encode_secret;
use uuid::Uuid;
use worker::{D1Database, Request};

use super::{Caller, random_bytes};
use crate::d1;
use crate::error::ApiError;

/// What every API token starts with, so one is easy to recognise (and to scan for in leaks).
pub const PREFIX: &str = "trk_";

const SELECT_TOKEN: &str =
    "SELECT id, member_id, workspace_id FROM api_token WHERE token_hash = ?1";

/// A new token's secret.
pub fn new_secret() -> Result<String, ApiError> {
    Ok(encode_secret(PREFIX, &random_bytes()?))
}

/// The bearer token the request carries, if it has an `Authorization` header.
pub fn bearer(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(header) = req.headers().get("Authorization")? else {
        return Ok(None);
    };
    match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ProtocolError::unauthenticated(
            "the Authorization header must be `Bearer <API token>`",
        )
        .into()),
    }
}

/// How many tokens an isolate remembers; past it, it starts over.
const MAX_REMEMBERED: usize = 1024;

thread_local! {
    /// Who each token this isolate looked up stands for, by the token's hash.
    static REMEMBERED: RefCell<HashMap<String, Caller>> = RefCell::new(HashMap::new());
}

/// Who the token with this hash stood for when this isolate last looked it up, if it did.
pub fn remembered(hash: &str) -> Option<Caller> {
    REMEMBERED.with(|known| known.borrow().get(hash).copied())
}

fn remember(hash: &str, caller: Caller) {
    REMEMBERED.with(|known| {
        let mut known = known.borrow_mut();
        if known.len() >= MAX_REMEMBERED {
            known.clear();
        }
        known.insert(hash.to_owned(), caller);
    });
}

/// Forgets the token with this hash: a batch found it gone.
pub fn forget(hash: &str) {
    REMEMBERED.with(|known| known.borrow_mut().remove(hash));
}

/// The caller the token with this hash stands for: one D1 read.
pub async fn caller(db: &D1Database, hash: &str) -> Result<Caller, ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        id: String,
        member_id: String,
        workspace_id: String,
    }
    let row: Option<Row> = d1::first(db, SELECT_TOKEN, &[hash.into()]).await?;
    let row = row.ok_or_else(|| {
        ProtocolError::unauthenticated("this API token is not valid: it was revoked, or never made")
    })?;
    let id = |text: &str| {
        Uuid::parse_str(text).map_err(|err| ApiError::internal("a stored token's ids", err))
    };
    let caller = Caller::Token {
        member_id: id(&row.member_id)?,
        workspace_id: id(&row.workspace_id)?,
        token_id: id(&row.id)?,
    };
    remember(hash, caller);
    Ok(caller)
}
