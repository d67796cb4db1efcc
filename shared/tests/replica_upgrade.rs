//! A replica written by an earlier build opens with this one: its rows, its cursor, its client id and
//! its pending queue all kept, its tables brought to the current migrations in place, and (written
//! before workspaces) claimed by the workspace that opens it first.

mod common;

use std::path::{Path, PathBuf};

use shared::Actor;
use shared::mutations::fields::Status;
use shared::replica::{IssueFilter, Replica, ReplicaError, Storage};

/// A copy of a fixture replica in a fresh directory, as opening it writes to it.
fn copy_of(fixture: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let to = std::env::temp_dir().join(format!("replica-upgrade-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&to).unwrap();
    for file in ["base.sqlite3", "optimistic.sqlite3"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    to
}

fn stored_client_id(dir: &Path) -> String {
    let base = rusqlite::Connection::open(dir.join("base.sqlite3")).unwrap();
    base.query_row("SELECT client_id FROM replica_base", [], |row| row.get(0))
        .unwrap()
}

fn user_version(dir: &Path, file: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join(file)).unwrap();
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap()
}

#[test]
fn a_wave_one_replica_keeps_its_rows_cursor_identity_and_pending_queue() {
    // Written by the first wave's build: base has issues A, B, C (log up to 3, this client's
    // mutation 1 acknowledged); two changes are still pending (A's status, B's title).
    let dir = copy_of("replica-wave1");
    let client_id = stored_client_id(&dir);
    assert_eq!(
        user_version(&dir, "base.sqlite3"),
        1,
        "the fixture predates the replica's migrations"
    );

    // The first workspace opens it (the one that took the deployment's rows from before
    // workspaces): the replica and its rows become that workspace's.
    let mut replica = Replica::open(&Storage::Directory(dir.clone()), owner()).unwrap();
    common::assert_counts_match(&replica);
    assert_eq!(replica.client_id().to_string(), client_id);
    // Schema version 3 forgets the cursor: the next pull is a snapshot, bringing the server's issue
    // numbers (`replica/base/0005_snapshot_v3.sql`); the rows stay until it is complete.
    assert_eq!(replica.cookie(), None);
    assert_eq!(replica.last_mutation_id(), 1);
    assert_eq!(replica.pending_count().unwrap(), 2);
    let base: Vec<String> = replica
        .base_issues()
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(base, ["Issue C", "Issue B", "Issue A"]);
    let shown = replica.issues(&IssueFilter::default()).unwrap();
    let titles: Vec<&str> = shown.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Issue C", "Issue B, retitled offline", "Issue A"]);
    assert_eq!(shown[2].status, Status::InProgress);
    assert_eq!(
        shown[1].updated_by,
        Some(owner().member_id),
        "a pending change replays as the member using the replica"
    );
    for file in ["base.sqlite3", "optimistic.sqlite3"] {
        let conn = rusqlite::Connection::open(dir.join(file)).unwrap();
        let unclaimed: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM issue WHERE workspace_id <> ?1",
                [owner().workspace_id.to_string()],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(unclaimed, 0, "every row of {file} is the workspace's");
    }
    // A pending update, replayed with the workspace's rules, still finds its row.
    replica
        .mutate(
            "updateIssueStatus",
            &serde_json::json!({"id": shown[0].id, "status": "done", "updatedAt": 9}),
            9,
        )
        .unwrap();
    assert_eq!(
        replica.issues(&IssueFilter::default()).unwrap()[0].status,
        Status::Done
    );

    let (_, push) = replica
        .next_push()
        .unwrap()
        .expect("the pending changes go out");
    assert_eq!(push.client_id.to_string(), client_id);
    let sent: Vec<(u64, &str)> = push
        .mutations
        .iter()
        .map(|m| (m.id, m.name.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            (2, "updateIssueStatus"),
            (3, "updateIssue"),
            (4, "updateIssueStatus")
        ]
    );
    drop(replica);

    assert_eq!(
        user_version(&dir, "base.sqlite3") as usize,
        shared::replica::schema::BASE.len()
    );
    assert_eq!(
        user_version(&dir, "optimistic.sqlite3") as usize,
        shared::replica::schema::OPTIMISTIC.len()
    );
    // And it opens again, unchanged, at the current version.
    let replica = Replica::open(&Storage::Directory(dir.clone()), owner()).unwrap();
    assert_eq!(replica.pending_count().unwrap(), 3);
    drop(replica);
    // It is that workspace's now: another one cannot open it.
    let elsewhere = Actor::new(uuid::Uuid::new_v4(), owner().member_id);
    let refused = Replica::open(&Storage::Directory(dir.clone()), elsewhere);
    assert!(
        matches!(refused, Err(ReplicaError::Inconsistent(_))),
        "another workspace's replica is refused"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn owner() -> Actor {
    Actor::new(
        uuid::Uuid::from_u128(0x0c4b_8f5e_2a6d_4f1b_9e3a_7d5c_1b9f_2e40),
        uuid::Uuid::from_u128(0x9a2e_6c1d_4b7f_4e8a_b3c5_1f6d_8e2a_9b70),
    )
}

#[test]
fn every_shared_migration_is_in_each_replica_database_in_order() {
    for list in [
        shared::replica::schema::BASE,
        shared::replica::schema::OPTIMISTIC,
    ] {
        let shared_ones: Vec<&str> = list
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !name.starts_with("replica/"))
            .collect();
        let expected: Vec<&str> = shared::schema::MIGRATIONS
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(shared_ones, expected);
    }
}

#[test]
fn a_replica_a_newer_build_migrated_is_refused_untouched() {
    let dir = std::env::temp_dir().join(format!("replica-newer-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let actor = shared::Actor::new(uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    drop(
        shared::replica::Replica::open(&shared::replica::Storage::Directory(dir.clone()), actor)
            .expect("open"),
    );
    let newer = shared::replica::schema::BASE.len() as i64 + 3;
    rusqlite::Connection::open(dir.join("base.sqlite3"))
        .expect("the base file")
        .pragma_update(None, "user_version", newer)
        .expect("as a newer build leaves it");
    let refused =
        shared::replica::Replica::open(&shared::replica::Storage::Directory(dir.clone()), actor);
    let message = refused.err().expect("refused").to_string();
    assert!(
        message.contains("written by a newer version of the app"),
        "{message}"
    );
    let version: i64 = rusqlite::Connection::open(dir.join("base.sqlite3"))
        .expect("the base file")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("its version");
    assert_eq!(version, newer, "left as it was");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_replica_of_the_last_schema_version_1_build_upgrades_and_its_pending_changes_push() {
    // Written by the last build of schema version 1 (the commit before version 2): issues A, B and
    // C pulled (a snapshot, cookie 3); A's status and a new issue D pending, never pushed.
    let dir = copy_of("replica-schema-v1");
    let client_id = stored_client_id(&dir);
    assert_eq!(
        user_version(&dir, "base.sqlite3"),
        7,
        "version 1's migrations"
    );
    let mut replica = Replica::open(&Storage::Directory(dir.clone()), common::by()).unwrap();
    common::assert_counts_match(&replica);
    replica.set_role(shared::api::Role::Owner).unwrap();
    assert_eq!(
        user_version(&dir, "base.sqlite3") as usize,
        shared::replica::schema::BASE.len()
    );
    assert_eq!(replica.client_id().to_string(), client_id);
    // Schema version 3 forgets the cursor: the next pull is a snapshot, bringing the server's issue
    // numbers (`replica/base/0005_snapshot_v3.sql`); the rows stay until it is complete.
    assert_eq!(replica.cookie(), None);
    assert_eq!(replica.pending_count().unwrap(), 2);
    let shown: Vec<(String, Status)> = replica
        .issues(&IssueFilter::default())
        .unwrap()
        .into_iter()
        .map(|i| (i.title, i.status))
        .collect();
    assert!(shown.contains(&("Issue A".into(), Status::Done)));
    assert!(shown.contains(&("Issue D, made offline".into(), Status::NotStarted)));

    // The server it syncs with, upgraded: the same three issues, then a version-2 change.
    let mut server = common::Server::new();
    for (id, title) in [
        ("a1a1a1a1-0000-4000-8000-000000000001", "Issue A"),
        ("b2b2b2b2-0000-4000-8000-000000000002", "Issue B"),
        ("c3c3c3c3-0000-4000-8000-000000000003", "Issue C"),
    ] {
        server.someone_does(
            "createIssue",
            serde_json::json!({"id": id, "title": title, "description": "", "owner": "ada",
                               "createdAt": 1_764_000_000_000u64}),
        );
    }
    server.someone_does(
        "setIssuePriority",
        serde_json::json!({"id": "b2b2b2b2-0000-4000-8000-000000000002", "priority": "urgent",
                           "updatedAt": 1_764_000_000_300u64}),
    );
    // The version-1 mutations push as they are, and a new one works on the upgraded tables.
    server.push(&mut replica);
    server.catch_up(&mut replica);
    assert_eq!(replica.pending_count().unwrap(), 0);
    let on_server: Vec<(String, String)> = server
        .conn
        .prepare("SELECT title, status FROM issue ORDER BY title")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        on_server,
        [
            ("Issue A".to_owned(), "done".to_owned()),
            ("Issue B".to_owned(), "not started".to_owned()),
            ("Issue C".to_owned(), "not started".to_owned()),
            ("Issue D, made offline".to_owned(), "not started".to_owned()),
        ]
    );
    let b = replica
        .issues(&IssueFilter::default())
        .unwrap()
        .into_iter()
        .find(|i| i.title == "Issue B")
        .unwrap();
    assert_eq!(b.priority, shared::mutations::fields::Priority::Urgent);
    replica
        .mutate(
            "addComment",
            &serde_json::json!({"id": uuid::Uuid::new_v4(), "issueId": b.id, "body": "after the upgrade",
                                "createdAt": 1_764_000_000_400u64}),
            4,
        )
        .unwrap();
    assert_eq!(replica.comments(b.id).unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_replica_of_the_last_schema_version_2_build_upgrades_takes_the_servers_numbers_and_pushes_its_pending_changes()
 {
    // Written by the last build of schema version 2 (23eee11): label Bug, issues A, B and C pulled
    // (B with the label and a comment); A's status, a new issue D and C's priority pending.
    let dir = copy_of("replica-schema-v2");
    let client_id = stored_client_id(&dir);
    assert_eq!(
        user_version(&dir, "base.sqlite3"),
        11,
        "version 2's migrations"
    );
    let mut replica = Replica::open(&Storage::Directory(dir.clone()), common::by()).unwrap();
    common::assert_counts_match(&replica);
    assert_eq!(
        user_version(&dir, "base.sqlite3") as usize,
        shared::replica::schema::BASE.len()
    );
    assert_eq!(replica.client_id().to_string(), client_id);
    assert_eq!(replica.cookie(), None, "the next pull is a snapshot");
    assert_eq!(replica.pending_count().unwrap(), 3);
    let shown = replica.issues(&IssueFilter::default()).unwrap();
    let by_title = |title: &str| shown.iter().find(|i| i.title == title).cloned().unwrap();
    assert_eq!(by_title("Issue A").status, Status::Done);
    assert_eq!(by_title("Issue D, made offline").number, None);
    let b = by_title("Issue B");
    assert_eq!(replica.comments(b.id).unwrap().len(), 1);
    assert_eq!(replica.issue_labels(&[b.id]).unwrap().len(), 1);

    // The upgraded server: the same rows (numbered by its migration, here by its batches), and an
    // issue someone made since.
    let mut server = common::Server::new();
    let label = "d4d4d4d4-0000-4000-8000-000000000004";
    server.someone_does(
        "createLabel",
        serde_json::json!({"id": label, "name": "Bug", "color": "#d73a4a", "createdAt": 1_764_000_000_000u64}),
    );
    for (i, (id, title)) in [
        ("a1a1a1a1-0000-4000-8000-000000000001", "Issue A"),
        ("b2b2b2b2-0000-4000-8000-000000000002", "Issue B"),
        ("c3c3c3c3-0000-4000-8000-000000000003", "Issue C"),
        (
            "f7f7f7f7-0000-4000-8000-000000000007",
            "Issue E, made since",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        server.someone_does(
            "createIssue",
            serde_json::json!({"id": id, "title": title, "description": "", "owner": "ada",
                               "createdAt": 1_764_000_000_000u64 + i as u64}),
        );
    }
    server.someone_does(
        "addIssueLabel",
        serde_json::json!({"issueId": b.id, "labelId": label, "updatedAt": 1_764_000_000_010u64}),
    );
    server.someone_does(
        "addComment",
        serde_json::json!({"id": "e5e5e5e5-0000-4000-8000-000000000005", "issueId": b.id,
                           "body": "seen before the upgrade", "createdAt": 1_764_000_000_020u64}),
    );
    server.push(&mut replica);
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    assert_eq!(replica.pending_count().unwrap(), 0);
    let numbered: Vec<(String, Option<u64>)> = {
        let mut rows: Vec<_> = replica
            .issues(&IssueFilter::default())
            .unwrap()
            .into_iter()
            .map(|i| (i.title, i.number))
            .collect();
        rows.sort_by_key(|(_, n)| *n);
        rows
    };
    assert_eq!(
        numbered,
        [
            ("Issue A".to_owned(), Some(1)),
            ("Issue B".to_owned(), Some(2)),
            ("Issue C".to_owned(), Some(3)),
            ("Issue E, made since".to_owned(), Some(4)),
            ("Issue D, made offline".to_owned(), Some(5)),
        ]
    );
    for table in ["issue", "label", "issue_label", "comment"] {
        assert_eq!(
            replica.base_rows(table).unwrap(),
            server.rows(table),
            "base's {table} equals the server's"
        );
    }
    let a = replica
        .issue("a1a1a1a1-0000-4000-8000-000000000001".parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(a.status, Status::Done, "the pending change landed");
    let kinds: Vec<_> = replica
        .events(a.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&shared::history::EventKind::Status),
        "{kinds:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_replica_of_the_last_schema_version_3_build_upgrades_in_place_and_takes_reactions_and_mentions()
{
    // Written by the last build of schema version 3 (e725090, by the `written_by.rs` beside it):
    // label Bug, issues A, B (labelled, a comment) and C (in the trash) pulled,
    // cookie 7; A's status, a new issue D and C's restore pending.
    let dir = copy_of("replica-schema-v3");
    let client_id = stored_client_id(&dir);
    assert_eq!(
        user_version(&dir, "base.sqlite3"),
        14,
        "version 3's migrations"
    );
    let mut replica = Replica::open(&Storage::Directory(dir.clone()), common::by()).unwrap();
    common::assert_counts_match(&replica);
    assert_eq!(
        user_version(&dir, "base.sqlite3") as usize,
        shared::replica::schema::BASE.len()
    );
    assert_eq!(
        user_version(&dir, "optimistic.sqlite3") as usize,
        shared::replica::schema::OPTIMISTIC.len()
    );
    // Nothing of version 4 existed before it: the cursor is kept, no snapshot needed.
    assert_eq!(replica.client_id().to_string(), client_id);
    assert_eq!(replica.cookie(), Some(7));
    assert_eq!(replica.pending_count().unwrap(), 3);
    let b: uuid::Uuid = "b2b2b2b2-0000-4000-8000-000000000002".parse().unwrap();
    assert_eq!(replica.comments(b).unwrap().len(), 1);
    assert_eq!(replica.reactions(b).unwrap(), []);
    assert_eq!(replica.inbox().unwrap(), []);

    // The upgraded server, with the same seven entries, then version-4 changes by someone else: a
    // reaction on B and a comment on it mentioning this replica's member.
    let mut server = common::Server::new();
    let label = "d4d4d4d4-0000-4000-8000-000000000004";
    server.someone_does(
        "createLabel",
        serde_json::json!({"id": label, "name": "Bug", "color": "#d73a4a", "createdAt": 1_764_000_000_000u64}),
    );
    for (id, title) in [
        ("a1a1a1a1-0000-4000-8000-000000000001", "Issue A"),
        ("b2b2b2b2-0000-4000-8000-000000000002", "Issue B"),
        ("c3c3c3c3-0000-4000-8000-000000000003", "Issue C"),
    ] {
        server.someone_does(
            "createIssue",
            serde_json::json!({"id": id, "title": title, "description": "", "owner": "ada",
                               "createdAt": 1_764_000_000_000u64}),
        );
    }
    server.someone_does(
        "addIssueLabel",
        serde_json::json!({"issueId": b, "labelId": label, "updatedAt": 1_764_000_000_001u64}),
    );
    server.someone_does(
        "addComment",
        serde_json::json!({"id": "e5e5e5e5-0000-4000-8000-000000000005", "issueId": b,
                           "body": "A comment on B", "createdAt": 1_764_000_000_002u64}),
    );
    server.someone_does(
        "deleteIssue",
        serde_json::json!({"id": "c3c3c3c3-0000-4000-8000-000000000003", "deletedAt": 1_764_000_000_003u64}),
    );
    server.someone_does(
        "setReaction",
        serde_json::json!({"issueId": b, "emoji": "heart", "on": true, "at": 1_764_000_000_100u64}),
    );
    server.someone_does(
        "addComment",
        serde_json::json!({"id": uuid::Uuid::new_v4(), "issueId": b,
                           "body": format!("[@Ada](mention:{})", common::MEMBER),
                           "createdAt": 1_764_000_000_101u64}),
    );
    // Its version-3 mutations push as they are; the version-4 rows arrive by the log.
    server.push(&mut replica);
    server.catch_up(&mut replica);
    assert_eq!(replica.pending_count().unwrap(), 0);
    assert_eq!(server.rows("issue").len(), 4, "D made, C restored");
    let restored: Option<i64> = server
        .conn
        .query_row(
            "SELECT deleted_at FROM issue WHERE id = 'c3c3c3c3-0000-4000-8000-000000000003'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(restored, None);
    assert_eq!(replica.reactions(b).unwrap().len(), 1);
    let inbox = replica.inbox().unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].activity, shared::inbox::Activity::Mentioned);
    std::fs::remove_dir_all(&dir).ok();
}
