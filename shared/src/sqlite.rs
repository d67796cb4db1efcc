//! Runs shared statements and the embedded migrations on SQLite through rusqlite: the native tests and
//! the client replica. Bundled SQLite natively, sqlite-wasm-rs in the browser.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use crate::actor::Actor;
use crate::error::MutationError;
use crate::mutations::Mutation;
use crate::schema::{MIGRATIONS, Migration};
use crate::statement::{SqlValue, Statement};

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlValue::Null => ToSqlOutput::Owned(Value::Null),
            SqlValue::Integer(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            SqlValue::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

/// Applies the shared schema's migrations (`migrations/`) this database has not seen yet.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    migrate_with(conn, MIGRATIONS)
}

/// The one migration runner: applies the `migrations` this database has not seen yet, in order, in
/// one transaction, and records how many it has seen in `PRAGMA user_version`.
/// A database a newer build has migrated further is refused, untouched: this build cannot know its
/// tables (a page served from an old cache, say).
pub fn migrate_with(conn: &mut Connection, migrations: &[Migration]) -> rusqlite::Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if usize::try_from(applied).unwrap_or(usize::MAX) > migrations.len() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!(
                "this database was written by a newer version of the app ({applied} migrations; \
                 this one knows {})",
                migrations.len()
            )),
        ));
    }
    if usize::try_from(applied).ok() == Some(migrations.len()) {
        // Up to date: no write, so no journal and no sync (a cold start opens two databases).
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (_, sql) in migrations
        .iter()
        .skip(usize::try_from(applied).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", migrations.len() as i64)?;
    tx.commit()
}

/// Runs `statements` in order, each prepared once per connection. Callers wrap them in a transaction.
pub fn execute(conn: &Connection, statements: &[Statement]) -> rusqlite::Result<()> {
    for statement in statements {
        conn.prepare_cached(statement.sql)?
            .execute(params_from_iter(statement.params.iter()))?;
    }
    Ok(())
}

/// Applies one mutation as `by` in its own transaction: all of its statements, or none of them.
pub fn apply(conn: &mut Connection, mutation: &Mutation, by: &Actor) -> Result<(), MutationError> {
    let run = |conn: &mut Connection| -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        execute(&tx, &mutation.statements(by))?;
        tx.commit()
    };
    run(conn).map_err(|err| mutation.statement_failed(&err.to_string()))
}

