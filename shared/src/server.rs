//! The server's SQL around the mutators: the one atomic batch that processes a mutation, and the
//! queries of a pull. The worker sends these to D1; native tests run the same statements on SQLite.
//!
//! A processed mutation's batch is: make sure the client row exists, advance its `last_mutation_id` by
//! one (as the caller, in the caller's workspace), then (if it applied) the mutation's own statements
//! and its log entry. The migrations' `client_guard` trigger aborts the whole batch unless the caller is
//! a member of the workspace right now, the client is theirs there, and `last_mutation_id` advances by
//! exactly one: so membership is checked in the very batch that writes, and a mutation can never be
//! processed twice or out of order, however pushes race (`UNIQUE (client_id, mutation_id)` on the log
//! says the same again).
//!
//! A pull reads its page and, in the same batch, the caller's membership and the client's owner.

use uuid::Uuid;

use crate::actor::Actor;
use crate::error::{ErrorCode, ProtocolError};
use crate::mutations::Mutation;
use crate::protocol::{
    LogEntry, PULL_ENTRY_OVERHEAD_BYTES, PULL_PAGE_BYTES, PULL_PAGE_SIZE, PullResponse,
    RejectedMutation,
};
use crate::statement::{SqlValue, Statement};

/// Text in the error of a batch that the ordering guard aborted (another push got there first).
pub const OUT_OF_ORDER: &str = "MutationOutOfOrder";
/// Text in the error of a batch the guard aborted because the caller is not a member.
pub const NOT_A_MEMBER: &str = "NotAMember";
/// Text in the error of a batch the guard aborted because the client is someone else's.
pub const CLIENT_NOT_OWNED: &str = "ClientNotOwned";
/// The constraint a batch breaks when it would take its member over the day's budget.
pub const DAILY_BUDGET: &str = "daily_budget";
/// A day, in milliseconds: budgets are per UTC day.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The budget is the deployment's plus what an owner granted for the day. It is in the inserted
/// row's values, not only in the update: SQLite checks a row's `CHECK` before it finds the conflict.
const COUNT_USAGE: &str = "INSERT INTO member_usage (member_id, day, mutations, budget) \
     VALUES (?1, ?2, ?3, ?4 + COALESCE((SELECT granted FROM member_usage \
     WHERE member_id = ?1 AND day = ?2), 0)) ON CONFLICT (member_id, day) \
     DO UPDATE SET mutations = mutations + excluded.mutations, budget = excluded.budget";
/// `?1` member, `?2` day, `?3` the deployment's budget, `?4` what the owner gives, `?5` the
/// workspace: the member's budget for the day becomes `?3 + ?4`, only while they are a member of
/// `?5` (nothing happens otherwise), and never below what they have used already.
const GRANT_BUDGET: &str = "INSERT INTO member_usage (member_id, day, mutations, budget, granted) \
     SELECT ?1, ?2, 0, ?3 + ?4, ?4 WHERE EXISTS \
     (SELECT 1 FROM membership WHERE workspace_id = ?5 AND member_id = ?1) \
     ON CONFLICT (member_id, day) DO UPDATE SET granted = excluded.granted, \
     budget = MAX(mutations, excluded.budget)";
/// `?1` member, `?2` day: what they have used and may use that day.
pub const SELECT_USAGE: &str =
    "SELECT mutations, budget FROM member_usage WHERE member_id = ?1 AND day = ?2";
/// The most a workspace's owner may give a member for a day: 100,000 mutations write up to about
/// 800,000 rows, a paid plan's day (the Free plan writes 100,000 rows a day).
pub const MAX_GRANT: u64 = 100_000;

/// The database's clock in epoch milliseconds: when an entry was logged and a client last pushed
/// (compaction's retention window counts from it).
macro_rules! now_ms {
    () => {
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    };
}

