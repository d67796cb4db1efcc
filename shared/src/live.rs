//! The live channel: `GET /api/workspaces/{id}/live?clientId=…`, upgraded to a WebSocket, tells a
//! member's open tracker the moment the workspace's log grows, so it never polls while connected.
//!
//! After a push applies something, the worker reads the workspace's newest log entries
//! ([`SELECT_NEWEST_LOG`]) and hands them to the workspace's Durable Object as a [`Fanout`], which
//! sends every socket of that workspace a [`Poke`]: the new head `cookie` and, when the newest
//! entries are small, the entries themselves after `base`. A replica whose cookie is in
//! `base..cookie` applies the entries after its own cookie without a pull; any other replica pulls.
//! Each socket's copy marks that socket's own client's entries with their mutation id, as a pull
//! does (no other client's id leaves the server). A poke lost, late or repeated changes nothing: the
//! pull stays the source of truth.
//!
//! The client sends [`PING`] at most every [`HEARTBEAT_MS`]; the object answers [`PONG`] without
//! waking. The object closes a socket with [`CLOSE_SIGNED_OUT`] when the session it opened with
//! has expired or its API token was revoked, and [`CLOSE_REMOVED`] when its member was removed:
//! told so by the route that did it, and checked again at every poke (the members and tokens are
//! read with the entries), so no poke reaches them either way. Anything a client sends but a ping
//! closes its socket ([`CLOSE_POLICY`]); a member's socket past [`MAX_SOCKETS_PER_MEMBER`] closes
//! their oldest ([`CLOSE_TOO_MANY`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ErrorCode, ProtocolError};
use crate::protocol::{LogEntry, PULL_ENTRY_OVERHEAD_BYTES};
use crate::statement::SqlValue;

/// A poke carries at most this many entries...
pub const POKE_MAX_ENTRIES: usize = 20;
/// ... and at most about this many bytes of them (counted as a pull page counts them); past either,
/// it carries only the new cookie and its readers pull.
pub const POKE_MAX_BYTES: usize = 16 * 1024;
/// What the client sends to keep its socket's path alive, and what it hears back.
pub const PING: &str = "ping";
pub const PONG: &str = "pong";
/// The client pings this often while connected (intermediaries drop sockets idle for about 100 s);
/// no answer within [`PONG_WITHIN_MS`] means the socket is dead.
pub const HEARTBEAT_MS: u64 = 25_000;
pub const PONG_WITHIN_MS: u64 = 10_000;
/// Close codes (4000–4999 are the application's): the session this socket opened with has expired,
/// or the API token it opened with was revoked; sign in again.
pub const CLOSE_SIGNED_OUT: u16 = 4001;
/// ... its member was removed from the workspace.
pub const CLOSE_REMOVED: u16 = 4003;
/// ... its member opened more than [`MAX_SOCKETS_PER_MEMBER`] sockets in the workspace, and this one
/// was the oldest. The client reconnects after its backoff, as after any drop.
pub const CLOSE_TOO_MANY: u16 = 4008;
/// The standard code for a message that is not the protocol's: the client sends only [`PING`].
pub const CLOSE_POLICY: u16 = 1008;
/// The standard code for a server going away to restart (a deploy): the client reconnects after its
/// backoff. The tests' injected drops use it too.
pub const CLOSE_RESTART: u16 = 1012;
/// The most sockets one member may hold open in one workspace (a tab each): a new one past it closes
/// their oldest.
pub const MAX_SOCKETS_PER_MEMBER: usize = 20;

/// `?1` workspace, `?2` how many: the workspace's newest log entries, newest first.
pub const SELECT_NEWEST_LOG: &str = "SELECT id, client_id, member_id, mutation_id, name, args, \
     issue_number, private_to FROM mutation_log WHERE workspace_id = ?1 ORDER BY id DESC LIMIT ?2";

