//! Moves shared statements to D1 and rows back. Every value is bound as a parameter.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::issue::Issue;
use shared::live;
use shared::mutations::fields::{Priority, Status};
use shared::protocol::{LogEntry, SnapshotCursor};
use shared::server::{self, Access, OUT_OF_ORDER, PullRead};
use shared::snapshot::{self, PageRead};
use shared::{Actor, ProtocolError, SqlValue, Statement};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use crate::error::ApiError;

/// The binding name of the database in wrangler.toml.
pub const BINDING: &str = "DB";

/// Why a batch did not commit. Either way, none of its statements took effect.
pub enum BatchError {
    /// The ordering guard fired: another push processed this mutation first.
    OutOfOrder,
    /// One of the mutation's own statements broke a constraint (say, an issue id that exists).
    Constraint(String),
    /// The guard refused who is asking: not a member, or someone else's client.
    Refused(ProtocolError),
    /// Anything else: D1 itself failed.
    Failed(worker::Error),
}

/// How long to wait before each new try of a batch that found the database locked (SQLite's
/// `SQLITE_BUSY`): the batch did not run, so running it again is safe. Another process may hold the
/// file of a local D1 for a moment (the tests' own reads and writes of it do).
const BUSY_WAITS_MS: [u64; 3] = [20, 100, 400];

/// Runs `statements` as one atomic D1 batch; what each returned.
pub async fn batch(db: &D1Database, statements: &[Statement]) -> Result<Vec<D1Result>, BatchError> {
    let mut waits = BUSY_WAITS_MS.iter();
    loop {
        let prepared = statements
            .iter()
            .map(|statement| prepare(db, statement.sql, &statement.params))
            .collect::<worker::Result<Vec<_>>>()
            .map_err(BatchError::Failed)?;
        crate::faults::before_call()
            .await
            .map_err(BatchError::Failed)?;
        let err = match db.batch(prepared).await {
            Ok(results) => {
                crate::faults::after_commit().map_err(BatchError::Failed)?;
                return Ok(results);
            }
            Err(err) => err,
        };
        match waits.next() {
            Some(ms) if cause(&err).contains("SQLITE_BUSY") => {
                worker::Delay::from(std::time::Duration::from_millis(*ms)).await;
            }
            _ => return Err(classify(err)),
        }
    }
}

