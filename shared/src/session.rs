//! Who is asking, in a form the server can check without a database: the session cookie's value is a
//! member id and an expiry, signed with HMAC-SHA-256 under the deployment's `SESSION_KEY`. And the one
//! hash under which invite links and API tokens are stored. The MAC, its constant-time check and the
//! hash come from the `hmac` and `sha2` crates.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The cookie's name over plain http (`wrangler dev`).
pub const COOKIE: &str = "tracker_session";
/// Its name over https: the `__Host-` prefix makes the browser insist on `Secure`, `Path=/` and no
/// `Domain`, so no other host can set it.
pub const SECURE_COOKIE: &str = "__Host-tracker_session";
/// How long a session lasts; the app renews it when half of that is gone.
pub const LIFETIME_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// The shortest `SESSION_KEY` the server accepts.
pub const MIN_KEY_BYTES: usize = 32;

/// The version tag in front of a signed value, so the format can change without misreading old ones.
const VERSION: &str = "v1";

/// A signed-in member, until `expires_at` (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub member_id: Uuid,
    pub expires_at: u64,
}

/// Why a cookie value does not sign anyone in. Each is answered `401 Unauthenticated`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the session cookie is malformed")]
    Malformed,
    #[error("the session cookie's signature does not match")]
    BadSignature,
    #[error("the session has expired; open an invite link again to sign in")]
    Expired,
}

impl Session {
    /// A session for `member_id` that starts at `now`.
    pub fn starting(member_id: Uuid, now: u64) -> Self {
        Session {
            member_id,
            expires_at: now + LIFETIME_MS,
        }
    }

    /// The cookie's value: `v1.<member id>.<expiry>.<MAC>`.
    pub fn sign(&self, key: &[u8]) -> String {
        let payload = format!("{VERSION}.{}.{}", self.member_id, self.expires_at);
        let tag = mac(key, &payload).finalize().into_bytes();
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// Checks a cookie's value: signed under `key` (in constant time), and not expired at `now`.
    pub fn verify(value: &str, key: &[u8], now: u64) -> Result<Session, SessionError> {
        let (payload, tag) = value.rsplit_once('.').ok_or(SessionError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| SessionError::Malformed)?;
        mac(key, payload)
            .verify_slice(&tag)
            .map_err(|_| SessionError::BadSignature)?;
        let mut parts = payload.split('.');
        let (Some(VERSION), Some(member), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SessionError::Malformed);
        };
        let session = Session {
            member_id: Uuid::parse_str(member).map_err(|_| SessionError::Malformed)?,
            expires_at: expires.parse().map_err(|_| SessionError::Malformed)?,
        };
        if session.expires_at <= now {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }

    /// Past half its lifetime at `now`: time to hand out a fresh one.
    pub fn wants_renewal(&self, now: u64) -> bool {
        self.expires_at.saturating_sub(now) < LIFETIME_MS / 2
    }
}

fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(payload.as_bytes());
    mac
}

/// The stored form of an invite link's or an API token's secret: its SHA-256, hex. The secrets are
/// 256 random bits, so a plain hash is enough; a stolen table gives no usable secret.
pub fn hash_secret(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// A secret from 32 random bytes, with a prefix that says what it is (`trk_` for API tokens).
pub fn encode_secret(prefix: &str, random: &[u8; 32]) -> String {
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(random))
}
