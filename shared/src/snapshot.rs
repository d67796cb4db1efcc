//! Snapshot pulls: the workspace's current rows instead of its log. A pull with no cookie, or with one
//! below the workspace's compaction horizon (the log before it is gone), gets them a page at a time
//! in the list's order (newest first; a small first page, so a new device shows its first screen
//! early), then continues with the log from the snapshot's cookie.
//!
//! **Why the pages add up to the server's table, however pushes race them.** Each page is one D1
//! batch (one transaction), so it reads the rows of its key range as of one log position: the first
//! page at `H1`, the snapshot's cookie, later ones at whatever the head was when they ran. Once the
//! last page is in, the client pulls the log from `H1`, so it applies every entry after `H1` again,
//! some of them to rows that a later page already read with that entry in them. That is safe because
//! every mutator writes absolute values to the one row it names: replaying, in order, the entries
//! after `H1` over a row read at any position at or after `H1` ends at the row's current value
//! (fields no entry after `H1` wrote are the same at every such position). The one statement that
//! could refuse a replay is a create meeting its own row; base applies log entries as facts, and
//! [`crate::Mutation::replay_statements`] lets a logged create replace the row it finds. A row
//! created after its range was read arrives through its create entry; one deleted after, through its
//! delete. `shared/tests/snapshot.rs` pushes between every page and checks the result against the
//! table.
//!
//! The pull's `lastMutationId` is the client's as of `H1`: its mutations up to there are in the
//! rows. The server knows it from the log: one less than the client's first entry after `H1`, or,
//! with none, its `lastMutationId` now (what it processed since `H1` was rejected and changed
//! nothing). Its entries after `H1` stay pending on the client and arrive with the log.

use uuid::Uuid;

use crate::actor::Actor;
use crate::comment::Comment;
use crate::error::ProtocolError;
use crate::history::IssueEvent;
use crate::inbox::{InboxRead, Mention, Subscription};
use crate::issue::Issue;
use crate::label::{IssueLabel, Label};
use crate::mutations::fields::Millis;
use crate::protocol::{
    IssueKey, MAX_SAFE_INTEGER, PullResponse, RejectedMutation, SNAPSHOT_FIRST_PAGE_ROWS,
    SNAPSHOT_LABELS_BYTES, SNAPSHOT_LINK_BYTES, SNAPSHOT_PAGE_BYTES, SNAPSHOT_PAGE_ROWS,
    SNAPSHOT_ROW_OVERHEAD_BYTES, SnapshotCursor, SnapshotPage, SnapshotTable,
};
use crate::reaction::Reaction;
use crate::server::{Access, PullRead, access_params, pull_response};
use crate::statement::SqlValue;

/// The workspace's log position: `MAX(horizon, newest entry)`, 0 for a workspace that does not
/// exist (its pull is then refused as any non-member's is, never failed). `?1` workspace.
macro_rules! head {
    () => {
        "MAX(COALESCE((SELECT horizon FROM workspace WHERE id = ?1), 0), \
         COALESCE((SELECT MAX(id) FROM mutation_log WHERE workspace_id = ?1), 0))"
    };
}

/// The columns of an issue as a snapshot sends it (and the replica reads it).
pub const ISSUE_COLUMNS: &str = "id, title, description, owner, status, created_at, updated_at, \
     created_by, updated_by, priority, assignee, number, deleted_at, deleted_by";

/// A page's keys: `?1` workspace, `?2` and `?6` the key after which the page starts (`createdAt` and
/// `id`; above every time and `''` for the first page), `?3` rows a page, `?4` bytes a row besides its
/// text, `?5` bytes a page's issues, `?7` bytes a label link. The workspace's issues in the list's
/// order (newest first, by `issue_workspace`), each counted as its text's bytes and its comments'
/// plus `?4` for it and each comment, and `?7` for each of its label links; at most `?3` rows and
/// `?5` bytes, and always at least one (`in_page`: one issue alone is within `?5` too, since its
/// thread and its labels are capped, see [`crate::protocol::MAX_THREAD_BYTES`]); then the row after
/// it, if any, which says there is more. The running sizes are computed over keys and lengths;
/// rows are read once, for what is returned. The page's issues, links and comments each read these
/// keys again, in the same batch.
macro_rules! page_keys {
    () => {
        "(SELECT id, n, bytes - size AS start, ((n = 1 OR bytes <= ?5) AND n <= ?3) AS in_page FROM ( \
           SELECT id, size, SUM(size) OVER running AS bytes, ROW_NUMBER() OVER running AS n FROM ( \
             SELECT id, created_at, length(CAST(title AS BLOB)) + length(CAST(description AS BLOB)) \
               + length(CAST(owner AS BLOB)) + ?4 + COALESCE((SELECT SUM(length(CAST(c.body AS BLOB)) \
               + ?4) FROM comment c WHERE c.issue_id = issue.id), 0) \
               + ?7 * (SELECT COUNT(*) FROM issue_label l WHERE l.issue_id = issue.id) \
               + COALESCE((SELECT SUM(length(CAST(e.value AS BLOB)) + ?7) FROM issue_event e \
                 WHERE e.issue_id = issue.id), 0) \
               + ?7 * (SELECT COUNT(*) FROM reaction r WHERE r.issue_id = issue.id) \
               + ?7 * (SELECT COUNT(*) FROM mention m WHERE m.issue_id = issue.id) AS size \
             FROM issue WHERE workspace_id = ?1 AND (created_at, id) < (?2, ?6) \
             ORDER BY created_at DESC, id DESC LIMIT ?3 + 1) \
           WINDOW running AS (ORDER BY created_at DESC, id DESC ROWS UNBOUNDED PRECEDING))) w"
    };
}

