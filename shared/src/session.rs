//! Who is asking, in a form the server can check without a database: the session cookie's value is a
//! session id, a member id, when it signed in and an expiry, signed with HMAC-SHA-256 under the
//! deployment's `SESSION_KEY`. The signature says who; the session's row in D1 says it still stands
//! (signed out, revoked), and is read in the batch that does the request's work
//! (`server::SELECT_ACCESS`), never by a call of its own. And the one hash under which invite links,
//! device links and API tokens are stored. The MAC, its constant-time check and the hash come from
//! the `hmac` and `sha2` crates.

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
/// How long a session cookie lasts; the app renews it when half of that is gone.
pub const LIFETIME_MS: u64 = 30 * 24 * 60 * 60 * 1000;
/// How long a session may be renewed for, from when it signed in: past that, sign in again.
pub const MAX_AGE_MS: u64 = crate::account::SESSION_MAX_AGE_MS;
/// The shortest `SESSION_KEY` the server accepts.
pub const MIN_KEY_BYTES: usize = 32;

/// The version tag in front of a signed value, so the format can change without misreading old ones.
const VERSION: &str = "v2";
/// The tag of the first format (member and expiry, no session id), read only to upgrade it.
const VERSION_1: &str = "v1";

/// A signed-in browser: session `id` (a row of the `session` table while it stands) of `member_id`,
/// signed in at `started_at`, until `expires_at` (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub member_id: Uuid,
    pub started_at: u64,
    pub expires_at: u64,
}

/// Why a cookie value does not sign anyone in. Each is answered `401 Unauthenticated`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the session cookie is malformed")]
    Malformed,
    #[error("the session cookie's signature does not match")]
    BadSignature,
    #[error("the session has expired; sign in again")]
    Expired,
    /// A cookie of the first format, signed here and unexpired: `GET /api/session` trades it for a
    /// session of its own (unless the member signed out everywhere since `issued_at`).
    #[error("this sign-in is from an older version of the tracker: reload the page")]
    Outdated { member_id: Uuid, issued_at: u64 },
}

impl Session {
    /// A new session `id` for `member_id`, signing in at `now`.
    pub fn starting(id: Uuid, member_id: Uuid, now: u64) -> Self {
        Session {
            id,
            member_id,
            started_at: now,
            expires_at: now + LIFETIME_MS,
        }
    }

    /// The cookie's value: `v2.<session id>.<member id>.<signed in at>.<expiry>.<MAC>`.
    pub fn sign(&self, key: &[u8]) -> String {
        let payload = format!(
            "{VERSION}.{}.{}.{}.{}",
            self.id, self.member_id, self.started_at, self.expires_at
        );
        signed(key, payload)
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
        let parts: Vec<&str> = payload.split('.').collect();
        let uuid = |text: &str| Uuid::parse_str(text).map_err(|_| SessionError::Malformed);
        let time = |text: &str| text.parse::<u64>().map_err(|_| SessionError::Malformed);
        let session = match parts.as_slice() {
            [VERSION, id, member, started, expires] => Session {
                id: uuid(id)?,
                member_id: uuid(member)?,
                started_at: time(started)?,
                expires_at: time(expires)?,
            },
            [VERSION_1, member, expires] => {
                let (member_id, expires_at) = (uuid(member)?, time(expires)?);
                if expires_at <= now {
                    return Err(SessionError::Expired);
                }
                return Err(SessionError::Outdated {
                    member_id,
                    issued_at: expires_at.saturating_sub(LIFETIME_MS),
                });
            }
            _ => return Err(SessionError::Malformed),
        };
        if session.expires_at <= now {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }

    /// Past half its lifetime at `now`, and renewable: time to hand out a fresh cookie.
    pub fn wants_renewal(&self, now: u64) -> bool {
        self.expires_at.saturating_sub(now) < LIFETIME_MS / 2 && self.renewed(now) != *self
    }

    /// The same session with its cookie renewed at `now`: another [`LIFETIME_MS`], never past
    /// [`MAX_AGE_MS`] from when it signed in.
    pub fn renewed(&self, now: u64) -> Session {
        Session {
            expires_at: (now + LIFETIME_MS)
                .min(self.started_at + MAX_AGE_MS)
                .max(self.expires_at),
            ..*self
        }
    }
}

/// `payload` with its MAC under `key` after a dot.
fn signed(key: &[u8], payload: String) -> String {
    let tag = mac(key, &payload).finalize().into_bytes();
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// A first-format cookie value (`v1.<member id>.<expiry>`), as servers before sessions had rows
/// signed them: for the tests of the upgrade.
pub fn sign_outdated(member_id: Uuid, expires_at: u64, key: &[u8]) -> String {
    signed(key, format!("{VERSION_1}.{member_id}.{expires_at}"))
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
