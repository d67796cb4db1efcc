//! The wire protocol, schema version 3: JSON over HTTP, camelCase. `POST /api/workspaces/{id}/push` and
//! `POST /api/workspaces/{id}/pull`, as a member of that workspace (see [`crate::api`]).
//!
//! Parsing a request checks, in order: the body size (`413 PayloadTooLarge`), that it is a JSON object
//! (`400 InvalidRequest`), its `schemaVersion` (`409 VersionNotSupported`, checked before the rest of
//! the shape so a future version can change it), then its full shape and rules (`400`, `413`).

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::error::{ErrorCode, ProtocolError, quote};

/// The schema version this code speaks: 2 added priority, assignee, labels and comments; 3 issue
/// numbers, history, the trash and undo.
pub const SCHEMA_VERSION: u64 = 4;
/// The oldest schema version the server still accepts. A version-1 client pushes as before (its
/// mutations are a subset); it may pull a workspace only while that has logged nothing of a later
/// version (`409 VersionNotSupported` then, and its page reloads into the new build).
pub const MIN_SCHEMA_VERSION: u64 = 1;
/// Bodies over 1 MiB are refused whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A push carries at most this many mutations.
pub const MAX_PUSH_MUTATIONS: usize = 100;
/// A snapshot page holds at most this many rows ...
pub const SNAPSHOT_PAGE_ROWS: usize = 10_000;
/// ... and its first page at most this many: the top of the list (which shows at most 500), so a new
/// device has its first screen after one small page.
pub const SNAPSHOT_FIRST_PAGE_ROWS: usize = 500;
/// ... and at most about this many bytes of them (always at least one row).
pub const SNAPSHOT_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// What a snapshot page counts for one row besides its text: ids, times, keys and punctuation.
pub const SNAPSHOT_ROW_OVERHEAD_BYTES: usize = 256;
/// What a snapshot page counts for one of its issues' label links (two ids and punctuation).
pub const SNAPSHOT_LINK_BYTES: usize = 128;
/// The most an issue's thread may hold, counted as a snapshot page counts it (each comment's text in
/// UTF-8 plus [`SNAPSHOT_ROW_OVERHEAD_BYTES`]): a comment that would take it past this is refused
/// (`addComment`, `editComment`), so that the largest issue, with all its comments and links, still
/// fits one snapshot page with room to spare.
pub const MAX_THREAD_BYTES: usize = 2 * 1024 * 1024;
/// The most labels a workspace may have: every one rides on a snapshot's first page.
pub const MAX_LABELS: usize = 200;
/// What a snapshot's first page keeps free for the workspace's labels: each counted at the longest
/// name (40 characters of up to 4 bytes) plus a row's overhead. Its issues get the rest.
pub const SNAPSHOT_LABELS_BYTES: usize =
    MAX_LABELS * (crate::mutations::fields::LabelName::MAX_CHARS * 4 + SNAPSHOT_ROW_OVERHEAD_BYTES);
/// A pull returns at most this many log entries; `hasMore` says there are more.
pub const PULL_PAGE_SIZE: usize = 1000;
/// ... and at most about this many bytes of entries (always at least one entry), so no run of large
/// entries can make a page exceed D1's result limit or the isolate's memory.
pub const PULL_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// What a pull page counts for one entry besides its args: ids, name and JSON punctuation.
pub const PULL_ENTRY_OVERHEAD_BYTES: usize = 256;
/// Integers travel through D1 as JavaScript doubles, exact up to 2^53 - 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The HTTP cookie holding the pull cursor for clients that do not send `cookie` in the body.
pub const COOKIE_NAME: &str = "lastLogId";

/// `POST /api/push` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRequest {
    pub client_id: Uuid,
    pub schema_version: u64,
    pub mutations: Vec<PushMutation>,
}

/// One mutation as the client sends it. `args` stays raw JSON here: a bad `args` or an unknown `name`
/// rejects that one mutation, not the whole push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushMutation {
    /// The client's own mutation id: consecutive, starting at 1.
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub args: serde_json::Value,
    /// When the client made it, epoch milliseconds; informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
}

/// `200` answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResponse {
    /// The highest mutation id of this client the server has processed, applied or rejected.
    pub last_mutation_id: u64,
    /// Mutations of this push that were processed and rejected; they changed nothing.
    pub rejected: Vec<RejectedMutation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedMutation {
    pub id: u64,
    pub error: ErrorCode,
    pub message: String,
}

impl RejectedMutation {
    /// Mutation `id` of a push, rejected for `err`.
    pub fn new(id: u64, err: &crate::error::MutationError) -> Self {
        RejectedMutation {
            id,
            error: err.code(),
            message: err.to_string(),
        }
    }
}