/// Runs a read, again after a moment when D1 failed in a way a new try may not: the database
/// locked, or the opaque "internal error" a local D1 gives when a lock meets a read. A read changes
/// nothing, so trying it again is safe; a write is tried again only when the lock is certain
/// ([`batch`]).
async fn read<T, F>(mut attempt: impl FnMut() -> F) -> worker::Result<T>
where
    F: std::future::Future<Output = worker::Result<T>>,
{
    let mut waits = BUSY_WAITS_MS.iter();
    crate::faults::before_call().await?;
    loop {
        let err = match attempt().await {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let cause = cause(&err);
        match waits.next() {
            Some(ms) if cause.contains("SQLITE_BUSY") || cause.contains("internal error") => {
                worker::Delay::from(std::time::Duration::from_millis(*ms)).await;
            }
            _ => return Err(err),
        }
    }
}

/// `queries` read as one batch (one snapshot of the database), tried again as [`read`] says.
async fn read_batch(
    db: &D1Database,
    queries: &[(&'static str, Vec<SqlValue>)],
) -> worker::Result<Vec<D1Result>> {
    read(|| async {
        let prepared = queries
            .iter()
            .map(|(sql, params)| prepare(db, sql, params))
            .collect::<worker::Result<Vec<_>>>()?;
        db.batch(prepared).await
    })
    .await
}

/// What D1 said went wrong.
fn cause(err: &worker::Error) -> String {
    match err {
        worker::Error::D1(d1) => d1.cause(),
        other => other.to_string(),
    }
}

fn classify(err: worker::Error) -> BatchError {
    let message = cause(&err);
    if let Some(refusal) = server::guard_refusal(&message) {
        BatchError::Refused(refusal)
    } else if message.contains(OUT_OF_ORDER) || message.contains("mutation_log.client_id") {
        BatchError::OutOfOrder
    } else if message.to_ascii_lowercase().contains("constraint failed") {
        BatchError::Constraint(clean(&message))
    } else {
        BatchError::Failed(err)
    }
}

/// D1 wraps SQLite's message as `D1_ERROR: <message>: SQLITE_CONSTRAINT`; keep the message.
fn clean(message: &str) -> String {
    let message = message.strip_prefix("D1_ERROR: ").unwrap_or(message);
    let message = message.split(": SQLITE_").next().unwrap_or(message);
    message.to_owned()
}

/// Runs `statements` as one atomic D1 batch, for statements that fail only if D1 does.
pub async fn run(db: &D1Database, statements: &[Statement]) -> Result<(), ApiError> {
    run_for_results(db, statements).await.map(|_| ())
}

/// [`run`], and what each statement returned.
pub async fn run_for_results(
    db: &D1Database,
    statements: &[Statement],
) -> Result<Vec<D1Result>, ApiError> {
    match batch(db, statements).await {
        Ok(results) => Ok(results),
        Err(BatchError::Refused(refusal)) => Err(refusal.into()),
        Err(BatchError::OutOfOrder) => Err(ApiError::internal("a batch", "out of order")),
        Err(BatchError::Constraint(message)) => Err(ApiError::internal("a batch", message)),
        Err(BatchError::Failed(err)) => Err(ApiError::internal("a batch", err)),
    }
}

/// Runs one statement; how many rows it changed.
pub async fn changes(db: &D1Database, statement: &Statement) -> Result<usize, ApiError> {
    Ok(changes_in_batch(db, std::slice::from_ref(statement))
        .await?
        .first()
        .copied()
        .unwrap_or(0))
}

/// Runs `statements` as one atomic batch; how many rows each changed.
pub async fn changes_in_batch(
    db: &D1Database,
    statements: &[Statement],
) -> Result<Vec<usize>, ApiError> {
    let prepared = statements
        .iter()
        .map(|statement| prepare(db, statement.sql, &statement.params))
        .collect::<worker::Result<Vec<_>>>()?;
    db.batch(prepared)
        .await?
        .iter()
        .map(|result| Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0)))
        .collect()
}

/// The rows of one query.
pub async fn all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    params: &[SqlValue],
) -> Result<Vec<T>, ApiError> {
    rows(&read(|| async { prepare(db, sql, params)?.all().await }).await?)
}

/// The first row of one query, if any.
pub async fn first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    params: &[SqlValue],
) -> Result<Option<T>, ApiError> {
    Ok(all(db, sql, params).await?.into_iter().next())
}

/// The client's `last_mutation_id` (0 for a client the server has never seen), once `by` may use it:
/// both read in one batch.
pub async fn last_mutation_id(
    db: &D1Database,
    by: &Actor,
    client_id: &uuid::Uuid,
) -> Result<u64, ApiError> {
    let results = read(|| async {
        let prepared = vec![
            prepare(
                db,
                server::SELECT_LAST_MUTATION_ID,
                &[client_id.to_string().into()],
            )?,
            prepare(
                db,
                server::SELECT_ACCESS,
                &server::access_params(by, client_id),
            )?,
        ];
        db.batch(prepared).await
    })
    .await?;
    let [client, access] = results.as_slice() else {
        return Err(ApiError::internal(
            "reading lastMutationId",
            "D1 returned the wrong number of results",
        ));
    };
    access_row(access)?.check(by)?;
    Ok(first_row::<LastMutationId>(client)?.map_or(0, |row| row.last_mutation_id))
}

