//! The server's SQL around the mutators: the one atomic batch that processes a mutation, and the
//! queries of a pull. The worker sends these to D1; native tests run the same statements on SQLite.
//!
//! A processed mutation's batch is: make sure the client row exists, advance its `last_mutation_id` by
//! one, then (if it applied) the mutation's own statements and its log entry. The migration's trigger
//! aborts the whole batch unless `last_mutation_id` advances by exactly one, so a mutation can never be
//! processed twice or out of order, however pushes race; `UNIQUE (client_id, mutation_id)` on the log
//! says the same again.

use uuid::Uuid;

use crate::error::ProtocolError;
use crate::mutations::Mutation;
use crate::protocol::{
    LogEntry, PULL_ENTRY_OVERHEAD_BYTES, PULL_PAGE_BYTES, PULL_PAGE_SIZE, PullResponse,
};
use crate::statement::{SqlValue, Statement};

/// Text in the error of a batch that the ordering guard aborted (another push got there first).
pub const OUT_OF_ORDER: &str = "MutationOutOfOrder";

const ENSURE_CLIENT: &str =
    "INSERT INTO client (id, last_mutation_id) VALUES (?1, 0) ON CONFLICT (id) DO NOTHING";
const ADVANCE_CLIENT: &str = "UPDATE client SET last_mutation_id = ?2 WHERE id = ?1";
const APPEND_LOG: &str =
    "INSERT INTO mutation_log (client_id, mutation_id, name, args) VALUES (?1, ?2, ?3, ?4)";

/// `?1` client id: the client's `last_mutation_id`, no row for a client never seen.
pub const SELECT_LAST_MUTATION_ID: &str = "SELECT last_mutation_id FROM client WHERE id = ?1";
/// `?1` cookie, `?2` page size, `?3` entry overhead, `?4` page bytes: the page after the cookie and
/// the entry right after it, if any, which says there is more. A page is at most `?2` entries and,
/// counting each as its args' bytes plus `?3`, at most `?4` bytes; its first entry is always in it,
/// so every page moves the cookie. The running sizes are computed over ids and lengths only; the
/// entries themselves are read once, for the rows returned (`in_page` = 0 marks the one after).
pub const SELECT_LOG_PAGE: &str = "\
SELECT l.id, l.client_id, l.mutation_id, l.name, l.args, w.in_page FROM ( \
  SELECT id, n, bytes - size AS start, ((n = 1 OR bytes <= ?4) AND n <= ?2) AS in_page FROM ( \
    SELECT id, size, SUM(size) OVER running AS bytes, ROW_NUMBER() OVER running AS n FROM ( \
      SELECT id, length(CAST(args AS BLOB)) + ?3 AS size FROM mutation_log \
      WHERE id > ?1 ORDER BY id LIMIT ?2 + 1) \
    WINDOW running AS (ORDER BY id ROWS UNBOUNDED PRECEDING))) w \
JOIN mutation_log l ON l.id = w.id \
WHERE w.in_page OR w.n = 2 OR w.start <= ?4 ORDER BY l.id";
/// The highest log id; a cookie above it was made by a server that has since been reset.
pub const SELECT_LOG_END: &str = "SELECT COALESCE(MAX(id), 0) AS log_end FROM mutation_log";
/// `?1` client id, `?2` cookie: the client's newest logged mutation id up to the cookie. With the
/// page's own entries, it gives the client's `lastMutationId` as of the page's end.
pub const SELECT_LAST_MUTATION_ID_BEFORE_PAGE: &str = "SELECT mutation_id FROM mutation_log \
     WHERE client_id = ?1 AND id <= ?2 ORDER BY id DESC LIMIT 1";

/// The batch that applies `mutation` as `client_id`'s mutation `mutation_id` and logs it.
pub fn applied_batch(client_id: &Uuid, mutation_id: u64, mutation: &Mutation) -> Vec<Statement> {
    let mut batch = advance_client(client_id, mutation_id);
    batch.extend(mutation.statements());
    batch.push(Statement::new(
        APPEND_LOG,
        vec![
            client_id.to_string().into(),
            mutation_id.into(),
            mutation.name().into(),
            mutation.args_json().into(),
        ],
    ));
    batch
}

/// The batch that records `mutation_id` as processed without applying anything: a rejection.
pub fn rejected_batch(client_id: &Uuid, mutation_id: u64) -> Vec<Statement> {
    advance_client(client_id, mutation_id)
}

fn advance_client(client_id: &Uuid, mutation_id: u64) -> Vec<Statement> {
    let client = SqlValue::from(client_id.to_string());
    vec![
        Statement::new(ENSURE_CLIENT, vec![client.clone()]),
        Statement::new(ADVANCE_CLIENT, vec![client, mutation_id.into()]),
    ]
}

/// The parameters of the four pull queries, in the order listed above, to run as one batch so they
/// read one snapshot.
pub fn pull_params(client_id: &Uuid, cookie: u64) -> [(&'static str, Vec<SqlValue>); 4] {
    let client = SqlValue::from(client_id.to_string());
    [
        (
            SELECT_LOG_PAGE,
            vec![
                cookie.into(),
                (PULL_PAGE_SIZE as u64).into(),
                (PULL_ENTRY_OVERHEAD_BYTES as u64).into(),
                (PULL_PAGE_BYTES as u64).into(),
            ],
        ),
        (SELECT_LAST_MUTATION_ID, vec![client.clone()]),
        (SELECT_LOG_END, vec![]),
        (
            SELECT_LAST_MUTATION_ID_BEFORE_PAGE,
            vec![client, cookie.into()],
        ),
    ]
}

/// What the pull queries read, in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct PullSnapshot {
    /// Whose pull this is.
    pub client_id: Uuid,
    /// The page's entries after the cookie, and perhaps the first entry after the page.
    pub entries: Vec<LogEntry>,
    /// How many of `entries` are the page (at most `PULL_PAGE_SIZE`, within `PULL_PAGE_BYTES`); any
    /// entry after them means `hasMore`.
    pub page_len: usize,
    pub last_mutation_id: Option<u64>,
    pub log_end: u64,
    /// The client's newest logged mutation id up to the cookie.
    pub last_mutation_id_before_page: Option<u64>,
}

/// Builds the pull response for a client at `cookie` from one snapshot.
///
/// On a full page with more to come, `lastMutationId` is the client's as of the page's last entry, not
/// the newest: a client must not drop a pending mutation whose effects are in a later page.
pub fn pull_response(cookie: u64, snapshot: PullSnapshot) -> Result<PullResponse, ProtocolError> {
    if cookie > snapshot.log_end {
        return Err(ProtocolError::client_state_not_found(format!(
            "cookie {cookie} is beyond the end of the log ({}): the server was reset",
            snapshot.log_end
        )));
    }
    let mut entries = snapshot.entries;
    let has_more = entries.len() > snapshot.page_len;
    entries.truncate(snapshot.page_len);
    let last_mutation_id = if has_more {
        // The client's newest mutation up to the page's end: in the page, or before it.
        entries
            .iter()
            .rev()
            .find(|entry| entry.client_id == snapshot.client_id)
            .map(|entry| entry.id)
            .or(snapshot.last_mutation_id_before_page)
            .unwrap_or(0)
    } else {
        snapshot.last_mutation_id.unwrap_or(0)
    };
    Ok(PullResponse {
        cookie: entries.last().map_or(cookie, |entry| entry.log_id),
        last_mutation_id,
        has_more,
        mutations: entries,
    })
}