const ENSURE_CLIENT: &str = concat!(
    "INSERT INTO client (id, last_mutation_id, workspace_id, member_id, seen_at) \
     VALUES (?1, 0, ?2, ?3, ",
    now_ms!(),
    ") ON CONFLICT (id) DO NOTHING"
);
/// Sets the owner too: the guard compares it with the row's, and claims a client from before
/// workspaces for its first pusher.
const ADVANCE_CLIENT: &str = concat!(
    "UPDATE client SET last_mutation_id = ?2, workspace_id = ?3, member_id = ?4, seen_at = ",
    now_ms!(),
    " WHERE id = ?1"
);
const APPEND_LOG: &str = concat!(
    "INSERT INTO mutation_log (client_id, mutation_id, name, args, workspace_id, member_id, \
     logged_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ",
    now_ms!(),
    ")"
);
/// The log entry of a private mutation ([`crate::mutations::Mutator::PRIVATE`]): `?1`..`?6` as
/// [`APPEND_LOG`], and it is for its member (`?6`) only.
const APPEND_LOG_PRIVATE: &str = concat!(
    "INSERT INTO mutation_log (client_id, mutation_id, name, args, workspace_id, member_id, \
     logged_at, private_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ",
    now_ms!(),
    ", ?6)"
);

/// The log entry of a create, with the number its issue got beside it (pulls and pokes carry it as
/// the entry's `number`, outside its args): `?1`..`?6` as [`APPEND_LOG`], `?7` the issue.
const APPEND_LOG_NUMBERED: &str = concat!(
    "INSERT INTO mutation_log (client_id, mutation_id, name, args, workspace_id, member_id, \
     logged_at, issue_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ",
    now_ms!(),
    ", (SELECT number FROM issue WHERE id = ?7 AND workspace_id = ?5))"
);
/// `?1` workspace, `?2` issue: gives a created issue the workspace's next number. In the batch that
/// applies the create, which is one transaction, so racing pushes number their issues one after the
/// other: unique, gapless, never reused (a refused create aborts its batch, counter and all).
const NUMBER_ISSUE: [&str; 2] = [
    "UPDATE workspace SET next_issue_number = next_issue_number + 1 WHERE id = ?1",
    "UPDATE issue SET number = (SELECT next_issue_number - 1 FROM workspace WHERE id = ?1) \
     WHERE id = ?2 AND workspace_id = ?1",
];

/// `?1` client id: the client's `last_mutation_id`, no row for a client never seen.
pub const SELECT_LAST_MUTATION_ID: &str = "SELECT last_mutation_id FROM client WHERE id = ?1";
/// `?1` workspace, `?2` member, `?3` client, `?4` the API token asked with (NULL for a session), `?5`
/// the session asked with (NULL for a token): whether the member is in the workspace (their role, or
/// NULL), whose the client is (NULLs for a client never seen, or one from before workspaces), and
/// whether the token or the session still stands.
pub const SELECT_ACCESS: &str = "SELECT \
     (SELECT role FROM membership WHERE workspace_id = ?1 AND member_id = ?2) AS role, \
     (SELECT workspace_id FROM client WHERE id = ?3) AS client_workspace, \
     (SELECT member_id FROM client WHERE id = ?3) AS client_member, \
     (?4 IS NULL OR EXISTS (SELECT 1 FROM api_token \
       WHERE id = ?4 AND workspace_id = ?1 AND member_id = ?2)) AS token_valid, \
     (?5 IS NULL OR EXISTS (SELECT 1 FROM session WHERE id = ?5 AND member_id = ?2)) \
       AS session_valid";
/// `?1` token, `?2` workspace, `?3` member: refuses the batch it is in when the API token the
/// request came with is gone (revoked, or its member removed), through the `refusal` table's
/// `refused_token_revoked` constraint. First in every batch a token's push runs.
const TOKEN_GUARD: &str = "INSERT INTO refusal (rule) SELECT 'token_revoked' WHERE NOT EXISTS \
     (SELECT 1 FROM api_token WHERE id = ?1 AND workspace_id = ?2 AND member_id = ?3)";
/// The constraint [`TOKEN_GUARD`]'s row breaks.
pub const TOKEN_REVOKED: &str = "refused_token_revoked";
/// `?1` session, `?2` member: the same for the session the request came with (signed out, revoked,
/// or past its absolute lifetime and swept). First in every batch a session's push runs.
const SESSION_GUARD: &str = "INSERT INTO refusal (rule) SELECT 'session_revoked' WHERE NOT EXISTS \
     (SELECT 1 FROM session WHERE id = ?1 AND member_id = ?2)";