/// Refuses `by` unless they are a member of their workspace now and `client_id` is theirs (or new).
pub async fn access(db: &D1Database, by: &Actor, client_id: &uuid::Uuid) -> Result<(), ApiError> {
    let result = read(|| async {
        prepare(
            db,
            server::SELECT_ACCESS,
            &server::access_params(by, client_id),
        )?
        .all()
        .await
    })
    .await?;
    Ok(access_row(&result)?.check(by)?)
}

/// Counts a socket of `workspace` about to be handed to its object ([`shared::presence`]); the count.
pub async fn record_connect(db: &D1Database, workspace: &uuid::Uuid) -> Result<u64, ApiError> {
    #[derive(Deserialize)]
    struct Connects {
        connects: u64,
    }
    let statement = shared::presence::record_connect(workspace);
    let results = run_for_results(db, std::slice::from_ref(&statement)).await?;
    results
        .first()
        .map(first_row::<Connects>)
        .transpose()?
        .flatten()
        .map(|row| row.connects)
        .ok_or_else(|| ApiError::internal("counting a socket", "no count came back"))
}

/// Whether the last of `results` (a push's batch ending in [`shared::presence::select_live`]) says
/// a socket may be open; `true` when it cannot tell, so that no poke is skipped by mistake.
pub fn live(results: &[D1Result]) -> bool {
    #[derive(Deserialize)]
    struct Live {
        live: u8,
    }
    results
        .last()
        .and_then(|result| first_row::<Live>(result).ok().flatten())
        .is_none_or(|row| row.live != 0)
}

/// What a poke needs, in one batch: the workspace's newest entries (newest first), its compaction
/// horizon, and its members and API tokens now.
pub struct PokeReads {
    pub newest: Vec<live::NewestLogRow>,
    pub horizon: u64,
    pub members: Vec<String>,
    pub tokens: Vec<String>,
}

pub async fn poke_reads(db: &D1Database, workspace_id: &uuid::Uuid) -> Result<PokeReads, ApiError> {
    let workspace = [SqlValue::from(workspace_id.to_string())];
    let results = read(|| async {
        let prepared = vec![
            prepare(
                db,
                live::SELECT_NEWEST_LOG,
                &live::newest_log_params(workspace_id),
            )?,
            prepare(db, server::SELECT_HORIZON, &workspace)?,
            prepare(db, live::SELECT_MEMBERS, &workspace)?,
            prepare(db, live::SELECT_TOKENS, &workspace)?,
        ];
        db.batch(prepared).await
    })
    .await?;
    let [log, horizon, members, tokens] = results.as_slice() else {
        return Err(ApiError::internal(
            "a poke's reads",
            "D1 returned the wrong number of results",
        ));
    };
    #[derive(Deserialize)]
    struct Member {
        member_id: String,
    }
    #[derive(Deserialize)]
    struct Token {
        id: String,
    }
    Ok(PokeReads {
        newest: rows(log)?,
        horizon: first_row::<Horizon>(horizon)?.map_or(0, |row| row.horizon),
        members: rows::<Member>(members)?
            .into_iter()
            .map(|m| m.member_id)
            .collect(),
        tokens: rows::<Token>(tokens)?.into_iter().map(|t| t.id).collect(),
    })
}

/// The six pull queries, as one batch so that they read one snapshot.
pub async fn pull_read(
    db: &D1Database,
    by: &Actor,
    client_id: &uuid::Uuid,
    cookie: u64,
) -> Result<PullRead, ApiError> {
    let results = read_batch(db, &server::pull_params(by, client_id, cookie)).await?;
    let [page, client, end, before_page, access, horizon] = results.as_slice() else {
        return Err(ApiError::internal(
            "a pull batch",
            "D1 returned the wrong number of results",
        ));
    };
    let horizon = first_row::<Horizon>(horizon)?.unwrap_or_default();
    let rows = rows::<LogRow>(page)?;
    let page_len = rows.iter().filter(|row| row.in_page != 0).count();
    let entries = rows
        .into_iter()
        .map(LogRow::into_entry)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PullRead {
        access: access_row(access)?,
        entries,
        page_len,
        last_mutation_id: first_row::<LastMutationId>(client)?.map(|row| row.last_mutation_id),
        log_end: first_row::<LogEnd>(end)?.map_or(0, |row| row.log_end),
        last_mutation_id_before_page: first_row::<MutationId>(before_page)?
            .map(|row| row.mutation_id),
        horizon: horizon.horizon,
        schema_version: horizon.schema_version,
    })
}