/// `POST /api/pull` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequest {
    pub client_id: Uuid,
    pub schema_version: u64,
    /// `None`: the field is absent (use the `lastLogId` HTTP cookie); `Some(None)`: `null`, a new
    /// client; `Some(Some(n))`: the highest log id the client has applied.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub cookie: Option<Option<u64>>,
    /// Continues a snapshot: the `next` of its previous page. The server then ignores `cookie`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotCursor>,
}

/// Where the next page of a snapshot starts: the snapshot's cookie (from its first page) and, in its
/// table, the key after which the page begins. Made by the server, sent back as it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotCursor {
    pub cookie: u64,
    pub table: SnapshotTable,
    pub after: IssueKey,
}

/// An issue's place in a snapshot: the list's own order, newest first (`createdAt` descending, then
/// `id` descending), so that the first page is the top of the list. Both never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueKey {
    pub created_at: crate::mutations::fields::Millis,
    pub id: uuid::Uuid,
}

/// The tables a snapshot reads, in the order it reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SnapshotTable {
    Issue,
}

/// A page of a snapshot: the workspace's current rows, in key order, instead of log entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPage {
    /// The first page of a snapshot: the client drops any snapshot it had begun. Once the last page
    /// is in, the pages' rows replace base's, at the response's `cookie`.
    pub reset: bool,
    pub issues: Vec<crate::issue::Issue>,
    /// The workspace's labels, on the first page (schema version 2; absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<crate::label::Label>,
    /// The label links of this page's issues (schema version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issue_labels: Vec<crate::label::IssueLabel>,
    /// The comments of this page's issues (schema version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<crate::comment::Comment>,
    /// The history of this page's issues (schema version 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<crate::history::IssueEvent>,
    /// The reactions on this page's issues and their comments (schema version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<crate::reaction::Reaction>,
    /// Who this page's descriptions and comments mention (schema version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<crate::inbox::Mention>,
    /// The pulling member's own subscriptions and inbox read marks, on the first page, and no one
    /// else's (schema version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<crate::inbox::Subscription>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inbox_read: Vec<crate::inbox::InboxRead>,
    /// The pulling client's newest rejected mutations (up to 100): a snapshot acknowledges pending
    /// mutations by `lastMutationId` with no log entries, so this is how the client learns which of
    /// them the server refused when the push's answer that said so was lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<RejectedMutation>,
    /// The next page's cursor; `None` on the last page.
    pub next: Option<SnapshotCursor>,
}

/// `200` answer to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullResponse {
    /// The log id of the last entry in `mutations`, or the request's cookie when there are none.
    pub cookie: u64,
    /// The caller's lastMutationId as of `cookie`: its pending mutations up to here are in the log
    /// entries the client now has (or were rejected), so it may drop them.
    pub last_mutation_id: u64,
    /// More entries follow `cookie`: pull again now.
    pub has_more: bool,
    pub mutations: Vec<LogEntry>,
    /// Present when the answer is a snapshot page (a pull with no cookie, or one below the
    /// workspace's compaction horizon): current rows instead of entries, and `cookie` is where the
    /// log continues once the snapshot is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Box<SnapshotPage>>,
}

/// One applied mutation from the workspace's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub log_id: u64,
    /// The member who made it (other clients' ids never leave the server).
    pub member_id: Uuid,
    /// The mutation id in the pulling client's own sequence: only on that client's own entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub name: String,
    pub args: serde_json::Value,
    /// On a `createIssue`: the number the server gave its issue (schema version 3; a client of an
    /// older one ignores it and shows no numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
}

impl LogEntry {
    /// The entry as a mutation to replay: its args, parsed as logged (not as a new mutation), with the
    /// number the server gave a create.
    pub fn mutation(&self) -> Result<crate::Mutation, crate::MutationError> {
        let mut mutation = crate::Mutation::parse(&self.name, &self.args)?;
        if let crate::Mutation::CreateIssue(create) = &mut mutation {
            create.number = self.number.or(create.number);
        }
        Ok(mutation)
    }
}

/// Every error response: `{"error": "<Code>", "message": "<human text>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
}

impl From<&ProtocolError> for ErrorBody {
    fn from(err: &ProtocolError) -> Self {
        ErrorBody {
            error: err.code,
            message: err.message.clone(),
        }
    }
}