/// The page's issues ([`page_keys`]), and perhaps the row after them (`in_page` = 0).
pub const SELECT_ISSUE_PAGE: &str = concat!(
    "SELECT i.id, i.title, i.description, i.owner, i.status, i.created_at, i.updated_at, \
     i.created_by, i.updated_by, i.priority, i.assignee, i.number, i.deleted_at, i.deleted_by, \
     w.in_page FROM ",
    page_keys!(),
    " JOIN issue i ON i.id = w.id \
     WHERE w.in_page OR w.n = 2 OR w.start <= ?5 ORDER BY i.created_at DESC, i.id DESC"
);

/// The label links of the page's issues ([`page_keys`]), named as [`crate::label::IssueLabel`]'s
/// fields.
pub const SELECT_ISSUE_LABEL_PAGE: &str = concat!(
    "SELECT l.issue_id AS issueId, l.label_id AS labelId FROM ",
    page_keys!(),
    " JOIN issue_label l ON l.issue_id = w.id WHERE w.in_page ORDER BY l.issue_id, l.label_id"
);

/// The comments of the page's issues ([`page_keys`]), named as [`crate::comment::Comment`]'s fields.
pub const SELECT_COMMENT_PAGE: &str = concat!(
    "SELECT c.id AS id, c.issue_id AS issueId, c.author AS author, c.body AS body, \
     c.created_at AS createdAt, c.edited_at AS editedAt FROM ",
    page_keys!(),
    " JOIN comment c ON c.issue_id = w.id WHERE w.in_page ORDER BY c.issue_id, c.created_at, c.id"
);

/// The history of the page's issues ([`page_keys`]), named as [`crate::history::IssueEvent`]'s
/// fields.
pub const SELECT_EVENT_PAGE: &str = concat!(
    "SELECT e.issue_id AS issueId, e.at AS at, e.member_id AS memberId, e.kind AS kind, \
     e.value AS value FROM ",
    page_keys!(),
    " JOIN issue_event e ON e.issue_id = w.id WHERE w.in_page \
     ORDER BY e.issue_id, e.at, e.member_id, e.kind, e.value"
);

/// The reactions on the page's issues and their comments ([`page_keys`]), named as
/// [`crate::reaction::Reaction`]'s fields (schema version 4).
pub const SELECT_REACTION_PAGE: &str = concat!(
    "SELECT r.issue_id AS issueId, NULLIF(r.comment_id, '') AS commentId, r.member_id AS memberId, \
     r.emoji AS emoji, r.created_at AS createdAt FROM ",
    page_keys!(),
    " JOIN reaction r ON r.issue_id = w.id WHERE w.in_page \
     ORDER BY r.issue_id, r.comment_id, r.member_id, r.emoji"
);

/// The mentions in the page's issues ([`page_keys`]), named as [`crate::inbox::Mention`]'s fields
/// (schema version 4).
pub const SELECT_MENTION_PAGE: &str = concat!(
    "SELECT m.issue_id AS issueId, NULLIF(m.comment_id, '') AS commentId, m.member_id AS memberId, \
     m.by_member AS byMember, m.at AS at FROM ",
    page_keys!(),
    " JOIN mention m ON m.issue_id = w.id WHERE w.in_page \
     ORDER BY m.issue_id, m.comment_id, m.member_id"
);

/// `?1` workspace, `?2` member, `?3` 1 on a snapshot's first page: the member's own subscriptions,
/// which only their snapshot carries (private, see [`crate::inbox`]).
pub const SELECT_SUBSCRIPTIONS: &str = "SELECT issue_id AS issueId, subscribed, at FROM subscription \
     WHERE workspace_id = ?1 AND member_id = ?2 AND ?3 ORDER BY issue_id";

