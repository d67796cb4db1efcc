//! Runs shared statements and the embedded migrations on SQLite through rusqlite: the native tests and
//! the client replica. Bundled SQLite natively, sqlite-wasm-rs in the browser.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use crate::error::MutationError;
use crate::mutations::Mutation;
use crate::schema::MIGRATIONS;
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

/// Applies the migrations this database has not seen yet, tracked in `PRAGMA user_version`.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let tx = conn.transaction()?;
    for (_, sql) in MIGRATIONS
        .iter()
        .skip(usize::try_from(applied).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
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

/// Applies one mutation in its own transaction: all of its statements, or none of them.
pub fn apply(conn: &mut Connection, mutation: &Mutation) -> Result<(), MutationError> {
    let run = |conn: &mut Connection| -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        execute(&tx, &mutation.statements())?;
        tx.commit()
    };
    run(conn).map_err(|err| MutationError::StatementFailed(err.to_string()))
}
