//! The account API's bodies (`worker/src/account/`): a member's sessions and passkeys, signing out,
//! sign-in links for another device, their name; and the workspace settings an owner changes. JSON
//! in camelCase, as the rest of `api`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::Name;

/// How long a session may be renewed for, from when it signed in: past that, sign in again (and
/// the daily compaction deletes its row).
pub const SESSION_MAX_AGE_MS: u64 = 90 * 24 * 60 * 60 * 1000;
/// How long a sign-in link for another device stands.
pub const DEVICE_LINK_MS: u64 = 10 * 60 * 1000;
/// The longest User-Agent kept with a session.
pub const MAX_USER_AGENT_CHARS: usize = 300;

/// `GET /api/account`: the caller's signed-in devices and passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub sessions: Vec<SessionListing>,
    pub passkeys: Vec<PasskeyInfo>,
}

/// One signed-in device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionListing {
    pub id: Uuid,
    /// "Chrome on Linux", from the User-Agent it signed in with ([`describe_device`]).
    pub device: String,
    /// How it signed in: `setup`, `invite`, `device`, `passkey` or `upgraded`.
    pub method: String,
    pub started_at: u64,
    pub seen_at: u64,
    /// The session this request came with.
    pub current: bool,
}

/// A registered passkey (never its key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: u64,
    #[serde(default)]
    pub used_at: Option<u64>,
}

/// `POST /api/session/sign-out`: this device, or (`everywhere`) every session of the member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignOut {
    #[serde(default)]
    pub everywhere: bool,
}

/// A new sign-in link for another device: its secret is shown this once (the link is
/// `/signin?device=<token>`), good for one sign-in within [`DEVICE_LINK_MS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedDeviceLink {
    pub token: String,
    pub expires_at: u64,
}

/// `POST /api/devices/accept`: signs this browser in with a device link's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceToken {
    pub token: String,
}

/// `POST /api/profile`: the caller's display name, everywhere they are a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetName {
    pub name: Name,
}

/// `POST /api/workspaces/{id}/owner` (owners): hands the workspace to another member; the caller
/// stays, as a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferOwnership {
    pub member_id: Uuid,
}

/// A browser and system in words, from a User-Agent header: enough to tell one's devices apart in
/// a list, not a fingerprint. Unknown parts read "a browser" and "an unknown system".
pub fn describe_device(user_agent: &str) -> String {
    let has = |needle: &str| user_agent.contains(needle);
    // Order matters: Edge and Opera say Chrome too, Chrome says Safari.
    let browser = if has("Edg/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("Firefox/") || has("FxiOS/") {
        "Firefox"
    } else if has("HeadlessChrome/") {
        "Headless Chrome"
    } else if has("Chrome/") || has("CriOS/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else if has("curl/") {
        "curl"
    } else {
        "a browser"
    };
    let system = if has("iPhone") {
        "iPhone"
    } else if has("iPad") {
        "iPad"
    } else if has("Android") {
        "Android"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("Windows") {
        "Windows"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {system}")
}

/// A User-Agent cut to what is kept ([`MAX_USER_AGENT_CHARS`]).
pub fn kept_user_agent(user_agent: &str) -> String {
    user_agent.chars().take(MAX_USER_AGENT_CHARS).collect()
}

/// The answer to `POST /api/passkeys/register/begin` and `/sign-in/begin`: what the page hands
/// `navigator.credentials` (binary fields in base64url). `user` only for a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyChallenge {
    pub challenge_id: Uuid,
    pub challenge: String,
    pub rp_id: String,
    pub rp_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<PasskeyUser>,
    /// The caller's passkeys already registered, which the authenticator should not make again.
    #[serde(default)]
    pub exclude_credentials: Vec<String>,
    /// COSE algorithms accepted, best first.
    pub algorithms: Vec<i64>,
    pub timeout_ms: u64,
}

/// Whom a new passkey is for: the member id's bytes (base64url), and their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyUser {
    pub id: String,
    pub name: String,
}

/// `POST /api/passkeys/register/finish`: the authenticator's answer (base64url) and a name for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyRegistration {
    pub challenge_id: Uuid,
    pub name: Name,
    pub client_data_json: String,
    pub attestation_object: String,
}

/// `POST /api/passkeys/sign-in/finish`: the authenticator's assertion (base64url).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyAssertion {
    pub challenge_id: Uuid,
    pub credential_id: String,
    pub client_data_json: String,
    pub authenticator_data: String,
    pub signature: String,
    #[serde(default)]
    pub user_handle: Option<String>,
}

/// `POST /api/passkeys/remove`: which passkey (its credential id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasskeyId {
    pub id: String,
}
