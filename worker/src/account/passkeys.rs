//! Passkeys: a signed-in member registers one (`POST /api/passkeys/register/begin`, then `/finish`
//! with the authenticator's answer), and signs in with it on any device that has it, from `/signin`
//! (`POST /api/passkeys/sign-in/begin`, then `/finish`); `POST /api/passkeys/remove` forgets one.
//!
//! Each ceremony answers a challenge of the server's: 32 random bytes, stored for two minutes and
//! deleted by the answer that uses it (single use). A registration's challenge is its member's only.
//! The checks themselves (origin, relying-party id, signature, counter) are `shared::passkey`'s.

use serde::Deserialize;
use shared::account::{
    PasskeyAssertion, PasskeyChallenge, PasskeyId, PasskeyRegistration, PasskeyUser,
};
use shared::passkey::{self, CHALLENGE_MS, Credential, ES256, MAX_PER_MEMBER, RelyingParty};
use shared::{ErrorCode, ProtocolError, SqlValue, Statement, api};
use uuid::Uuid;
use worker::{D1Database, Env, Request, Response};

use super::SignIn;
use crate::auth::session::SignInMethod;
use crate::auth::{self, now, random_bytes};
use crate::error::ApiError;
use crate::{body, d1};

const INSERT_CHALLENGE: &str = "INSERT INTO passkey_challenge (id, challenge, member_id, purpose, \
     expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";
/// Expired challenges go whenever a new one is made.
const DELETE_EXPIRED: &str = "DELETE FROM passkey_challenge WHERE expires_at <= ?1";
/// `?1` id, `?2` purpose, `?3` now, `?4` member (NULL for a sign-in): uses the challenge up.
const USE_CHALLENGE: &str = "DELETE FROM passkey_challenge WHERE id = ?1 AND purpose = ?2 \
     AND expires_at > ?3 AND member_id IS ?4 RETURNING challenge";
const SELECT_NAME: &str = "SELECT name FROM member WHERE id = ?1";
const SELECT_MINE: &str = "SELECT id FROM passkey WHERE member_id = ?1";
const INSERT_PASSKEY: &str = "INSERT INTO passkey (id, member_id, name, public_key, algorithm, \
     sign_count, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING";
const SELECT_PASSKEY: &str =
    "SELECT member_id, public_key, algorithm, sign_count FROM passkey WHERE id = ?1";
/// Compare-and-set: two sign-ins racing with one counter value cannot both pass.
const USED: &str =
    "UPDATE passkey SET sign_count = ?2, used_at = ?3 WHERE id = ?1 AND sign_count = ?4";
const DELETE_PASSKEY: &str = "DELETE FROM passkey WHERE id = ?1 AND member_id = ?2";

/// What the relying party is called in the authenticator's prompt.
const RP_NAME: &str = "Tracker";

/// `POST /api/passkeys/register/begin` (signed in).
pub async fn register_begin(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let _: serde_json::Map<String, serde_json::Value> = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    #[derive(Deserialize)]
    struct Name {
        name: String,
    }
    #[derive(Deserialize)]
    struct Mine {
        id: String,
    }
    let member = SqlValue::from(current.member_id.to_string());
    let mine: Vec<Mine> = d1::all(&db, SELECT_MINE, std::slice::from_ref(&member)).await?;
    if mine.len() as u64 >= MAX_PER_MEMBER {
        return Err(ProtocolError::new(
            ErrorCode::LimitReached,
            format!("you have {MAX_PER_MEMBER} passkeys: remove one first"),
        )
        .into());
    }
    let name: Option<Name> = d1::first(&db, SELECT_NAME, std::slice::from_ref(&member)).await?;
    let mut answer = challenge(req, &db, "register", member).await?;
    answer.user = Some(PasskeyUser {
        id: passkey::encode(current.member_id.as_bytes()),
        name: name.map_or_else(String::new, |row| row.name),
    });
    answer.exclude_credentials = mine.into_iter().map(|row| row.id).collect();
    Ok(Response::from_json(&answer)?)
}

/// `POST /api/passkeys/register/finish` (signed in, as the member the challenge was made for).
pub async fn register_finish(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: PasskeyRegistration = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    let member = SqlValue::from(current.member_id.to_string());
    let challenge = use_challenge(&db, &request.challenge_id, "register", member.clone()).await?;
    let invalid = |err: passkey::PasskeyError| ProtocolError::invalid_request(err.to_string());
    let credential = passkey::verify_registration(
        &relying_party(req)?,
        &challenge,
        &passkey::decode(&request.client_data_json).map_err(invalid)?,
        &passkey::decode(&request.attestation_object).map_err(invalid)?,
    )
    .map_err(invalid)?;
    let id = passkey::encode(&credential.id);
    let inserted = d1::changes(
        &db,
        &Statement::new(
            INSERT_PASSKEY,
            vec![
                id.clone().into(),
                member,
                request.name.as_str().into(),
                passkey::encode(&credential.public_key).into(),
                SqlValue::Integer(credential.algorithm),
                u64::from(credential.sign_count).into(),
                now().into(),
            ],
        ),
    )
    .await?;
    if inserted == 0 {
        return Err(ProtocolError::invalid_request("this passkey is registered already").into());
    }
    Ok(Response::from_json(&serde_json::json!({"id": id, "name": request.name}))?.with_status(201))
}