/// Parses and checks a push body.
pub fn parse_push(body: &[u8]) -> Result<PushRequest, ProtocolError> {
    let request: PushRequest = parse_versioned(body)?;
    if request.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ProtocolError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "a push carries at most {MAX_PUSH_MUTATIONS} mutations, got {}",
                request.mutations.len()
            ),
        ));
    }
    check_ids(&request.mutations)?;
    Ok(request)
}

/// Parses and checks a pull body.
pub fn parse_pull(body: &[u8]) -> Result<PullRequest, ProtocolError> {
    let request: PullRequest = parse_versioned(body)?;
    if let Some(Some(cookie)) = request.cookie {
        check_safe("cookie", cookie)?;
    }
    if let Some(cursor) = &request.snapshot {
        check_safe("snapshot.cookie", cursor.cookie)?;
    }
    Ok(request)
}

/// Parses the `lastLogId` HTTP cookie's value.
pub fn parse_cookie_value(value: &str) -> Result<u64, ProtocolError> {
    let cookie = value.parse::<u64>().map_err(|_| {
        ProtocolError::invalid_request(format!(
            "the {COOKIE_NAME} cookie must be a non-negative integer, got {:?}",
            quote(value)
        ))
    })?;
    check_safe(COOKIE_NAME, cookie)?;
    Ok(cookie)
}

impl PushRequest {
    /// The mutations the server has not processed yet, given its `last_mutation_id` for this client.
    /// Those at or below it were processed already and are skipped. The first new one must be exactly
    /// `last_mutation_id + 1`; anything higher means the server lost this client's state.
    pub fn unprocessed(&self, last_mutation_id: u64) -> Result<&[PushMutation], ProtocolError> {
        let first_new = self
            .mutations
            .iter()
            .position(|m| m.id > last_mutation_id)
            .unwrap_or(self.mutations.len());
        let rest = &self.mutations[first_new..];
        match rest.first() {
            Some(first) if first.id != last_mutation_id + 1 => {
                Err(ProtocolError::client_state_not_found(format!(
                    "the server's lastMutationId for this client is {last_mutation_id}, \
                     but the first new mutation is {}",
                    first.id
                )))
            }
            _ => Ok(rest),
        }
    }
}

/// Checks the size and `schemaVersion` before parsing the rest of the shape.
fn parse_versioned<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ProtocolError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the body is {} bytes; the limit is {MAX_BODY_BYTES}",
                body.len()
            ),
        ));
    }
    let probe: VersionProbe = serde_json::from_slice(body).map_err(|err| {
        ProtocolError::invalid_request(format!("malformed JSON body: {}", quote(&err.to_string())))
    })?;
    match probe.schema_version {
        None => return Err(ProtocolError::invalid_request("schemaVersion is required")),
        Some(serde_json::Value::Number(n))
            if n.as_u64()
                .is_some_and(|v| (MIN_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&v)) => {}
        Some(serde_json::Value::Number(n)) => {
            return Err(ProtocolError::new(
                ErrorCode::VersionNotSupported,
                format!(
                    "schemaVersion {n} is not supported; this server speaks \
                     {MIN_SCHEMA_VERSION} to {SCHEMA_VERSION}"
                ),
            ));
        }
        Some(other) => {
            return Err(ProtocolError::invalid_request(format!(
                "schemaVersion must be a number, got {}",
                quote(&other.to_string())
            )));
        }
    }
    serde_json::from_slice(body).map_err(|err| {
        ProtocolError::invalid_request(format!("invalid request: {}", quote(&err.to_string())))
    })
}

/// The part of every request read before anything else.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionProbe {
    schema_version: Option<serde_json::Value>,
}

/// Ids are positive, below 2^53 and consecutive.
fn check_ids(mutations: &[PushMutation]) -> Result<(), ProtocolError> {
    for (i, mutation) in mutations.iter().enumerate() {
        if mutation.id == 0 {
            return Err(ProtocolError::invalid_request(
                "mutation ids start at 1, got 0",
            ));
        }
        check_safe("mutation id", mutation.id)?;
        if let Some(previous) = i.checked_sub(1).map(|p| mutations[p].id)
            && mutation.id != previous + 1
        {
            return Err(ProtocolError::invalid_request(format!(
                "mutation ids must be consecutive: {previous} is followed by {}",
                mutation.id
            )));
        }
    }
    Ok(())
}

fn check_safe(what: &str, value: u64) -> Result<(), ProtocolError> {
    if value > MAX_SAFE_INTEGER {
        return Err(ProtocolError::invalid_request(format!(
            "{what} must be at most 2^53 - 1, got {value}"
        )));
    }
    Ok(())
}

/// Distinguishes a field that is present (even `null`) from one that is absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