/// The constraint [`SESSION_GUARD`]'s row breaks.
pub const SESSION_REVOKED: &str = "refused_session_revoked";
/// `?1` cookie, `?2` page size, `?3` entry overhead, `?4` page bytes, `?5` workspace, `?6` the pulling
/// client, `?7` its member: the workspace's page after the cookie and the entry right after it, if
/// any, which says there is more. `own_id` is the mutation id on the pulling client's own entries
/// only. A page is at most `?2` entries and, counting each as its args' bytes plus `?3`, at most `?4`
/// bytes; its first entry is always in it, so every page moves the cookie. The running sizes are
/// computed over ids and lengths only; the entries themselves are read once, for the rows returned
/// (`in_page` = 0 marks the one after). Another member's private entry comes back hidden: its id
/// only, with an empty name and `null` args ([`is_hidden`]), so the cookie moves past it and nothing
/// of it is sent.
pub const SELECT_LOG_PAGE: &str = "\
SELECT l.id, l.member_id, CASE WHEN l.client_id = ?6 THEN l.mutation_id END AS own_id, \
  CASE WHEN l.private_to IS NULL OR l.private_to = ?7 THEN l.name ELSE '' END AS name, \
  CASE WHEN l.private_to IS NULL OR l.private_to = ?7 THEN l.args ELSE 'null' END AS args, \
  w.in_page, l.issue_number FROM ( \
  SELECT id, n, bytes - size AS start, ((n = 1 OR bytes <= ?4) AND n <= ?2) AS in_page FROM ( \
    SELECT id, size, SUM(size) OVER running AS bytes, ROW_NUMBER() OVER running AS n FROM ( \
      SELECT id, length(CAST(args AS BLOB)) + ?3 AS size FROM mutation_log \
      WHERE workspace_id = ?5 AND id > ?1 ORDER BY id LIMIT ?2 + 1) \
    WINDOW running AS (ORDER BY id ROWS UNBOUNDED PRECEDING))) w \
JOIN mutation_log l ON l.id = w.id \
WHERE w.in_page OR w.n = 2 OR w.start <= ?4 ORDER BY l.id";
/// `?1` workspace: the end of its own log, counting what compaction deleted (its horizon); a cookie
/// above it was made by a server that has since been reset. Only the workspace's own: log ids are
/// one sequence across workspaces, and comparing with the global end would let a member learn how
/// much every other workspace writes (by the 409's message, or by bisecting cookies).
pub const SELECT_LOG_END: &str = "SELECT MAX( \
     COALESCE((SELECT MAX(id) FROM mutation_log WHERE workspace_id = ?1), 0), \
     COALESCE((SELECT horizon FROM workspace WHERE id = ?1), 0)) AS log_end";
/// `?1` workspace: its compaction horizon (a cookie below it gets a snapshot) and the highest schema
/// version of a mutation it has logged.
pub const SELECT_HORIZON: &str = "SELECT COALESCE((SELECT horizon FROM workspace WHERE id = ?1), 0) AS horizon, \
     COALESCE((SELECT schema_version FROM workspace WHERE id = ?1), 1) AS schema_version";
/// `?1` workspace, `?2` a mutation's schema version: the workspace has logged one of that version.
const RAISE_SCHEMA_VERSION: &str =
    "UPDATE workspace SET schema_version = ?2 WHERE id = ?1 AND schema_version < ?2";
/// `?1` client id, `?2` cookie: the client's newest logged mutation id up to the cookie. With the
/// page's own entries, it gives the client's `lastMutationId` as of the page's end.
pub const SELECT_LAST_MUTATION_ID_BEFORE_PAGE: &str = "SELECT mutation_id FROM mutation_log \
     WHERE client_id = ?1 AND id <= ?2 ORDER BY id DESC LIMIT 1";

/// The batch that applies `mutation` as `client_id`'s mutation `mutation_id`, made by `by`, and logs
/// it.
pub fn applied_batch(
    by: &Actor,
    client_id: &Uuid,
    mutation_id: u64,
    mutation: &Mutation,
) -> Vec<Statement> {
    let mut batch = advance_client(by, client_id, mutation_id);
    batch.extend(mutation.statements(by));
    let created = match mutation {
        Mutation::CreateIssue(create) => Some(SqlValue::from(create.id.to_string())),
        _ => None,
    };
    if let Some(issue) = &created {
        let [counter, number] = NUMBER_ISSUE;
        batch.extend([
            Statement::new(counter, vec![by.workspace()]),
            Statement::new(number, vec![by.workspace(), issue.clone()]),
        ]);
    }
    let version = mutation.logged_schema_version();
    if version > crate::protocol::MIN_SCHEMA_VERSION {
        batch.push(Statement::new(
            RAISE_SCHEMA_VERSION,
            vec![by.workspace(), version.into()],
        ));
    }
    let mut log = vec![
        client_id.to_string().into(),
        mutation_id.into(),
        mutation.name().into(),
        mutation.args_json().into(),
        by.workspace(),
        by.member(),
    ];
    batch.push(match created {
        Some(issue) => {
            log.push(issue);
            Statement::new(APPEND_LOG_NUMBERED, log)
        }
        None if mutation.is_private() => Statement::new(APPEND_LOG_PRIVATE, log),
        None => Statement::new(APPEND_LOG, log),
    });
    batch
}

