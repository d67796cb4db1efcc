//! Schema version 3 in the shared crate: issue numbers given by the server's batch, each issue's
//! history written beside every change, the trash, and undo (`revertIssue`), on the server's SQL and
//! through a replica.

mod common;

use common::{Server, by};
use serde_json::{Value, json};
use shared::history::EventKind;
use shared::issue::IssueFilter;
use shared::replica::{Replica, Storage};
use uuid::Uuid;

fn replica() -> Replica {
    Replica::open(&Storage::Memory, by()).expect("an in-memory replica")
}

fn create(id: Uuid, title: &str, at: u64) -> Value {
    json!({"id": id, "title": title, "description": "", "owner": "ada", "createdAt": at})
}

/// The server's numbers, by issue id.
fn numbers(server: &Server) -> Vec<(String, Option<i64>)> {
    server
        .conn
        .prepare("SELECT id, number FROM issue ORDER BY number, id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_server_numbers_creates_in_the_order_it_applies_them_and_a_replica_learns_them() {
    let mut server = Server::new();
    let mut mine = replica();
    server.catch_up(&mut mine);
    // Made offline here, while someone else creates two on the server.
    let offline = Uuid::new_v4();
    mine.mutate("createIssue", &create(offline, "made offline", 10), 10)
        .unwrap();
    assert_eq!(mine.issue(offline).unwrap().unwrap().number, None);
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    server.someone_does("createIssue", create(first, "first", 11));
    server.someone_does("createIssue", create(second, "second", 12));
    server.push(&mut mine);
    server.catch_up(&mut mine);
    assert_eq!(
        numbers(&server),
        [
            (first.to_string(), Some(1)),
            (second.to_string(), Some(2)),
            (offline.to_string(), Some(3)),
        ]
    );
    assert_eq!(mine.issue(offline).unwrap().unwrap().number, Some(3));
    assert_eq!(mine.issue(first).unwrap().unwrap().number, Some(1));
    // The log carries the number beside the entry (not in its args, which an older client reads),
    // so a replica replaying it, or a poke, gets the same.
    let (args, number): (String, i64) = server
        .conn
        .query_row(
            "SELECT args, issue_number FROM mutation_log WHERE name = 'createIssue' AND args LIKE ?1",
            [format!("%{offline}%")],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(number, 3);
    assert!(
        serde_json::from_str::<Value>(&args)
            .unwrap()
            .get("number")
            .is_none()
    );
    let mut fresh = replica();
    let read = shared::sqlite::pull_read(&mut server.conn, &by(), &Uuid::new_v4(), 0).unwrap();
    let numbers: Vec<Option<u64>> = read.entries.iter().map(|e| e.number).collect();
    assert_eq!(numbers, [Some(1), Some(2), Some(3)]);
    server.catch_up(&mut fresh);
    assert_eq!(fresh.issue(offline).unwrap().unwrap().number, Some(3));
    // A refused create (its id is taken) takes no number: the next one is 4.
    server.someone_does("createIssue", create(Uuid::new_v4(), "fourth", 13));
    let next: i64 = server
        .conn
        .query_row("SELECT next_issue_number FROM workspace", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(next, 5);
}

#[test]
fn a_client_may_not_choose_a_number() {
    let mut mine = replica();
    let mut args = create(Uuid::new_v4(), "mine", 1);
    args["number"] = json!(7);
    let err = mine.mutate("createIssue", &args, 1).unwrap_err();
    assert_eq!(err.code(), Some(shared::ErrorCode::InvalidArgs), "{err}");
    assert!(
        err.to_string().contains("number is given by the server"),
        "{err}"
    );
    assert_eq!(mine.pending_count().unwrap(), 0, "nothing queued");
}

#[test]
fn search_finds_an_issue_by_its_number_with_or_without_the_key() {
    let mut server = Server::new();
    let mut mine = replica();
    for i in 0..12 {
        server.someone_does(
            "createIssue",
            create(Uuid::new_v4(), &format!("issue {i}"), i),
        );
    }
    server.catch_up(&mut mine);
    for text in ["12", "#12", "TRK-12", "abc-12"] {
        let found = mine
            .issues(&IssueFilter {
                search: Some(text.into()),
                ..IssueFilter::default()
            })
            .unwrap();
        assert!(
            found.iter().any(|i| i.number == Some(12)),
            "{text} finds issue 12: {found:?}"
        );
    }
    // "1" finds issue 1 and every title with a 1 in it, not issue 12 by its number alone.
    let one = mine
        .issues(&IssueFilter {
            search: Some("1".into()),
            ..IssueFilter::default()
        })
        .unwrap();
    assert!(one.iter().any(|i| i.number == Some(1)));
    assert!(
        one.iter()
            .all(|i| i.number == Some(1) || i.title.contains('1'))
    );
}

#[test]
fn every_change_to_an_issue_is_in_its_history_and_compaction_leaves_it() {
    let mut server = Server::new();
    let mut mine = replica();
    let id = Uuid::new_v4();
    let label = Uuid::new_v4();
    server.someone_does(
        "createLabel",
        json!({"id": label, "name": "Bug", "color": "#ff0000", "createdAt": 1}),
    );
    let changes = [
        ("createIssue", create(id, "first", 10)),
        (
            "updateIssue",
            json!({"id": id, "title": "second", "updatedAt": 11}),
        ),
        (
            "updateIssue",
            json!({"id": id, "description": "why", "updatedAt": 12}),
        ),
        (
            "updateIssueStatus",
            json!({"id": id, "status": "done", "updatedAt": 13}),
        ),
        (
            "setIssuePriority",
            json!({"id": id, "priority": "urgent", "updatedAt": 14}),
        ),
        (
            "assignIssue",
            json!({"id": id, "assignee": by().member_id, "updatedAt": 15}),
        ),
        (
            "addIssueLabel",
            json!({"issueId": id, "labelId": label, "updatedAt": 16}),
        ),
        (
            "removeIssueLabel",
            json!({"issueId": id, "labelId": label, "updatedAt": 17}),
        ),
        ("deleteIssue", json!({"id": id, "deletedAt": 18})),
        ("restoreIssue", json!({"id": id, "restoredAt": 19})),
        (
            "revertIssue",
            json!({"id": id, "updatedAt": 20, "status": {"from": "done", "to": "in progress"}}),
        ),
        (
            "assignIssue",
            json!({"id": id, "assignee": null, "updatedAt": 21}),
        ),
    ];
    for (name, args) in &changes {
        server.someone_does(name, args.clone());
    }
    server.catch_up(&mut mine);
    let expected: Vec<(u64, EventKind, String)> = vec![
        (10, EventKind::Created, String::new()),
        (11, EventKind::Title, "second".into()),
        (12, EventKind::Description, String::new()),
        (13, EventKind::Status, "done".into()),
        (14, EventKind::Priority, "urgent".into()),
        (15, EventKind::Assignee, by().member_id.to_string()),
        (16, EventKind::LabelAdded, label.to_string()),
        (17, EventKind::LabelRemoved, label.to_string()),
        (18, EventKind::Trashed, String::new()),
        (19, EventKind::Restored, String::new()),
        (20, EventKind::Status, "in progress".into()),
        (21, EventKind::Assignee, String::new()),
    ];
    let someone = server.someone.member_id;
    let seen = |replica: &Replica| -> Vec<(u64, EventKind, String)> {
        replica
            .events(id)
            .unwrap()
            .into_iter()
            .map(|e| {
                assert_eq!(e.member_id, someone, "by whom");
                (e.at, e.kind, e.value)
            })
            .collect()
    };
    assert_eq!(seen(&mine), expected);
    assert_eq!(server.rows("issue_event").len(), expected.len());

    // Compaction deletes every log entry; a new device's snapshot still carries the history.
    let settings = shared::compaction::Settings::default();
    let cutoff = u64::MAX >> 12;
    common::run_batch(
        &mut server.conn,
        &shared::compaction::entries_step(&settings, cutoff),
    )
    .unwrap();
    let left: i64 = server
        .conn
        .query_row("SELECT COUNT(*) FROM mutation_log", [], |row| row.get(0))
        .unwrap();
    assert_eq!(left, 0, "the log is gone");
    let mut fresh = replica();
    server.catch_up(&mut fresh);
    assert_eq!(seen(&fresh), expected, "the snapshot carried the history");
    assert_eq!(fresh.issue(id).unwrap().unwrap().number, Some(1));
}

#[test]
fn an_issues_history_keeps_its_newest_200_events() {
    let mut server = Server::new();
    let id = Uuid::new_v4();
    server.someone_does("createIssue", create(id, "busy", 0));
    for at in 1..=250u64 {
        let status = ["done", "in progress"][at as usize % 2];
        server.someone_does(
            "updateIssueStatus",
            json!({"id": id, "status": status, "updatedAt": at}),
        );
    }
    let (n, oldest): (i64, i64) = server
        .conn
        .query_row(
            "SELECT COUNT(*), MIN(at) FROM issue_event WHERE issue_id = ?1",
            [id.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, oldest), (200, 51));
}

#[test]
fn the_trash_keeps_an_issue_whole_until_restored_and_lists_and_counts_leave_it_out() {
    let mut server = Server::new();
    let mut mine = replica();
    let (id, kept) = (Uuid::new_v4(), Uuid::new_v4());
    let label = Uuid::new_v4();
    server.someone_does("createIssue", create(id, "to trash", 1));
    server.someone_does("createIssue", create(kept, "kept", 2));
    server.someone_does(
        "createLabel",
        json!({"id": label, "name": "Bug", "color": "#ff0000", "createdAt": 1}),
    );
    server.someone_does(
        "addIssueLabel",
        json!({"issueId": id, "labelId": label, "updatedAt": 3}),
    );
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": id, "body": "a thought", "createdAt": 4}),
    );
    server.catch_up(&mut mine);
    mine.mutate("deleteIssue", &json!({"id": id, "deletedAt": 5}), 5)
        .unwrap();
    let shown: Vec<Uuid> = mine
        .issues(&IssueFilter::default())
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(shown, [kept], "the list leaves it out at once, offline");
    assert_eq!(mine.status_counts().unwrap().total(), 1);
    common::assert_counts_match(&mine);
    let trash = mine.trash(0, 10).unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(
        (trash[0].id, trash[0].deleted_at, trash[0].deleted_by),
        (id, Some(5), Some(by().member_id))
    );
    let none = mine
        .issues(&IssueFilter {
            search: Some("trash".into()),
            ..IssueFilter::default()
        })
        .unwrap();
    assert!(none.is_empty(), "search leaves it out");
    server.push(&mut mine);
    server.catch_up(&mut mine);
    assert_eq!(mine.trash(0, 10).unwrap().len(), 1);
    // Restored by another member: back with its comment and label.
    server.someone_does("restoreIssue", json!({"id": id, "restoredAt": 6}));
    server.catch_up(&mut mine);
    assert!(mine.trash(0, 10).unwrap().is_empty());
    assert_eq!(mine.issues(&IssueFilter::default()).unwrap().len(), 2);
    assert_eq!(mine.comments(id).unwrap().len(), 1);
    assert_eq!(mine.issue_labels(&[id]).unwrap().len(), 1);
    common::assert_counts_match(&mine);
}

#[test]
fn compaction_removes_what_has_been_in_the_trash_past_the_window_and_nothing_else() {
    let mut server = Server::new();
    let (old, recent, live) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for (id, at) in [(old, 1), (recent, 2), (live, 3)] {
        server.someone_does("createIssue", create(id, "issue", at));
        server.someone_does(
            "addComment",
            json!({"id": Uuid::new_v4(), "issueId": id, "body": "hi", "createdAt": at}),
        );
    }
    // The replica's member reads, follows, labels and reacts to the issue that will be removed, and
    // is mentioned on it: every table that names an issue holds a row of it.
    let mut mine = replica();
    server.catch_up(&mut mine);
    let label = Uuid::new_v4();
    for (name, args) in [
        ("markInboxRead", json!({"issueId": old, "at": 4})),
        (
            "setSubscription",
            json!({"issueId": old, "subscribed": true, "at": 4}),
        ),
        (
            "setReaction",
            json!({"issueId": old, "emoji": "+1", "on": true, "at": 4}),
        ),
        (
            "createLabel",
            json!({"id": label, "name": "bug", "color": "#d73a4a", "createdAt": 4}),
        ),
        (
            "addIssueLabel",
            json!({"issueId": old, "labelId": label, "updatedAt": 4}),
        ),
    ] {
        mine.mutate(name, &args, 4).unwrap();
    }
    server.push(&mut mine);
    let me = by().member_id;
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": old, "body": format!("[@me](mention:{me})"), "createdAt": 5}),
    );
    server.someone_does("deleteIssue", json!({"id": old, "deletedAt": 1_000}));
    server.someone_does("deleteIssue", json!({"id": recent, "deletedAt": 9_000}));
    // The replica holds both in its trash.
    server.catch_up(&mut mine);
    assert_eq!(mine.trash(0, 10).unwrap().len(), 2);
    let settings = shared::compaction::Settings::default();
    let closing = shared::compaction::closing_step(
        &settings,
        10_000,
        5_000,
        &shared::compaction::Outcome::default(),
    );
    common::run_batch(&mut server.conn, &closing).unwrap();
    let ids: Vec<String> = server
        .conn
        .prepare("SELECT id FROM issue ORDER BY created_at")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, [recent.to_string(), live.to_string()]);
    for table in ["comment", "issue_event"] {
        let orphans: i64 = server
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE issue_id = ?1"),
                [old.to_string()],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "{table} of the removed issue");
    }
    // Compaction logged the removal, as the member who trashed it: the replica drops the issue too,
    // and equals the server row for row.
    let (client, name, member): (String, String, String) = server
        .conn
        .query_row(
            "SELECT client_id, name, member_id FROM mutation_log ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (client.as_str(), name.as_str(), member),
        (
            shared::compaction::COMPACTION_CLIENT,
            "deleteIssue",
            server.someone.member_id.to_string()
        )
    );
    server.catch_up(&mut mine);
    // Every table with an issue's rows, found in the schema (so a table added later is checked
    // too): nothing of the removed issue is left on the server, and the replica equals it.
    let tables: Vec<String> = server
        .conn
        .prepare(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'issue_id' ORDER BY m.name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in [
        "comment",
        "inbox_read",
        "issue_label",
        "mention",
        "reaction",
        "subscription",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    for table in tables.iter().map(String::as_str).chain(["issue"]) {
        let column = if table == "issue" { "id" } else { "issue_id" };
        let left: i64 = server
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
                [old.to_string()],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(
            left, 0,
            "{table} keeps rows of the removed issue on the server"
        );
        if let Ok(rows) = mine.base_rows(table) {
            assert_eq!(rows, server.rows(table), "{table} on the replica");
        }
    }
    assert_eq!(mine.trash(0, 10).unwrap().len(), 1);
    // Restoring it now is refused, in the rule's words.
    let err = mine
        .mutate("restoreIssue", &json!({"id": old, "restoredAt": 11_000}), 1)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the issue does not exist (it may have been deleted)"
    );
}