/// The server's six pull queries on SQLite, in one transaction so they read one snapshot: what the
/// worker runs on D1 as one batch. For native tests and the server benchmark's baseline.
pub fn pull_read(
    conn: &mut Connection,
    by: &Actor,
    client_id: &uuid::Uuid,
    cookie: u64,
) -> rusqlite::Result<crate::server::PullRead> {
    use rusqlite::OptionalExtension;
    use rusqlite::types::Type;

    let invalid = |column: usize, err: String| {
        rusqlite::Error::FromSqlConversionFailure(column, Type::Text, err.into())
    };
    let tx = conn.transaction()?;
    let [page, client, end, before_page, access, horizon] =
        crate::server::pull_params(by, client_id, cookie);
    let rows = tx
        .prepare_cached(page.0)?
        .query_map(params_from_iter(page.1.iter()), |row| {
            let member_id: String = row.get(1)?;
            let args: String = row.get(4)?;
            let entry = crate::protocol::LogEntry {
                log_id: row.get::<_, i64>(0)? as u64,
                member_id: uuid::Uuid::parse_str(&member_id)
                    .map_err(|err| invalid(1, err.to_string()))?,
                id: row.get::<_, Option<i64>>(2)?.map(|id| id as u64),
                name: row.get(3)?,
                args: serde_json::from_str(&args).map_err(|err| invalid(4, err.to_string()))?,
                number: row.get::<_, Option<i64>>(6)?.map(|n| n as u64),
            };
            Ok((entry, row.get::<_, bool>(5)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let page_len = rows.iter().filter(|(_, in_page)| *in_page).count();
    let entries = rows.into_iter().map(|(entry, _)| entry).collect();
    let number = |(sql, params): (&str, Vec<SqlValue>)| -> rusqlite::Result<Option<u64>> {
        Ok(tx
            .prepare_cached(sql)?
            .query_row(params_from_iter(params.iter()), |row| row.get::<_, i64>(0))
            .optional()?
            .map(|n| n as u64))
    };
    let access = read_access(&tx, access)?;
    let (horizon, schema_version) = tx
        .prepare_cached(horizon.0)?
        .query_row(params_from_iter(horizon.1.iter()), |row| {
            Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
        })?;
    let snapshot = crate::server::PullRead {
        access,
        entries,
        page_len,
        last_mutation_id: number(client)?,
        log_end: number(end)?.unwrap_or(0),
        last_mutation_id_before_page: number(before_page)?,
        horizon,
        schema_version,
    };
    drop(tx);
    Ok(snapshot)
}

/// Answers a pull as the worker does (`worker/src/pull.rs`), on SQLite: the log after the cookie, or
/// a snapshot page. `cookie`: the request's, already resolved (`None`: the client has none);
/// `schema_version`: the request's.
pub fn answer_pull(
    conn: &mut Connection,
    by: &Actor,
    schema_version: u64,
    client_id: &uuid::Uuid,
    cookie: Option<u64>,
    cursor: Option<crate::protocol::SnapshotCursor>,
) -> rusqlite::Result<Result<crate::protocol::PullResponse, crate::ProtocolError>> {
    use crate::snapshot::{Read, Step, log_step, page_step};
    let mut read = Read::first(cookie, cursor);
    loop {
        let step = match read {
            Read::Log(cookie) => log_step(
                by,
                schema_version,
                cookie,
                pull_read(conn, by, client_id, cookie)?,
            ),
            Read::Snapshot(from) => page_step(
                by,
                schema_version,
                from.as_ref(),
                snapshot_page(conn, by, client_id, from.as_ref())?,
            ),
        };
        match step {
            Ok(Step::Answer(response)) => return Ok(Ok(response)),
            Ok(Step::Read(next)) => read = next,
            Err(err) => return Ok(Err(err)),
        }
    }
}

/// The twelve reads of a snapshot page on SQLite, in one transaction: what the worker runs on D1 as
/// one batch ([`crate::snapshot::page_params`]).
pub fn snapshot_page(
    conn: &mut Connection,
    by: &Actor,
    client_id: &uuid::Uuid,
    from: Option<&crate::protocol::SnapshotCursor>,
) -> rusqlite::Result<crate::snapshot::PageRead> {
    let tx = conn.transaction()?;
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
    ] = crate::snapshot::page_params(by, client_id, from);
    let rows = tx
        .prepare_cached(page.0)?
        .query_map(params_from_iter(page.1.iter()), |row| {
            Ok((issue(row)?, row.get::<_, bool>(14)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let issue_labels = all_rows(&tx, links, issue_label)?;
    let comments = all_rows(&tx, comments, comment)?;
    let events = all_rows(&tx, events, event)?;
    let reactions = all_rows(&tx, reactions, reaction)?;
    let mentions = all_rows(&tx, mentions, mention)?;
    let subscriptions = all_rows(&tx, subscriptions, subscription)?;
    let inbox_read = all_rows(&tx, inbox_read, read_mark)?;
    let labels = all_rows(&tx, labels, label)?;
    let (horizon, schema_version, head) =
        tx.prepare_cached(position.0)?
            .query_row(params_from_iter(position.1.iter()), |row| {
                Ok((
                    row.get::<_, Option<i64>>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })?;
    let last_mutation_id = tx
        .prepare_cached(last_mutation_id.0)?
        .query_row(params_from_iter(last_mutation_id.1.iter()), |row| {
            row.get::<_, i64>(0)
        })?;
    let access = read_access(&tx, access)?;
    let rejected = all_rows(&tx, rejected, rejection)?;
    let read = crate::snapshot::PageRead {
        access,
        page_len: rows.iter().filter(|(_, in_page)| *in_page).count(),
        issues: rows.into_iter().map(|(issue, _)| issue).collect(),
        issue_labels,
        comments,
        events,
        reactions,
        mentions,
        subscriptions,
        inbox_read,
        labels,
        horizon: horizon.unwrap_or(0) as u64,
        schema_version: schema_version.unwrap_or(1) as u64,
        head: head as u64,
        last_mutation_id: last_mutation_id as u64,
        rejected,
    };
    drop(tx);
    Ok(read)
}

/// A row of [`crate::server::SELECT_REJECTIONS`]; a code this build does not know reads as `Unknown`.
fn rejection(row: &rusqlite::Row) -> rusqlite::Result<crate::protocol::RejectedMutation> {
    let code: String = row.get(1)?;
    Ok(crate::protocol::RejectedMutation {
        id: row.get::<_, i64>(0)? as u64,
        error: serde_json::from_value(serde_json::Value::String(code))
            .unwrap_or(crate::error::ErrorCode::Unknown),
        message: row.get(2)?,
    })
}

fn all_rows<T>(
    conn: &Connection,
    (sql, params): (&str, Vec<SqlValue>),
    map: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    conn.prepare_cached(sql)?
        .query_map(params_from_iter(params.iter()), map)?
        .collect()
}

fn read_access(
    conn: &Connection,
    (sql, params): (&str, Vec<SqlValue>),
) -> rusqlite::Result<crate::server::Access> {
    conn.prepare_cached(sql)?
        .query_row(params_from_iter(params.iter()), |row| {
            Ok(crate::server::Access {
                role: row.get(0)?,
                client_workspace: row.get(1)?,
                client_member: row.get(2)?,
                token_valid: row.get::<_, i64>(3)? != 0,
                session_valid: row.get::<_, i64>(4)? != 0,
            })
        })
}

/// An issue row in [`crate::snapshot::ISSUE_COLUMNS`] order: what a snapshot page and the replica's
/// lists read.
pub fn issue(row: &rusqlite::Row) -> rusqlite::Result<crate::issue::Issue> {
    use crate::mutations::fields::Status;
    let text_error = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a valid {what}").into(),
        )
    };
    let id: String = row.get(0)?;
    let status: String = row.get(4)?;
    let priority: String = row.get(9)?;
    Ok(crate::issue::Issue {
        id: uuid::Uuid::parse_str(&id).map_err(|_| text_error(0, "issue id"))?,
        title: row.get(1)?,
        description: row.get(2)?,
        owner: row.get(3)?,
        status: Status::parse(&status).ok_or_else(|| text_error(4, "status"))?,
        created_at: row.get::<_, i64>(5)? as u64,
        updated_at: row.get::<_, i64>(6)? as u64,
        created_by: member(row, 7)?,
        updated_by: member(row, 8)?,
        priority: crate::mutations::fields::Priority::parse(&priority)
            .ok_or_else(|| text_error(9, "priority"))?,
        assignee: member(row, 10)?,
        number: row.get::<_, Option<i64>>(11)?.map(|n| n as u64),
        deleted_at: row.get::<_, Option<i64>>(12)?.map(|at| at as u64),
        deleted_by: member(row, 13)?,
    })
}

/// A label row in [`crate::label::LABEL_COLUMNS`] order.
pub fn label(row: &rusqlite::Row) -> rusqlite::Result<crate::label::Label> {
    Ok(crate::label::Label {
        id: uuid_at(row, 0)?,
        name: row.get(1)?,
        color: row.get(2)?,
        created_at: row.get::<_, i64>(3)? as u64,
    })
}

/// A label link row: `issue_id, label_id`.
pub fn issue_label(row: &rusqlite::Row) -> rusqlite::Result<crate::label::IssueLabel> {
    Ok(crate::label::IssueLabel {
        issue_id: uuid_at(row, 0)?,
        label_id: uuid_at(row, 1)?,
    })
}

/// A comment row in [`crate::comment::COMMENT_COLUMNS`] order.
pub fn comment(row: &rusqlite::Row) -> rusqlite::Result<crate::comment::Comment> {
    Ok(crate::comment::Comment {
        id: uuid_at(row, 0)?,
        issue_id: uuid_at(row, 1)?,
        author: uuid_at(row, 2)?,
        body: row.get(3)?,
        created_at: row.get::<_, i64>(4)? as u64,
        edited_at: row.get::<_, Option<i64>>(5)?.map(|at| at as u64),
    })
}

/// An event row in [`crate::history::EVENT_COLUMNS`] order.
pub fn event(row: &rusqlite::Row) -> rusqlite::Result<crate::history::IssueEvent> {
    let kind: String = row.get(3)?;
    Ok(crate::history::IssueEvent {
        issue_id: uuid_at(row, 0)?,
        at: row.get::<_, i64>(1)? as u64,
        member_id: uuid_at(row, 2)?,
        kind: crate::history::EventKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                "not a valid event kind".into(),
            )
        })?,
        value: row.get(4)?,
    })
}

/// A reaction row in [`crate::reaction::REACTION_COLUMNS`] order (`comment_id` `''` or NULL for the
/// issue's own).
pub fn reaction(row: &rusqlite::Row) -> rusqlite::Result<crate::reaction::Reaction> {
    let emoji: String = row.get(3)?;
    Ok(crate::reaction::Reaction {
        issue_id: uuid_at(row, 0)?,
        comment_id: optional_id(row, 1)?,
        member_id: uuid_at(row, 2)?,
        emoji: crate::reaction::Emoji::parse(&emoji).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                "not a known emoji".into(),
            )
        })?,
        created_at: row.get::<_, i64>(4)? as u64,
    })
}

/// A mention row: `issue_id, comment_id, member_id, by_member, at`.
pub fn mention(row: &rusqlite::Row) -> rusqlite::Result<crate::inbox::Mention> {
    Ok(crate::inbox::Mention {
        issue_id: uuid_at(row, 0)?,
        comment_id: optional_id(row, 1)?,
        member_id: uuid_at(row, 2)?,
        by_member: uuid_at(row, 3)?,
        at: row.get::<_, i64>(4)? as u64,
    })
}

/// A subscription row: `issue_id, subscribed, at`.
pub fn subscription(row: &rusqlite::Row) -> rusqlite::Result<crate::inbox::Subscription> {
    Ok(crate::inbox::Subscription {
        issue_id: uuid_at(row, 0)?,
        subscribed: row.get::<_, i64>(1)? != 0,
        at: row.get::<_, i64>(2)? as u64,
    })
}

/// A read mark row: `issue_id` (`''` or NULL for everything), `read_at`.
pub fn read_mark(row: &rusqlite::Row) -> rusqlite::Result<crate::inbox::InboxRead> {
    Ok(crate::inbox::InboxRead {
        issue_id: optional_id(row, 0)?,
        read_at: row.get::<_, i64>(1)? as u64,
    })
}

/// An id that may be absent, as NULL or as `''`.
fn optional_id(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<uuid::Uuid>> {
    match row.get::<_, Option<String>>(i)?.as_deref() {
        None | Some("") => Ok(None),
        Some(_) => member(row, i),
    }
}

fn uuid_at(row: &rusqlite::Row, i: usize) -> rusqlite::Result<uuid::Uuid> {
    member(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(
        i,
        "NULL where an id belongs".to_owned(),
        rusqlite::types::Type::Null,
    ))
}

fn member(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<uuid::Uuid>> {
    row.get::<_, Option<String>>(i)?
        .map(|id| {
            uuid::Uuid::parse_str(&id).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    err.into(),
                )
            })
        })
        .transpose()
}