/// `POST /api/passkeys/remove` (signed in): one of the caller's passkeys.
pub async fn remove(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let request: PasskeyId = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let current = auth::signed_in(req, env, &db).await?;
    super::delete_own(
        &db,
        DELETE_PASSKEY,
        request.id.clone().into(),
        current.member_id,
        "you have no such passkey".to_owned(),
    )
    .await?;
    Ok(Response::from_json(&request)?)
}

/// `POST /api/passkeys/sign-in/begin` (anyone; rate limited per address).
pub async fn sign_in_begin(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let _: serde_json::Map<String, serde_json::Value> = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let answer = challenge(req, &db, "sign_in", SqlValue::Null).await?;
    Ok(Response::from_json(&answer)?)
}

/// `POST /api/passkeys/sign-in/finish`: signs this browser in as the passkey's member.
pub async fn sign_in_finish(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    #[derive(Deserialize)]
    struct Stored {
        member_id: String,
        public_key: String,
        algorithm: i64,
        sign_count: u64,
    }
    let request: PasskeyAssertion = api::parse(&body::read(req).await?)?;
    let db = env.d1(d1::BINDING)?;
    let challenge = use_challenge(&db, &request.challenge_id, "sign_in", SqlValue::Null).await?;
    let refused = |err: passkey::PasskeyError| ProtocolError::unauthenticated(err.to_string());
    let stored: Option<Stored> =
        d1::first(&db, SELECT_PASSKEY, &[request.credential_id.clone().into()]).await?;
    let stored = stored.ok_or_else(|| {
        ProtocolError::unauthenticated(
            "this passkey is not registered here (removed, or made for another deployment)",
        )
    })?;
    let member_id = Uuid::parse_str(&stored.member_id)
        .map_err(|err| ApiError::internal("a passkey's member", err))?;
    // The authenticator says whose passkey it is: it must be the stored one's member.
    if let Some(handle) = &request.user_handle
        && passkey::decode(handle).map_err(refused)? != member_id.as_bytes()
    {
        return Err(ProtocolError::unauthenticated("this passkey is another member's").into());
    }
    let credential = Credential {
        id: passkey::decode(&request.credential_id).map_err(refused)?,
        public_key: passkey::decode(&stored.public_key).map_err(refused)?,
        algorithm: stored.algorithm,
        sign_count: u32::try_from(stored.sign_count).unwrap_or(u32::MAX),
    };
    if credential.algorithm != ES256 {
        return Err(refused(passkey::PasskeyError::Unsupported).into());
    }
    let count = passkey::verify_assertion(
        &relying_party(req)?,
        &challenge,
        &credential,
        &passkey::decode(&request.client_data_json).map_err(refused)?,
        &passkey::decode(&request.authenticator_data).map_err(refused)?,
        &passkey::decode(&request.signature).map_err(refused)?,
    )
    .map_err(refused)?;
    let used = d1::changes(
        &db,
        &Statement::new(
            USED,
            vec![
                request.credential_id.into(),
                u64::from(count).into(),
                now().into(),
                stored.sign_count.into(),
            ],
        ),
    )
    .await?;
    if used == 0 {
        return Err(refused(passkey::PasskeyError::CounterWentBack).into());
    }
    let sign_in = SignIn {
        member_id,
        statements: Vec::new(),
        signed_in: false,
    };
    super::signed_in_answer(req, env, &db, &sign_in, SignInMethod::Passkey, 200).await
}

/// A new challenge for `purpose`, bound to `member` (NULL for a sign-in).
async fn challenge(
    req: &Request,
    db: &D1Database,
    purpose: &str,
    member: SqlValue,
) -> Result<PasskeyChallenge, ApiError> {
    let rp = relying_party(req)?;
    let id = Uuid::new_v4();
    let challenge = passkey::encode(&random_bytes()?);
    let now = now();
    d1::run(
        db,
        &[
            Statement::new(DELETE_EXPIRED, vec![now.into()]),
            Statement::new(
                INSERT_CHALLENGE,
                vec![
                    id.to_string().into(),
                    challenge.clone().into(),
                    member,
                    purpose.into(),
                    (now + CHALLENGE_MS).into(),
                ],
            ),
        ],
    )
    .await?;
    Ok(PasskeyChallenge {
        challenge_id: id,
        challenge,
        rp_id: rp.id,
        rp_name: RP_NAME.to_owned(),
        user: None,
        exclude_credentials: Vec::new(),
        algorithms: vec![ES256],
        timeout_ms: CHALLENGE_MS,
    })
}

/// Uses up challenge `id` made for `purpose` (and `member`): its bytes; `410 Expired` when it is
/// unknown, used, expired, or made for someone else.
async fn use_challenge(
    db: &D1Database,
    id: &Uuid,
    purpose: &str,
    member: SqlValue,
) -> Result<Vec<u8>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        challenge: String,
    }
    let params = [id.to_string().into(), purpose.into(), now().into(), member];
    let row: Option<Row> = d1::first(db, USE_CHALLENGE, &params).await?;
    let row = row.ok_or_else(|| {
        ProtocolError::new(
            ErrorCode::Expired,
            "this passkey challenge was used already, has expired (two minutes), or is not yours: \
             start again",
        )
    })?;
    passkey::decode(&row.challenge)
        .map_err(|err| ApiError::internal("a stored challenge", err.to_string()))
}

/// This deployment as a relying party: the host and origin the request came to.
fn relying_party(req: &Request) -> Result<RelyingParty, ApiError> {
    RelyingParty::from_url(&req.inner().url())
        .ok_or_else(|| ApiError::internal("the relying party", "the request's URL has no host"))
}