#[test]
fn an_undo_reverts_its_own_fields_only_and_is_refused_when_someone_changed_one_since() {
    let mut server = Server::new();
    let mut mine = replica();
    let id = Uuid::new_v4();
    server.someone_does("createIssue", create(id, "title", 1));
    server.catch_up(&mut mine);
    mine.mutate(
        "updateIssueStatus",
        &json!({"id": id, "status": "done", "updatedAt": 2}),
        2,
    )
    .unwrap();
    server.push(&mut mine);
    // Someone renames it meanwhile: undoing my status change leaves their title.
    server.someone_does(
        "updateIssue",
        json!({"id": id, "title": "their title", "updatedAt": 3}),
    );
    server.catch_up(&mut mine);
    let undo = json!({"id": id, "updatedAt": 4, "status": {"from": "done", "to": "not started"}});
    mine.mutate("revertIssue", &undo, 4).unwrap();
    server.push(&mut mine);
    server.catch_up(&mut mine);
    let issue = mine.issue(id).unwrap().unwrap();
    assert_eq!(
        (issue.status.as_str(), issue.title.as_str()),
        ("not started", "their title")
    );

    // Now someone sets the status; redoing mine would overwrite theirs: refused, nothing changed.
    server.someone_does(
        "updateIssueStatus",
        json!({"id": id, "status": "in progress", "updatedAt": 5}),
    );
    server.catch_up(&mut mine);
    let redo = json!({"id": id, "updatedAt": 6, "status": {"from": "not started", "to": "done"}});
    let err = mine.mutate("revertIssue", &redo, 6).unwrap_err();
    assert!(
        err.to_string().starts_with("someone changed this since"),
        "{err}"
    );
    assert_eq!(mine.pending_count().unwrap(), 0, "nothing queued");
    assert_eq!(
        mine.issue(id).unwrap().unwrap().status.as_str(),
        "in progress"
    );

    // Accepted here but refused by the server (the change reached it first): rejected, undone.
    let undo_priority =
        json!({"id": id, "updatedAt": 7, "priority": {"from": "none", "to": "high"}});
    mine.mutate("revertIssue", &undo_priority, 7).unwrap();
    server.someone_does(
        "setIssuePriority",
        json!({"id": id, "priority": "low", "updatedAt": 7}),
    );
    server.push(&mut mine);
    server.catch_up(&mut mine);
    assert_eq!(mine.issue(id).unwrap().unwrap().priority.as_str(), "low");
    assert_eq!(mine.pending_count().unwrap(), 0);

    // An undo with nothing in it is refused as bad input.
    let err = mine
        .mutate("revertIssue", &json!({"id": id, "updatedAt": 8}), 8)
        .unwrap_err();
    assert_eq!(err.code(), Some(shared::ErrorCode::InvalidArgs), "{err}");
}