/// `?1` workspace: its members now. Read with the newest entries, so that a poke never reaches the
/// socket of someone removed, even if closing their sockets at removal failed.
pub const SELECT_MEMBERS: &str = "SELECT member_id FROM membership WHERE workspace_id = ?1";
/// `?1` workspace: its API tokens now, for the same reason (a revoked token's socket).
pub const SELECT_TOKENS: &str = "SELECT id FROM api_token WHERE workspace_id = ?1";

/// The parameters of [`SELECT_NEWEST_LOG`]: one entry past what a poke may carry, so the entry just
/// before the carried ones (the poke's `base`) is known.
pub fn newest_log_params(workspace_id: &Uuid) -> Vec<SqlValue> {
    vec![
        workspace_id.to_string().into(),
        (POKE_MAX_ENTRIES as u64 + 1).into(),
    ]
}

/// What the server sends on the live channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum LiveMessage {
    Poke(Poke),
    /// The workspace's members changed (someone joined or was removed): read
    /// `GET /api/workspaces/{id}/members` again for their names. Carries nothing itself, so no
    /// member's name reaches a socket the members route would not show it to.
    Members,
    /// The workspace's own settings changed (its issue key): read `GET /api/session` again.
    /// Carries nothing itself, for the same reason.
    Workspace,
}

/// The workspace's log grew.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Poke {
    /// The workspace's newest log id: a replica below it has something to catch up on.
    pub cookie: u64,
    /// When the poke carries entries: the log id they follow. They are every entry of the workspace
    /// in `base..=cookie` that its socket's member may read (all but other members' private ones),
    /// in order. Absent: the poke carries nothing; pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mutations: Vec<LogEntry>,
}

impl Poke {
    /// The carried entries a replica at `cookie` lacks, when they are exactly what it lacks: its
    /// cookie is at or after `base` and before the head. `None`: pull instead.
    pub fn entries_after(&self, cookie: u64) -> Option<&[LogEntry]> {
        let base = self.base?;
        if cookie < base || cookie >= self.cookie {
            return None;
        }
        let start = self
            .mutations
            .partition_point(|entry| entry.log_id <= cookie);
        Some(&self.mutations[start..])
    }
}

/// What the worker hands the workspace's object after a push: the poke for every socket, with each
/// entry's client so that each socket's copy can mark its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fanout {
    pub cookie: u64,
    pub base: Option<u64>,
    pub entries: Vec<FanoutEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FanoutEntry {
    /// With no `id`: that is filled in for its own client's socket only.
    pub entry: LogEntry,
    pub client_id: Uuid,
    pub mutation_id: u64,
    /// The member a private entry is for: only their sockets' copies carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_to: Option<Uuid>,
}

/// One row of [`SELECT_NEWEST_LOG`].
#[derive(Debug, Clone, Deserialize)]
pub struct NewestLogRow {
    pub id: u64,
    pub client_id: String,
    pub member_id: String,
    pub mutation_id: u64,
    pub name: String,
    pub args: String,
    #[serde(default)]
    pub issue_number: Option<u64>,
    #[serde(default)]
    pub private_to: Option<String>,
}

