//! Mutations as a client sends them, and the server's tables read back as JSON.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::server::Server;

pub fn create(id: &Uuid, title: &str) -> Value {
    json!({"name": "createIssue", "args": {"id": id, "title": title, "description": "",
           "owner": "tester", "createdAt": 1_764_000_000_000u64}})
}

pub fn update_status(id: &Uuid, status: &str, at: u64) -> Value {
    json!({"name": "updateIssueStatus", "args": {"id": id, "status": status, "updatedAt": at}})
}

pub fn delete(id: &Uuid) -> Value {
    json!({"name": "deleteIssue", "args": {"id": id}})
}

/// Numbers mutations `first, first + 1, ...` as the client would.
pub fn numbered(first: u64, mutations: impl IntoIterator<Item = Value>) -> Vec<Value> {
    mutations
        .into_iter()
        .zip(first..)
        .map(|(mut m, id)| {
            m["id"] = json!(id);
            m["timestamp"] = json!(1_764_000_000_000u64);
            m
        })
        .collect()
}

/// The rows of a query as JSON objects keyed by column name.
pub fn rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Value> {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare(sql).expect("prepare the query");
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    stmt.query_map([], |row| {
        let mut object = serde_json::Map::new();
        for (i, name) in names.iter().enumerate() {
            let value = match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => json!(n),
                ValueRef::Real(x) => json!(x),
                ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => json!(b),
            };
            object.insert(name.clone(), value);
        }
        Ok(Value::Object(object))
    })
    .expect("run the query")
    .collect::<Result<_, _>>()
    .expect("read the rows")
}

/// The issue table in the order and shape `Server::issues` returns.
pub const ISSUES_SQL: &str =
    "SELECT id, title, description, owner, status, created_at, updated_at FROM issue ORDER BY id";

/// Log entries as a pull gives them, each with the `clientId` and client mutation `id` the server
/// keeps for it (a pull shows neither, except the puller's own ids): read from the local D1, so a
/// test can check every client's entries from one pull.
pub fn with_clients(server: &Server, entries: Vec<Value>) -> Vec<Value> {
    let owners: std::collections::HashMap<u64, (Value, Value)> = server
        .sql("SELECT id, client_id, mutation_id FROM mutation_log")
        .into_iter()
        .map(|row| {
            (
                row["id"].as_u64().expect("log id"),
                (row["client_id"].clone(), row["mutation_id"].clone()),
            )
        })
        .collect();
    entries
        .into_iter()
        .map(|mut entry| {
            let log_id = entry["logId"].as_u64().expect("logId");
            let (client, id) = owners.get(&log_id).cloned().expect("the entry is in D1");
            entry["clientId"] = client;
            entry["id"] = id;
            entry
        })
        .collect()
}

/// The issues of one workspace in the order of [`ISSUES_SQL`], with their authors.
pub fn issues_in(server: &Server, workspace: &Uuid) -> Vec<Value> {
    // The id is a UUID we made: safe to inline in SQL that only the test runs.
    server.sql(&format!(
        "SELECT id, title, description, owner, status, created_at, updated_at, created_by, \
         updated_by, number, deleted_at FROM issue WHERE workspace_id = '{workspace}' ORDER BY id"
    ))
}

/// A replica's issues as [`issues_in`] reads the server's: the same columns, by id.
pub fn replica_rows(issues: Vec<shared::issue::Issue>) -> Vec<Value> {
    let mut rows: Vec<Value> = issues
        .into_iter()
        .map(|i| {
            json!({"id": i.id, "title": i.title, "description": i.description, "owner": i.owner,
                   "status": i.status.as_str(), "created_at": i.created_at, "updated_at": i.updated_at,
                   "created_by": i.created_by, "updated_by": i.updated_by, "number": i.number,
                   "deleted_at": i.deleted_at})
        })
        .collect();
    rows.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    rows
}

/// One issue row by id, or `None`.
pub fn issue_row(server: &Server, id: &Uuid) -> Option<Value> {
    // The id is a UUID we made: safe to inline in SQL that only the test runs.
    server
        .sql(&format!(
            "SELECT id, title, description, owner, status, created_at, updated_at FROM issue WHERE id = '{id}'"
        ))
        .into_iter()
        .next()
}
