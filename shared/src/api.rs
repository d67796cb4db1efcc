//! The workspace API around the sync protocol: setting up a workspace, who is signed in, invite links,
//! members and API tokens. JSON, camelCase, errors in the protocol's shape (`{"error", "message"}`).
//! The routes are listed in docs/protocol.md; the worker's `auth` module serves them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ProtocolError, quote};
use crate::mutations::fields::check_single_line;

/// How long an invite link lasts unless its creator says otherwise: 7 days.
pub const DEFAULT_INVITE_SECONDS: u64 = 7 * 24 * 60 * 60;
/// The longest an invite link may last: 30 days.
pub const MAX_INVITE_SECONDS: u64 = 30 * 24 * 60 * 60;
/// The most API tokens a member may hold in one workspace (each poke reads the workspace's tokens).
pub const MAX_TOKENS_PER_MEMBER: u64 = 20;

/// A workspace's, a member's or an API token's name: 1 to 80 characters once trimmed, on one line
/// ([`check_single_line`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 80;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        let value = value.trim().to_owned();
        let chars = value.chars().count();
        if !(1..=Self::MAX_CHARS).contains(&chars) {
            return Err(format!(
                "a name must be 1 to {} characters after trimming, got {chars}",
                Self::MAX_CHARS
            ));
        }
        check_single_line("a name", &value)?;
        Ok(Name(value))
    }
}

impl From<Name> for String {
    fn from(value: Name) -> String {
        value.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Created the workspace: invites and removes members.
    Owner,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "owner" => Some(Role::Owner),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// `POST /api/setup`: a new workspace, with the caller as its owner. `name` is the owner's display
/// name, needed unless the caller is signed in already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetupRequest {
    /// The deployment's `SETUP_TOKEN`.
    pub token: String,
    pub workspace_name: Name,
    #[serde(default)]
    pub name: Option<Name>,
    /// The workspace's issue key (`TRK` in TRK-42); made from its name when absent.
    #[serde(default)]
    pub issue_key: Option<crate::numbers::IssueKey>,
}

/// `POST /api/workspaces/{id}/issue-key` (owners): the workspace's new issue key. Numbers stay; every
/// issue reads with the new key, and addresses written with the old one still open their issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetIssueKey {
    pub issue_key: crate::numbers::IssueKey,
}

/// `POST /api/invites/preview`: what an invite link leads to, before joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteToken {
    pub token: String,
}

/// `POST /api/invites/accept`: join the invite's workspace. `name` is needed unless signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptInvite {
    pub token: String,
    #[serde(default)]
    pub name: Option<Name>,
}

/// The answer to a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitePreview {
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub expires_at: u64,
}

/// Who is signed in, and their workspaces: `GET /api/session`, and the answer to setup and accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub member: MemberInfo,
    pub workspaces: Vec<WorkspaceInfo>,
}

impl SessionInfo {
    /// Whose replica a page of `workspace` opens, and whether it is the legacy workspace's (which
    /// keeps this browser's replica from before workspaces); `None` when the member is not in it.
    pub fn replica_of(&self, workspace: Uuid) -> Option<(crate::Actor, bool)> {
        let found = self.workspaces.iter().find(|w| w.id == workspace)?;
        Some((crate::Actor::new(found.id, self.member.id), found.legacy))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceInfo {
    pub id: Uuid,
    pub name: String,
    /// The caller's role in it.
    pub role: Role,
    /// The first workspace, holding what a deployment had before workspaces: a browser's replica
    /// from then belongs to it.
    #[serde(default)]
    pub legacy: bool,
    /// Its issue key (`TRK` in TRK-42); absent from a server before issue numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_key: Option<crate::numbers::IssueKey>,
}

impl WorkspaceInfo {
    /// Its issue key, or one made from its name for a server that sent none.
    pub fn key(&self) -> crate::numbers::IssueKey {
        self.issue_key
            .clone()
            .unwrap_or_else(|| crate::numbers::IssueKey::from_name(&self.name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberInfo {
    pub id: Uuid,
    pub name: String,
}

/// `GET /api/workspaces/{id}/members`: the members; the open invites (owners only); the caller's own
/// API tokens (never their secrets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Members {
    pub members: Vec<Membership>,
    /// People who were members and were removed: their names stay on what they wrote.
    #[serde(default)]
    pub former: Vec<FormerMember>,
    pub invites: Vec<InviteInfo>,
    pub tokens: Vec<TokenInfo>,
    /// The caller's own member id: all a client holding only an API token (the CLI) has to learn who
    /// it is. Absent from a server before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub you: Option<Uuid>,
    /// The workspace itself (its name, the caller's role, its issue key). Absent from a server
    /// before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<WorkspaceInfo>,
}

/// Someone removed from the workspace, by the name they had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormerMember {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteInfo {
    pub id: Uuid,
    pub created_at: u64,
    pub expires_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: u64,
}

/// `POST /api/workspaces/{id}/invites` (owners): a new invite link, lasting `expiresInSeconds`
/// (1 second to 30 days; 7 days when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateInvite {
    #[serde(default)]
    pub expires_in_seconds: Option<u64>,
}

impl CreateInvite {
    /// The invite's lifetime in milliseconds, within the limits.
    pub fn lifetime_ms(&self) -> Result<u64, ProtocolError> {
        let seconds = self.expires_in_seconds.unwrap_or(DEFAULT_INVITE_SECONDS);
        if !(1..=MAX_INVITE_SECONDS).contains(&seconds) {
            return Err(ProtocolError::invalid_request(format!(
                "expiresInSeconds must be 1 to {MAX_INVITE_SECONDS}, got {seconds}"
            )));
        }
        Ok(seconds * 1000)
    }
}

/// A new invite: its secret `token` is shown this once (the link is `/join?invite=<token>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInvite {
    pub id: Uuid,
    pub token: String,
    pub expires_at: u64,
}

/// `POST /api/workspaces/{id}/tokens`: a new personal API token for this workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateToken {
    pub name: Name,
}

/// A new API token: its secret is shown this once; the server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub token: String,
}

/// `POST .../invites/revoke` and `.../tokens/revoke`: which one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ById {
    pub id: Uuid,
}

/// `POST .../members/remove` (owners): whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveMember {
    pub member_id: Uuid,
}

/// `POST .../members/budget` (owners): `extra` mutations beyond the deployment's daily budget for
/// `memberId`, for today (UTC): a large import. At most [`crate::server::MAX_GRANT`]; a second grant
/// the same day replaces the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantBudget {
    pub member_id: Uuid,
    pub extra: u64,
}

impl GrantBudget {
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.extra > crate::server::MAX_GRANT {
            return Err(ProtocolError::invalid_request(format!(
                "extra must be 0 to {}, got {}",
                crate::server::MAX_GRANT,
                self.extra
            )));
        }
        Ok(())
    }
}

/// The member's day after a grant: what they have used and may use until midnight UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    pub member_id: Uuid,
    pub used: u64,
    pub budget: u64,
}

/// Parses an API request body, or says what is wrong with it (`400 InvalidRequest`).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ProtocolError> {
    serde_json::from_slice(body).map_err(|err| {
        ProtocolError::invalid_request(format!("invalid request: {}", quote(&err.to_string())))
    })
}
