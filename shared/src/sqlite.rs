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
pub fn migrate_with(conn: &mut Connection, migrations: &[Migration]) -> rusqlite::Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
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

/// The server's five pull queries on SQLite, in one transaction so they read one snapshot: what the
/// worker runs on D1 as one batch. For native tests and the server benchmark's baseline.
pub fn pull_snapshot(
    conn: &mut Connection,
    by: &Actor,
    client_id: &uuid::Uuid,
    cookie: u64,
) -> rusqlite::Result<crate::server::PullSnapshot> {
    use rusqlite::OptionalExtension;
    use rusqlite::types::Type;

    let invalid = |column: usize, err: String| {
        rusqlite::Error::FromSqlConversionFailure(column, Type::Text, err.into())
    };
    let tx = conn.transaction()?;
    let [page, client, end, before_page, access] =
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
    let access =
        tx.prepare_cached(access.0)?
            .query_row(params_from_iter(access.1.iter()), |row| {
                Ok(crate::server::Access {
                    role: row.get(0)?,
                    client_workspace: row.get(1)?,
                    client_member: row.get(2)?,
                })
            })?;
    let snapshot = crate::server::PullSnapshot {
        access,
        entries,
        page_len,
        last_mutation_id: number(client)?,
        log_end: number(end)?.unwrap_or(0),
        last_mutation_id_before_page: number(before_page)?,
    };
    drop(tx);
    Ok(snapshot)
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
                })
            },
        )?
        .collect()
}