/// `?1` client, `?2` mutation id, `?3` error code, `?4` message: a rejection, kept for the client
/// (`migrations/0012_rejections.sql`); then (`?3` [`KEPT_REJECTIONS`]) its rejections older than its
/// last that many mutation ids dropped.
const RECORD_REJECTION: [&str; 2] = [
    "INSERT INTO rejection (client_id, mutation_id, error, message) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (client_id, mutation_id) DO NOTHING",
    "DELETE FROM rejection WHERE client_id = ?1 AND mutation_id <= ?2 - ?3",
];
/// How many of a client's newest mutation ids its rejections are kept for.
pub const KEPT_REJECTIONS: u64 = 100;
/// `?1` client, `?2` [`KEPT_REJECTIONS`]: its rejections, newest first (what a snapshot page carries).
pub const SELECT_REJECTIONS: &str = "SELECT mutation_id AS id, error, message FROM rejection \
     WHERE client_id = ?1 ORDER BY mutation_id DESC LIMIT ?2";

/// The batch that records a mutation as processed without applying anything: a rejection, kept
/// with its reason for a client whose push answer is lost ([`SELECT_REJECTIONS`]). The guard still
/// checks who is asking.
pub fn rejected_batch(by: &Actor, client_id: &Uuid, rejected: &RejectedMutation) -> Vec<Statement> {
    let mut batch = advance_client(by, client_id, rejected.id);
    let code = serde_json::to_value(rejected.error)
        .ok()
        .and_then(|code| code.as_str().map(str::to_owned))
        .unwrap_or_default();
    let [record, trim] = RECORD_REJECTION;
    batch.extend([
        Statement::new(
            record,
            vec![
                client_id.to_string().into(),
                rejected.id.into(),
                code.into(),
                rejected.message.clone().into(),
            ],
        ),
        Statement::new(
            trim,
            vec![
                client_id.to_string().into(),
                rejected.id.into(),
                KEPT_REJECTIONS.into(),
            ],
        ),
    ]);
    batch
}

fn advance_client(by: &Actor, client_id: &Uuid, mutation_id: u64) -> Vec<Statement> {
    let client = SqlValue::from(client_id.to_string());
    let token = by.token_id.map(|token| {
        Statement::new(
            TOKEN_GUARD,
            vec![token.to_string().into(), by.workspace(), by.member()],
        )
    });
    let session = by.session_id.map(|session| {
        Statement::new(SESSION_GUARD, vec![session.to_string().into(), by.member()])
    });
    token
        .into_iter()
        .chain(session)
        .chain([
            Statement::new(
                ENSURE_CLIENT,
                vec![client.clone(), by.workspace(), by.member()],
            ),
            Statement::new(
                ADVANCE_CLIENT,
                vec![client, mutation_id.into(), by.workspace(), by.member()],
            ),
        ])
        .collect()
}

/// Counts `mutations` processed mutations (applied or rejected: each writes its client's row) against
/// `by`'s member's budget for the UTC day of `now`; in the batch that processes them, so it aborts
/// with them (`QuotaExceeded`) if it would go over `budget`, and counts nothing when they do not
/// commit.
pub fn count_usage(by: &Actor, now: u64, mutations: u64, budget: u64) -> Statement {
    Statement::new(
        COUNT_USAGE,
        vec![
            by.member(),
            (now / DAY_MS).into(),
            mutations.into(),
            budget.min(crate::protocol::MAX_SAFE_INTEGER).into(),
        ],
    )
}

/// Gives `member` `extra` mutations beyond the deployment's `budget` for the UTC day of `now`, as
/// the owner of `by`'s workspace (the caller checks that): changes nothing unless the member is in
/// that workspace.
pub fn grant_budget(by: &Actor, member: Uuid, now: u64, budget: u64, extra: u64) -> Statement {
    Statement::new(
        GRANT_BUDGET,
        vec![
            member.to_string().into(),
            (now / DAY_MS).into(),
            budget.min(crate::protocol::MAX_SAFE_INTEGER / 2).into(),
            extra.min(MAX_GRANT).into(),
            by.workspace(),
        ],
    )
}