/// A subscription as D1 returns it: SQLite has no booleans.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionRow {
    issue_id: uuid::Uuid,
    subscribed: u8,
    at: u64,
}

impl SubscriptionRow {
    fn into_subscription(self) -> shared::inbox::Subscription {
        shared::inbox::Subscription {
            issue_id: self.issue_id,
            subscribed: self.subscribed != 0,
            at: self.at,
        }
    }
}

/// The twelve reads of a snapshot page, as one batch so that they read one snapshot.
pub async fn snapshot_page(
    db: &D1Database,
    by: &Actor,
    client_id: &uuid::Uuid,
    from: Option<&SnapshotCursor>,
) -> Result<PageRead, ApiError> {
    let results = read_batch(db, &snapshot::page_params(by, client_id, from)).await?;
    let [
        page,
        links,
        comments,
        labels,
        position,
        last_mutation_id,
        access,
        events,
        reactions,
        mentions,
        subscriptions,
        inbox_read,
        rejected,
    ] = results.as_slice()
    else {
        return Err(ApiError::internal(
            "a snapshot batch",
            "D1 returned the wrong number of results",
        ));
    };
    let issue_rows = rows::<IssueRow>(page)?;
    let page_len = issue_rows.iter().filter(|row| row.in_page != 0).count();
    let issues = issue_rows
        .into_iter()
        .map(IssueRow::into_issue)
        .collect::<Result<Vec<_>, _>>()?;
    let position = first_row::<Position>(position)?.unwrap_or_default();
    Ok(PageRead {
        access: access_row(access)?,
        issues,
        page_len,
        issue_labels: rows(links)?,
        comments: rows(comments)?,
        events: rows(events)?,
        reactions: rows(reactions)?,
        mentions: rows(mentions)?,
        subscriptions: rows::<SubscriptionRow>(subscriptions)?
            .into_iter()
            .map(SubscriptionRow::into_subscription)
            .collect(),
        inbox_read: rows(inbox_read)?,
        labels: rows(labels)?,
        horizon: position.horizon.unwrap_or(0),
        schema_version: position.schema_version.unwrap_or(1),
        head: position.head,
        last_mutation_id: first_row::<LastMutationId>(last_mutation_id)?
            .map_or(0, |row| row.last_mutation_id),
        rejected: rows(rejected)?,
    })
}

fn access_row(result: &D1Result) -> Result<Access, ApiError> {
    let row = first_row::<AccessRow>(result)?.unwrap_or_default();
    Ok(Access {
        role: row.role,
        client_workspace: row.client_workspace,
        client_member: row.client_member,
        token_valid: row.token_valid.is_some_and(|valid| valid != 0),
        session_valid: row.session_valid.is_some_and(|valid| valid != 0),
    })
}

fn prepare(db: &D1Database, sql: &str, params: &[SqlValue]) -> worker::Result<D1PreparedStatement> {
    let values: Vec<JsValue> = params.iter().map(to_js).collect();
    db.prepare(sql).bind(&values)
}

/// Integers are below 2^53 by the protocol's checks, so the double D1 receives is exact.
fn to_js(value: &SqlValue) -> JsValue {
    match value {
        SqlValue::Null => JsValue::NULL,
        SqlValue::Integer(i) => JsValue::from_f64(*i as f64),
        SqlValue::Text(text) => JsValue::from_str(text),
    }
}