impl Fanout {
    /// The fan-out of the workspace's newest entries (newest first, as [`SELECT_NEWEST_LOG`] reads
    /// them): as many of the newest as fit in [`POKE_MAX_ENTRIES`] and [`POKE_MAX_BYTES`], after
    /// the entry just older than them, or, when they are all the workspace's log holds, after its
    /// compaction `horizon` (0 for a log never compacted): a replica below the horizon must pull (and
    /// get a snapshot), never take the entries. `None` for a workspace with no entries.
    pub fn from_newest(
        rows: &[NewestLogRow],
        horizon: u64,
    ) -> Result<Option<Fanout>, ProtocolError> {
        let Some(head) = rows.first() else {
            return Ok(None);
        };
        let mut bytes = 0;
        let mut carried = 0;
        for row in rows.iter().take(POKE_MAX_ENTRIES) {
            bytes += row.args.len() + PULL_ENTRY_OVERHEAD_BYTES;
            if bytes > POKE_MAX_BYTES {
                break;
            }
            carried += 1;
        }
        // The rows are one more than a poke may carry, so when none is left over, every entry the
        // workspace has was carried: they follow its horizon.
        let base = rows.get(carried).map_or(horizon, |older| older.id);
        if carried == 0 {
            return Ok(Some(Fanout {
                cookie: head.id,
                base: None,
                entries: Vec::new(),
            }));
        }
        let entries = rows[..carried]
            .iter()
            .rev()
            .map(FanoutEntry::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Fanout {
            cookie: head.id,
            base: Some(base),
            entries,
        }))
    }

    /// Only what came after `poked`, the cookie of the object's previous poke: every socket that
    /// took that one lacks no more, so the others' bytes are not sent again (a socket that missed
    /// it pulls). `None` when nothing is newer. Without a previous poke in memory (the object
    /// just woke), or one older than what this fan-out carries, it stays as it is.
    pub fn since(mut self, poked: Option<u64>) -> Option<Fanout> {
        let Some(poked) = poked else {
            return Some(self);
        };
        if poked >= self.cookie {
            return None;
        }
        if let Some(base) = self.base
            && poked > base
        {
            self.entries.retain(|fanout| fanout.entry.log_id > poked);
            self.base = Some(poked);
        }
        Some(self)
    }

    /// The poke for a socket of `client_id` whose member is `member_id`: its own entries carry
    /// their mutation id, and other members' private entries are left out.
    pub fn poke_to(&self, client_id: &Uuid, member_id: &Uuid) -> Poke {
        Poke {
            cookie: self.cookie,
            base: self.base,
            mutations: self
                .entries
                .iter()
                .filter(|fanout| fanout.private_to.is_none_or(|to| to == *member_id))
                .map(|fanout| LogEntry {
                    id: (fanout.client_id == *client_id).then_some(fanout.mutation_id),
                    ..fanout.entry.clone()
                })
                .collect(),
        }
    }

    /// The poke for a socket of `client_id` that reads no one's private entries: what every socket
    /// without a copy of its own gets.
    pub fn poke_for(&self, client_id: &Uuid) -> Poke {
        self.poke_to(client_id, &Uuid::nil())
    }

    /// Whether any entry is `client_id`'s: its socket needs its own copy of the poke.
    pub fn has_entries_of(&self, client_id: &Uuid) -> bool {
        self.entries
            .iter()
            .any(|entry| entry.client_id == *client_id)
    }

    /// Whether a socket of `client_id` and `member_id` needs its own copy: it has entries in it, or
    /// its member has private ones.
    pub fn needs_own_copy(&self, client_id: &Uuid, member_id: &Uuid) -> bool {
        self.has_entries_of(client_id)
            || self
                .entries
                .iter()
                .any(|entry| entry.private_to == Some(*member_id))
    }
}

impl FanoutEntry {
    fn from_row(row: &NewestLogRow) -> Result<FanoutEntry, ProtocolError> {
        let uuid = |text: &str, what: &str| {
            Uuid::parse_str(text).map_err(|err| internal(format!("a log entry's {what}: {err}")))
        };
        Ok(FanoutEntry {
            entry: LogEntry {
                log_id: row.id,
                member_id: uuid(&row.member_id, "member id")?,
                id: None,
                name: row.name.clone(),
                args: serde_json::from_str(&row.args)
                    .map_err(|err| internal(format!("a log entry's args are not JSON: {err}")))?,
                number: row.issue_number,
            },
            client_id: uuid(&row.client_id, "client id")?,
            mutation_id: row.mutation_id,
            private_to: row
                .private_to
                .as_deref()
                .map(|member| uuid(member, "private member"))
                .transpose()?,
        })
    }
}

fn internal(message: String) -> ProtocolError {
    ProtocolError::new(ErrorCode::InternalError, message)
}