/// `?1` workspace, `?2` member, `?3` 1 on a snapshot's first page: the member's own read marks.
pub const SELECT_INBOX_READ: &str = "SELECT NULLIF(issue_id, '') AS issueId, read_at AS readAt \
     FROM inbox_read WHERE workspace_id = ?1 AND member_id = ?2 AND ?3 ORDER BY issue_id";

/// `?1` workspace, `?2` 1 on a snapshot's first page: the workspace's labels, which the first page
/// carries (a workspace has few), named as [`crate::label::Label`]'s fields.
pub const SELECT_LABELS: &str = "SELECT id, name, color, created_at AS createdAt FROM label \
     WHERE workspace_id = ?1 AND ?2 ORDER BY created_at, id";

/// `?1` workspace: its horizon, its schema version and its log position now.
pub const SELECT_POSITION: &str = concat!(
    "SELECT COALESCE((SELECT horizon FROM workspace WHERE id = ?1), 0) AS horizon, \
     COALESCE((SELECT schema_version FROM workspace WHERE id = ?1), 1) AS schema_version, ",
    head!(),
    " AS head"
);

/// `?1` workspace, `?2` client, `?3` the snapshot's cookie (NULL on its first page: the head now):
/// the client's `lastMutationId` as of that cookie.
pub const SELECT_LAST_MUTATION_ID_AT: &str = concat!(
    "SELECT COALESCE(",
    "(SELECT mutation_id - 1 FROM mutation_log WHERE client_id = ?2 AND id > COALESCE(?3, ",
    head!(),
    ") ORDER BY id LIMIT 1), ",
    "(SELECT last_mutation_id FROM client WHERE id = ?2), 0) AS last_mutation_id"
);

/// The twelve reads of a snapshot page, to run as one batch (one transaction): the page's issues,
/// their label links and comments, the workspace's labels (first page only), the workspace's
/// position, the client's `lastMutationId` at the snapshot's cookie, who may read it, the issues'
/// history, reactions and mentions, and the member's own subscriptions and read marks (first page
/// only). `from`: the previous page's `next`, or `None` for a first page.
pub fn page_params(
    by: &Actor,
    client_id: &Uuid,
    from: Option<&SnapshotCursor>,
) -> [(&'static str, Vec<SqlValue>); 13] {
    let workspace = by.workspace();
    let client = SqlValue::from(client_id.to_string());
    let own = vec![
        workspace.clone(),
        by.member(),
        u64::from(from.is_none()).into(),
    ];
    // The first page starts above every time (they are at most 2^53 - 1) and every id.
    // The first page also carries the workspace's labels: its issues leave room for them.
    let (created_at, id, rows, bytes) = match from {
        Some(cursor) => (
            cursor.after.created_at.get(),
            cursor.after.id.to_string(),
            SNAPSHOT_PAGE_ROWS,
            SNAPSHOT_PAGE_BYTES,
        ),
        None => (
            MAX_SAFE_INTEGER + 1,
            String::new(),
            SNAPSHOT_FIRST_PAGE_ROWS,
            SNAPSHOT_PAGE_BYTES - SNAPSHOT_LABELS_BYTES,
        ),
    };
    let keys = vec![
        workspace.clone(),
        created_at.into(),
        (rows as u64).into(),
        (SNAPSHOT_ROW_OVERHEAD_BYTES as u64).into(),
        (bytes as u64).into(),
        id.into(),
        (SNAPSHOT_LINK_BYTES as u64).into(),
    ];
    [
        (SELECT_ISSUE_PAGE, keys.clone()),
        (SELECT_ISSUE_LABEL_PAGE, keys.clone()),
        (SELECT_COMMENT_PAGE, keys.clone()),
        (
            SELECT_LABELS,
            vec![workspace.clone(), u64::from(from.is_none()).into()],
        ),
        (SELECT_POSITION, vec![workspace.clone()]),
        (
            SELECT_LAST_MUTATION_ID_AT,
            vec![
                workspace,
                client.clone(),
                from.map_or(SqlValue::Null, |cursor| cursor.cookie.into()),
            ],
        ),
        (crate::server::SELECT_ACCESS, access_params(by, client_id)),
        (SELECT_EVENT_PAGE, keys.clone()),
        (SELECT_REACTION_PAGE, keys.clone()),
        (SELECT_MENTION_PAGE, keys),
        (SELECT_SUBSCRIPTIONS, own.clone()),
        (SELECT_INBOX_READ, own),
        (
            crate::server::SELECT_REJECTIONS,
            vec![client, crate::server::KEPT_REJECTIONS.into()],
        ),
    ]
}

/// Which reads a pull starts with: the log after the client's cookie, or a snapshot page (the next one
/// of a snapshot in progress, or a first one for a client with no cookie). A log read can still turn
/// into a snapshot's first page (the cookie is below the horizon, [`log_step`]), and so can a later
/// page (compaction passed the snapshot's cookie, [`page_step`]). The worker and the native tests
/// loop over these steps, doing only the reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Log(u64),
    Snapshot(Option<SnapshotCursor>),
}