fn rows<T: for<'de> Deserialize<'de>>(result: &D1Result) -> Result<Vec<T>, ApiError> {
    result
        .results::<T>()
        .map_err(|err| ApiError::internal("reading D1 rows", err))
}

fn first_row<T: for<'de> Deserialize<'de>>(result: &D1Result) -> Result<Option<T>, ApiError> {
    Ok(rows::<T>(result)?.into_iter().next())
}

#[derive(Deserialize, Default)]
struct AccessRow {
    role: Option<String>,
    client_workspace: Option<String>,
    client_member: Option<String>,
    token_valid: Option<u8>,
    session_valid: Option<u8>,
}

#[derive(Deserialize)]
struct LastMutationId {
    last_mutation_id: u64,
}

#[derive(Deserialize)]
#[serde(default)]
struct Horizon {
    horizon: u64,
    schema_version: u64,
}

impl Default for Horizon {
    fn default() -> Self {
        Horizon {
            horizon: 0,
            schema_version: 1,
        }
    }
}

#[derive(Deserialize)]
struct LogEnd {
    log_end: u64,
}

#[derive(Deserialize)]
struct MutationId {
    mutation_id: u64,
}

#[derive(Deserialize)]
struct LogRow {
    id: u64,
    member_id: String,
    /// The mutation id, on the pulling client's own entries only.
    own_id: Option<u64>,
    name: String,
    args: String,
    /// 1 for the page's entries, 0 for the one after it.
    in_page: u8,
    issue_number: Option<u64>,
}

impl LogRow {
    fn into_entry(self) -> Result<LogEntry, ApiError> {
        Ok(LogEntry {
            log_id: self.id,
            member_id: uuid::Uuid::parse_str(&self.member_id)
                .map_err(|err| ApiError::internal("a log entry's member id is not a UUID", err))?,
            id: self.own_id,
            name: self.name,
            args: serde_json::from_str(&self.args)
                .map_err(|err| ApiError::internal("a log entry's args are not JSON", err))?,
            number: self.issue_number,
        })
    }
}

#[derive(Deserialize, Default)]
struct Position {
    /// NULL for a workspace that does not exist (the access check refuses it).
    horizon: Option<u64>,
    schema_version: Option<u64>,
    head: u64,
}

/// A row of [`snapshot::SELECT_ISSUE_PAGE`].
#[derive(Deserialize)]
struct IssueRow {
    id: String,
    title: String,
    description: String,
    owner: String,
    status: String,
    created_at: u64,
    updated_at: u64,
    created_by: Option<String>,
    updated_by: Option<String>,
    priority: String,
    assignee: Option<String>,
    number: Option<u64>,
    deleted_at: Option<u64>,
    deleted_by: Option<String>,
    /// 1 for the page's rows, 0 for the one after it.
    in_page: u8,
}

impl IssueRow {
    fn into_issue(self) -> Result<Issue, ApiError> {
        let member = |id: Option<String>| {
            id.map(|id| uuid::Uuid::parse_str(&id))
                .transpose()
                .map_err(|err| ApiError::internal("an issue's member id is not a UUID", err))
        };
        Ok(Issue {
            id: uuid::Uuid::parse_str(&self.id)
                .map_err(|err| ApiError::internal("an issue id is not a UUID", err))?,
            title: self.title,
            description: self.description,
            owner: self.owner,
            status: Status::parse(&self.status).ok_or_else(|| {
                ApiError::internal("an issue's status", format!("unknown: {}", self.status))
            })?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: member(self.created_by)?,
            updated_by: member(self.updated_by)?,
            priority: Priority::parse(&self.priority).ok_or_else(|| {
                ApiError::internal("an issue's priority", format!("unknown: {}", self.priority))
            })?,
            assignee: member(self.assignee)?,
            number: self.number,
            deleted_at: self.deleted_at,
            deleted_by: member(self.deleted_by)?,
        })
    }
}