/// `429 QuotaExceeded`, with the budget in words; the caller may try again the next UTC day.
pub fn quota_exceeded() -> ProtocolError {
    ProtocolError::new(
        ErrorCode::QuotaExceeded,
        "you have made as many changes today as this deployment allows a member \
         (MEMBER_DAILY_MUTATIONS); more can be saved after midnight UTC, or once a workspace's \
         owner gives you more for today",
    )
}

/// The parameters of [`SELECT_ACCESS`].
pub fn access_params(by: &Actor, client_id: &Uuid) -> Vec<SqlValue> {
    vec![
        by.workspace(),
        by.member(),
        client_id.to_string().into(),
        by.token_id
            .map_or(SqlValue::Null, |token| token.to_string().into()),
        by.session_id
            .map_or(SqlValue::Null, |session| session.to_string().into()),
    ]
}

/// The parameters of the six pull queries, in the order listed above, to run as one batch so they
/// read one snapshot: the page, the client's `lastMutationId`, the log's end, the client's
/// `lastMutationId` before the page, who may read it, and the workspace's horizon.
pub fn pull_params(
    by: &Actor,
    client_id: &Uuid,
    cookie: u64,
) -> [(&'static str, Vec<SqlValue>); 6] {
    let client = SqlValue::from(client_id.to_string());
    [
        (
            SELECT_LOG_PAGE,
            vec![
                cookie.into(),
                (PULL_PAGE_SIZE as u64).into(),
                (PULL_ENTRY_OVERHEAD_BYTES as u64).into(),
                (PULL_PAGE_BYTES as u64).into(),
                by.workspace(),
                client.clone(),
                by.member(),
            ],
        ),
        (SELECT_LAST_MUTATION_ID, vec![client.clone()]),
        (SELECT_LOG_END, vec![by.workspace()]),
        (
            SELECT_LAST_MUTATION_ID_BEFORE_PAGE,
            vec![client, cookie.into()],
        ),
        (SELECT_ACCESS, access_params(by, client_id)),
        (SELECT_HORIZON, vec![by.workspace()]),
    ]
}

/// Who the caller is to a workspace and a client, read in the same batch as what they asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    /// The caller's role in the workspace; `None` when they are not a member.
    pub role: Option<String>,
    /// The workspace and member the client belongs to, when the server has seen it push.
    pub client_workspace: Option<String>,
    pub client_member: Option<String>,
    /// Whether the API token asked with still stands (always, for a session).
    pub token_valid: bool,
    /// Whether the session asked with still stands (always, for a token).
    pub session_valid: bool,
}

impl Access {
    /// Refuses a caller who is not a member (`Forbidden`), or whose client is another member's or
    /// another workspace's (`ClientNotOwned`). A client never seen is anyone's to claim with a push.
    pub fn check(&self, by: &Actor) -> Result<(), ProtocolError> {
        if !self.token_valid {
            return Err(token_revoked());
        }
        if !self.session_valid {
            return Err(session_revoked());
        }
        if self.role.is_none() {
            return Err(not_a_member());
        }
        let differs = |owner: &Option<String>, expected: &Uuid| {
            owner
                .as_deref()
                .is_some_and(|owner| owner != expected.to_string())
        };
        if differs(&self.client_workspace, &by.workspace_id)
            || differs(&self.client_member, &by.member_id)
        {
            return Err(client_not_owned());
        }
        Ok(())
    }
}

/// `401 Unauthenticated`: the API token asked with is gone.
pub fn token_revoked() -> ProtocolError {
    ProtocolError::unauthenticated("this API token is not valid: it was revoked, or never made")
}

/// `401 Unauthenticated`: the session asked with was signed out, or revoked from another device.
pub fn session_revoked() -> ProtocolError {
    ProtocolError::unauthenticated(
        "you were signed out on this device: sign in again (a passkey, or a sign-in link from \
         another of your devices)",
    )
}

/// `403 Forbidden`: the caller is not (or no longer) a member of the workspace.
pub fn not_a_member() -> ProtocolError {
    ProtocolError::forbidden("you are not a member of this workspace")
}

