//! Sign-in links for another device. A signed-in member asks for one (`POST /api/devices/link`) and
//! opens `/signin?device=<token>` on the other device (or scans its QR code); that page signs it in
//! (`POST /api/devices/accept`) as the same member, in the same workspaces. A link signs in once,
//! within ten minutes; only the SHA-256 of its secret is stored; asking for links is rate limited per
//! member and using them per address, like invites.

use serde::Deserialize;
use shared::account::{CreatedDeviceLink, DEVICE_LINK_MS, DeviceToken};
use shared::api;
use shared::session::{encode_secret, hash_secret};
use shared::{ErrorCode, ProtocolError, SqlValue, Statement};
use uuid::Uuid;
use worker::{Env, Request, Response};

use super::SignIn;
use crate::auth::session::SignInMethod;
use crate::auth::{self, now, random_bytes};
use crate::error::ApiError;
use crate::{body, d1};

const PREFIX: &str = "dev_";
/// The most unused links a member may hold at once: a new one past that is refused.
const MAX_OPEN_LINKS: u64 = 5;

/// `?1` member, `?2` now: their links still standing (expired ones are deleted first).
const DELETE_EXPIRED: &str = "DELETE FROM device_link WHERE member_id = ?1 AND expires_at <= ?2";
const COUNT_OPEN: &str = "SELECT COUNT(*) AS open FROM device_link WHERE member_id = ?1";
const INSERT_LINK: &str = "INSERT INTO device_link (token_hash, member_id, created_at, expires_at) \
     VALUES (?1, ?2, ?3, ?4)";
const SELECT_LINK: &str = "SELECT member_id, expires_at FROM device_link WHERE token_hash = ?1";
/// Uses the link up: whoever deletes it signs in, so two devices racing with one link cannot both.
const USE_LINK: &str = "DELETE FROM device_link WHERE token_hash = ?1 AND expires_at > ?2";
const DELETE_LINK: &str = "DELETE FROM device_link WHERE token_hash = ?1";

/// `POST /api/devices/link` (a signed-in session; not an API token).
pub async fn create(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let _: serde_json::Map<String, serde_json::Value> = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    #[derive(Deserialize)]
    struct Open {
        open: u64,
    }
    let member = SqlValue::from(current.member_id.to_string());
    let now = now();
    d1::run(
        &db,
        &[Statement::new(
            DELETE_EXPIRED,
            vec![member.clone(), now.into()],
        )],
    )
    .await?;
    let open: Option<Open> = d1::first(&db, COUNT_OPEN, std::slice::from_ref(&member)).await?;
    if open.map_or(0, |row| row.open) >= MAX_OPEN_LINKS {
        return Err(ProtocolError::new(
            ErrorCode::LimitReached,
            format!(
                "you have {MAX_OPEN_LINKS} unused sign-in links: use one, or wait ten minutes for \
                 them to expire"
            ),
        )
        .into());
    }
    let link = CreatedDeviceLink {
        token: encode_secret(PREFIX, &random_bytes()?),
        expires_at: now + DEVICE_LINK_MS,
    };
    d1::run(
        &db,
        &[Statement::new(
            INSERT_LINK,
            vec![
                hash_secret(&link.token).into(),
                member,
                now.into(),
                link.expires_at.into(),
            ],
        )],
    )
    .await?;
    Ok(Response::from_json(&link)?.with_status(201))
}

/// `POST /api/devices/accept` (no session needed: the link's secret instead).
pub async fn accept(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    #[derive(Deserialize)]
    struct Link {
        member_id: String,
        expires_at: u64,
    }
    let request: DeviceToken = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let hash = SqlValue::from(hash_secret(&request.token));
    let now = now();
    let link: Option<Link> = d1::first(&db, SELECT_LINK, std::slice::from_ref(&hash)).await?;
    let not_valid = || {
        ProtocolError::new(
            ErrorCode::NotFound,
            "this sign-in link is not valid: it was used already, or never made",
        )
    };
    let link = link.ok_or_else(not_valid)?;
    if link.expires_at <= now {
        d1::run(&db, &[Statement::new(DELETE_LINK, vec![hash])]).await?;
        return Err(ProtocolError::new(
            ErrorCode::Expired,
            "this sign-in link has expired (they last ten minutes): make a new one on your other \
             device",
        )
        .into());
    }
    let used =
        d1::changes_in_batch(&db, &[Statement::new(USE_LINK, vec![hash, now.into()])]).await?;
    if used.first().copied().unwrap_or(0) == 0 {
        return Err(not_valid().into());
    }
    let member_id = Uuid::parse_str(&link.member_id)
        .map_err(|err| ApiError::internal("a device link's member", err))?;
    let sign_in = SignIn {
        member_id,
        statements: Vec::new(),
        signed_in: false,
    };
    super::signed_in_answer(req, env, &db, &sign_in, SignInMethod::Device, 200).await
}
