//! The live channel's presence rule on SQLite: a push pokes the workspace's object only while a
//! socket may be open, and no socket counted is ever missed.

mod common;

use rusqlite::Connection;
use shared::presence::{RECORD_CONNECT, record_idle, select_live};
use uuid::Uuid;

fn live(conn: &Connection, workspace: &Uuid) -> bool {
    let statement = select_live(workspace.to_string().into());
    conn.query_row(statement.sql, [workspace.to_string()], |row| {
        row.get::<_, i64>(0)
    })
    .unwrap()
        == 1
}

/// Counts a socket, as the worker does before handing it to the object; the new count.
fn connect(conn: &Connection, workspace: &Uuid) -> u64 {
    conn.query_row(RECORD_CONNECT, [workspace.to_string()], |row| {
        row.get::<_, i64>(0)
    })
    .unwrap() as u64
}

/// What the worker records after a poke found no socket, the object having seen `seen`.
fn idle(conn: &mut Connection, workspace: &Uuid, seen: u64) {
    common::run_batch(conn, &[record_idle(workspace, seen)]).unwrap();
}

#[test]
fn a_workspace_nobody_ever_opened_is_not_live() {
    let conn = common::open();
    assert!(!live(&conn, &Uuid::new_v4()));
}

#[test]
fn a_socket_counted_makes_the_workspace_live_until_a_poke_finds_none() {
    let mut conn = common::open();
    let workspace = Uuid::new_v4();
    let other = Uuid::new_v4();
    assert_eq!(connect(&conn, &workspace), 1);
    assert!(live(&conn, &workspace));
    assert!(!live(&conn, &other), "each workspace its own");
    assert_eq!(connect(&conn, &workspace), 2);
    // The object saw both, then found none at a poke: idle.
    idle(&mut conn, &workspace, 2);
    assert!(!live(&conn, &workspace));
    // A new socket makes it live again.
    assert_eq!(connect(&conn, &workspace), 3);
    assert!(live(&conn, &workspace));
}

#[test]
fn a_socket_counted_but_not_yet_seen_by_the_object_keeps_the_workspace_live() {
    let mut conn = common::open();
    let workspace = Uuid::new_v4();
    connect(&conn, &workspace);
    // A second socket is counted while a poke finds the object empty, having seen only the first.
    connect(&conn, &workspace);
    idle(&mut conn, &workspace, 1);
    assert!(
        live(&conn, &workspace),
        "the second socket is still on its way"
    );
    // A late idle from an older poke never undoes a newer one either.
    idle(&mut conn, &workspace, 2);
    idle(&mut conn, &workspace, 1);
    assert!(!live(&conn, &workspace));
}