/// One compaction run on SQLite, as the worker's scheduled job runs it on D1 (each step one
/// transaction, as each is one D1 batch). For native tests.
pub fn compact(
    conn: &mut Connection,
    settings: &crate::compaction::Settings,
    now: u64,
) -> rusqlite::Result<crate::compaction::Outcome> {
    use crate::compaction::{Budget, Outcome, closing_step, entries_step};
    let cutoff = settings.cutoff(now);
    let mut budget = Budget::new(settings);
    let mut outcome = Outcome::default();
    while budget.take_step() {
        let tx = conn.transaction()?;
        let mut deleted = 0;
        for statement in entries_step(settings, cutoff) {
            deleted = tx
                .prepare_cached(statement.sql)?
                .execute(params_from_iter(statement.params.iter()))?;
        }
        tx.commit()?;
        outcome.entries_deleted += deleted as u64;
        if (deleted as u64) < settings.batch_entries {
            outcome.finished = true;
            break;
        }
    }
    budget.take_closing();
    outcome.d1_calls = budget.used;
    let tx = conn.transaction()?;
    execute(&tx, &closing_step(settings, now, cutoff, &outcome))?;
    tx.commit()?;
    Ok(outcome)
}

/// The workspace's newest log entries, newest first, as the worker reads them for a poke
/// ([`crate::live::SELECT_NEWEST_LOG`]). For native tests.
pub fn newest_log(
    conn: &Connection,
    workspace_id: &uuid::Uuid,
) -> rusqlite::Result<Vec<crate::live::NewestLogRow>> {
    conn.prepare_cached(crate::live::SELECT_NEWEST_LOG)?
        .query_map(
            params_from_iter(crate::live::newest_log_params(workspace_id).iter()),
            |row| {
                Ok(crate::live::NewestLogRow {
                    id: row.get::<_, i64>(0)? as u64,
                    client_id: row.get(1)?,
                    member_id: row.get(2)?,
                    mutation_id: row.get::<_, i64>(3)? as u64,
                    name: row.get(4)?,
                    args: row.get(5)?,
                    issue_number: row.get::<_, Option<i64>>(6)?.map(|n| n as u64),
                    private_to: row.get(7)?,
                })
            },
        )?
        .collect()
}