/// `403 ClientNotOwned`.
pub fn client_not_owned() -> ProtocolError {
    ProtocolError::new(
        ErrorCode::ClientNotOwned,
        "this client id belongs to another member or workspace: use a new one",
    )
}

/// What a batch aborted by the `client_guard` trigger (or the daily budget) means for the caller,
/// from its error message: `None` when neither refused who is asking (the guard may still have
/// refused the order).
pub fn guard_refusal(message: &str) -> Option<ProtocolError> {
    if message.contains(TOKEN_REVOKED) {
        Some(token_revoked())
    } else if message.contains(SESSION_REVOKED) {
        Some(session_revoked())
    } else if message.contains(DAILY_BUDGET) {
        Some(quota_exceeded())
    } else if message.contains(NOT_A_MEMBER) {
        Some(not_a_member())
    } else if message.contains(CLIENT_NOT_OWNED) {
        Some(client_not_owned())
    } else {
        None
    }
}

/// What the pull queries read, in one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct PullRead {
    /// Who may read it.
    pub access: Access,
    /// The page's entries after the cookie, and perhaps the first entry after the page.
    pub entries: Vec<LogEntry>,
    /// How many of `entries` are the page (at most `PULL_PAGE_SIZE`, within `PULL_PAGE_BYTES`); any
    /// entry after them means `hasMore`.
    pub page_len: usize,
    pub last_mutation_id: Option<u64>,
    pub log_end: u64,
    /// The client's newest logged mutation id up to the cookie.
    pub last_mutation_id_before_page: Option<u64>,
    /// The workspace's compaction horizon.
    pub horizon: u64,
    /// The highest schema version of a mutation the workspace has logged.
    pub schema_version: u64,
}

/// `409 VersionNotSupported` for a client speaking `client` when the workspace has logged mutations
/// of schema version `workspace`: it could not read them (nor a snapshot's rows of them).
pub fn check_schema_version(client: u64, workspace: u64) -> Result<(), ProtocolError> {
    if client < workspace {
        return Err(ProtocolError::new(
            ErrorCode::VersionNotSupported,
            format!(
                "this workspace has changes of schema version {workspace}, which this client \
                 (version {client}) cannot read: a new version of the app is available; reload"
            ),
        ));
    }
    Ok(())
}

/// Builds the pull response for `by`'s client (speaking `schema_version`) at `cookie` from one
/// read, or refuses it. `None`: the cookie is below the workspace's compaction horizon, so the
/// entries after it are no longer all there; the answer is a snapshot ([`crate::snapshot`]). The
/// client keeps its id and its pending queue: that is not `ClientStateNotFound`, which is only for a
/// server that lost the client.
///
/// On a full page with more to come, `lastMutationId` is the client's as of the page's last entry, not
/// the newest: a client must not drop a pending mutation whose effects are in a later page.
pub fn pull_response(
    by: &Actor,
    schema_version: u64,
    cookie: u64,
    snapshot: PullRead,
) -> Result<Option<PullResponse>, ProtocolError> {
    snapshot.access.check(by)?;
    check_schema_version(schema_version, snapshot.schema_version)?;
    if cookie > snapshot.log_end {
        return Err(ProtocolError::client_state_not_found(format!(
            "cookie {cookie} is beyond the end of this workspace's log ({}): the server was reset",
            snapshot.log_end
        )));
    }
    if cookie < snapshot.horizon {
        return Ok(None);
    }
    let mut entries = snapshot.entries;
    let has_more = entries.len() > snapshot.page_len;
    entries.truncate(snapshot.page_len);
    let last_mutation_id = if has_more {
        // The client's newest mutation up to the page's end: in the page, or before it.
        entries
            .iter()
            .rev()
            .find_map(|entry| entry.id)
            .or(snapshot.last_mutation_id_before_page)
            .unwrap_or(0)
    } else {
        snapshot.last_mutation_id.unwrap_or(0)
    };
    let cookie = entries.last().map_or(cookie, |entry| entry.log_id);
    entries.retain(|entry| !is_hidden(entry));
    Ok(Some(PullResponse {
        cookie,
        last_mutation_id,
        has_more,
        mutations: entries,
        snapshot: None,
    }))
}

/// Whether a log entry read by [`SELECT_LOG_PAGE`] is another member's private one: only its place
/// in the log is the puller's to know.
pub fn is_hidden(entry: &LogEntry) -> bool {
    entry.name.is_empty()
}