impl Read {
    /// `cookie`: the client's, `None` for a client that has none (a new one).
    pub fn first(cookie: Option<u64>, cursor: Option<SnapshotCursor>) -> Read {
        match (cursor, cookie) {
            (Some(cursor), _) => Read::Snapshot(Some(cursor)),
            (None, None) => Read::Snapshot(None),
            (None, Some(cookie)) => Read::Log(cookie),
        }
    }
}

/// What the reads of a snapshot page found, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRead {
    pub access: Access,
    /// The page's rows, and perhaps the first row after it.
    pub issues: Vec<Issue>,
    /// How many of `issues` are the page.
    pub page_len: usize,
    /// The page's issues' label links and comments.
    pub issue_labels: Vec<IssueLabel>,
    pub comments: Vec<Comment>,
    /// The page's issues' history.
    pub events: Vec<IssueEvent>,
    /// The page's issues' reactions and mentions.
    pub reactions: Vec<Reaction>,
    pub mentions: Vec<Mention>,
    /// The member's own subscriptions and read marks, on a first page.
    pub subscriptions: Vec<Subscription>,
    pub inbox_read: Vec<InboxRead>,
    /// The workspace's labels, on a first page.
    pub labels: Vec<Label>,
    pub horizon: u64,
    /// The highest schema version of a mutation the workspace has logged.
    pub schema_version: u64,
    pub head: u64,
    pub last_mutation_id: u64,
    /// The client's newest rejections.
    pub rejected: Vec<RejectedMutation>,
}

/// What a pull does after one read: answer, or read again.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Answer(PullResponse),
    Read(Read),
}

/// After the log read at `cookie` for a client speaking `schema_version`: its page, or, below the
/// horizon, a snapshot's first page.
pub fn log_step(
    by: &Actor,
    schema_version: u64,
    cookie: u64,
    found: PullRead,
) -> Result<Step, ProtocolError> {
    Ok(match pull_response(by, schema_version, cookie, found)? {
        Some(response) => Step::Answer(response),
        None => Step::Read(Read::Snapshot(None)),
    })
}

/// After a snapshot page read `from` the previous page's cursor (or from the start): its answer, a
/// new first page when compaction passed the snapshot's cookie (the log from there is gone), or
/// why not.
pub fn page_step(
    by: &Actor,
    schema_version: u64,
    from: Option<&SnapshotCursor>,
    read: PageRead,
) -> Result<Step, ProtocolError> {
    read.access.check(by)?;
    crate::server::check_schema_version(schema_version, read.schema_version)?;
    let cookie = match from {
        None => read.head,
        Some(cursor) if cursor.cookie < read.horizon => {
            return Ok(Step::Read(Read::Snapshot(None)));
        }
        Some(cursor) if cursor.cookie > read.head => {
            return Err(ProtocolError::client_state_not_found(format!(
                "the snapshot's cookie {} is beyond the workspace's log ({}): the server was reset",
                cursor.cookie, read.head
            )));
        }
        Some(cursor) => cursor.cookie,
    };
    let mut issues = read.issues;
    let more_rows = issues.len() > read.page_len;
    issues.truncate(read.page_len);
    let next = match issues.last() {
        Some(last) if more_rows => Some(SnapshotCursor {
            cookie,
            table: SnapshotTable::Issue,
            after: IssueKey {
                created_at: Millis::clamped(last.created_at),
                id: last.id,
            },
        }),
        _ => None,
    };
    Ok(Step::Answer(PullResponse {
        cookie,
        last_mutation_id: read.last_mutation_id,
        // More pages, or entries logged since the snapshot's cookie.
        has_more: next.is_some() || read.head > cookie,
        mutations: Vec::new(),
        snapshot: Some(Box::new(SnapshotPage {
            reset: from.is_none(),
            issues,
            labels: read.labels,
            issue_labels: read.issue_labels,
            comments: read.comments,
            events: read.events,
            reactions: read.reactions,
            mentions: read.mentions,
            subscriptions: read.subscriptions,
            inbox_read: read.inbox_read,
            rejected: read.rejected,
            next,
        })),
    }))
}
