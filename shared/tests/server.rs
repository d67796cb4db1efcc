//! The server's batch and pull queries on SQLite: the invariants D1 relies on, checked natively.

mod common;

use common::{CLIENT, ISSUE, OTHER_ISSUE, by, count, create_args, issues, open, run_batch};
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;
use shared::protocol::RejectedMutation;
use shared::protocol::{
    PULL_ENTRY_OVERHEAD_BYTES, PULL_PAGE_BYTES, PULL_PAGE_SIZE, SCHEMA_VERSION,
};
use shared::server::{OUT_OF_ORDER, PullRead, applied_batch, pull_response, rejected_batch};
use shared::{Actor, ErrorCode, Mutation};
use uuid::Uuid;

fn client() -> Uuid {
    Uuid::parse_str(CLIENT).unwrap()
}

fn create(id: &str, title: &str) -> Mutation {
    Mutation::parse("createIssue", &create_args(id, title)).unwrap()
}

fn last_mutation_id(conn: &Connection, client: &Uuid) -> Option<i64> {
    conn.query_row(
        "SELECT last_mutation_id FROM client WHERE id = ?1",
        [client.to_string()],
        |row| row.get(0),
    )
    .optional()
    .unwrap()
}

#[test]
fn an_applied_batch_commits_effects_log_entry_and_last_mutation_id() {
    let mut conn = open();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "one")),
    )
    .unwrap();
    assert_eq!(issues(&conn).len(), 1);
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
    let (client_id, mutation_id, name, args): (String, i64, String, String) = conn
        .query_row(
            "SELECT client_id, mutation_id, name, args FROM mutation_log",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (client_id.as_str(), mutation_id, name.as_str()),
        (CLIENT, 1, "createIssue")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&args).unwrap()["title"],
        json!("one")
    );
}

#[test]
fn the_same_mutation_cannot_be_processed_twice() {
    let mut conn = open();
    let batch = applied_batch(&by(), &client(), 1, &create(ISSUE, "one"));
    run_batch(&mut conn, &batch).unwrap();
    let err = run_batch(&mut conn, &batch).unwrap_err();
    assert!(err.to_string().contains(OUT_OF_ORDER), "{err}");
    // A rejection of an already processed id is refused the same way.
    let err = run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(1))).unwrap_err();
    assert!(err.to_string().contains(OUT_OF_ORDER), "{err}");
    assert_eq!(issues(&conn).len(), 1);
    assert_eq!(count(&conn, "mutation_log"), 1);
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
}

#[test]
fn a_mutation_cannot_skip_ahead_of_the_last_processed_one() {
    let mut conn = open();
    let err = run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 2, &create(ISSUE, "two")),
    )
    .unwrap_err();
    assert!(err.to_string().contains(OUT_OF_ORDER), "{err}");
    assert_eq!(issues(&conn).len(), 0);
    assert_eq!(count(&conn, "mutation_log"), 0);
    // The client row the batch created rolled back with it.
    assert_eq!(last_mutation_id(&conn, &client()), None);
}

/// Mutation `id`, rejected as a statement that failed.
fn refused(id: u64) -> RejectedMutation {
    RejectedMutation {
        id,
        error: shared::ErrorCode::StatementFailed,
        message: format!("mutation {id} was refused"),
    }
}

/// The rejections kept for `client`, newest first: `(id, error, message)`.
fn rejections(conn: &Connection, client: &Uuid) -> Vec<(u64, String, String)> {
    conn.prepare(shared::server::SELECT_REJECTIONS)
        .unwrap()
        .query_map(
            rusqlite::params![client.to_string(), shared::server::KEPT_REJECTIONS as i64],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?, row.get(2)?)),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_rejection_is_kept_with_its_reason_for_the_clients_last_hundred_mutations_and_goes_with_the_client()
 {
    let mut conn = open();
    run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(1))).unwrap();
    assert_eq!(
        rejections(&conn, &client()),
        vec![(
            1,
            "StatementFailed".to_owned(),
            "mutation 1 was refused".to_owned()
        )]
    );
    // A rejection the guard refuses (processed already) keeps nothing.
    run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(1))).unwrap_err();
    for id in 2..=150 {
        let batch = if id % 3 == 0 {
            rejected_batch(&by(), &client(), &refused(id))
        } else {
            applied_batch(
                &by(),
                &client(),
                id,
                &create(&Uuid::new_v4().to_string(), "applied"),
            )
        };
        run_batch(&mut conn, &batch).unwrap();
    }
    let kept: Vec<u64> = rejections(&conn, &client()).iter().map(|r| r.0).collect();
    assert_eq!(kept.first(), Some(&150), "newest first");
    assert!(
        kept.iter().all(|id| id % 3 == 0 && *id > 150 - 100),
        "{kept:?}"
    );
    assert_eq!(
        kept.len(),
        (51..=150).filter(|id| id % 3 == 0).count(),
        "the last hundred ids' rejections"
    );
    // A client compaction forgets takes its rejections with it.
    conn.execute("DELETE FROM client WHERE id = ?1", [client().to_string()])
        .unwrap();
    assert!(rejections(&conn, &client()).is_empty());
}

#[test]
fn a_rejected_batch_advances_last_mutation_id_and_nothing_else() {
    let mut conn = open();
    run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(1))).unwrap();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 2, &create(ISSUE, "two")),
    )
    .unwrap();
    run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(3))).unwrap();
    assert_eq!(last_mutation_id(&conn, &client()), Some(3));
    assert_eq!(count(&conn, "mutation_log"), 1);
    assert_eq!(issues(&conn).len(), 1);
}

#[test]
fn a_failing_statement_rolls_back_the_whole_batch() {
    let mut conn = open();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "one")),
    )
    .unwrap();
    let err = run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 2, &create(ISSUE, "dup")),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("UNIQUE constraint failed: issue.id"),
        "{err}"
    );
    assert!(!err.to_string().contains(OUT_OF_ORDER));
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
    assert_eq!(count(&conn, "mutation_log"), 1);
    assert_eq!(issues(&conn)[0][1], json!("one"));
}

#[test]
fn clients_have_independent_sequences() {
    let mut conn = open();
    let other = Uuid::new_v4();
    run_batch(&mut conn, &rejected_batch(&by(), &client(), &refused(1))).unwrap();
    run_batch(&mut conn, &rejected_batch(&by(), &other, &refused(1))).unwrap();
    run_batch(&mut conn, &rejected_batch(&by(), &other, &refused(2))).unwrap();
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
    assert_eq!(last_mutation_id(&conn, &other), Some(2));
}

fn snapshot(conn: &mut Connection, client: &Uuid, cookie: u64) -> PullRead {
    shared::sqlite::pull_read(conn, &by(), client, cookie).expect("the pull queries run")
}

#[test]
fn pull_pages_the_log_and_reports_last_mutation_id_as_of_each_page() {
    let mut conn = open();
    let me = client();
    let other = Uuid::new_v4();
    // 2,500 entries: mine are the first 1,500 then every other one; a rejection of mine at the end.
    let mut next = [0u64, 0u64];
    for i in 0..2500u64 {
        let (who, slot) = if i < 1500 || i % 2 == 0 {
            (&me, 0)
        } else {
            (&other, 1)
        };
        next[slot] += 1;
        let id = Uuid::new_v4().to_string();
        run_batch(
            &mut conn,
            &applied_batch(&by(), who, next[slot], &create(&id, "t")),
        )
        .unwrap();
    }
    run_batch(
        &mut conn,
        &rejected_batch(&by(), &me, &refused(next[0] + 1)),
    )
    .unwrap();

    let page1 = pull_response(&by(), SCHEMA_VERSION, 0, snapshot(&mut conn, &me, 0))
        .unwrap()
        .expect("above the horizon");
    assert_eq!(page1.mutations.len(), PULL_PAGE_SIZE);
    assert!(page1.has_more);
    assert_eq!(page1.cookie, 1000);
    assert_eq!(
        page1.last_mutation_id, 1000,
        "only the mutations up to this page"
    );

    let page2 = pull_response(
        &by(),
        SCHEMA_VERSION,
        page1.cookie,
        snapshot(&mut conn, &me, page1.cookie),
    )
    .unwrap()
    .expect("above the horizon");
    assert_eq!((page2.cookie, page2.has_more), (2000, true));
    // Entries 1,501..=2,000 alternate, starting with mine: 1,500 + 250.
    assert_eq!(page2.last_mutation_id, 1750);

    let page3 = pull_response(
        &by(),
        SCHEMA_VERSION,
        page2.cookie,
        snapshot(&mut conn, &me, page2.cookie),
    )
    .unwrap()
    .expect("above the horizon");
    assert_eq!(
        (page3.cookie, page3.has_more, page3.mutations.len()),
        (2500, false, 500)
    );
    assert_eq!(
        page3.last_mutation_id,
        next[0] + 1,
        "the last page includes the rejection"
    );

    let log_ids: Vec<u64> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| p.mutations.iter().map(|m| m.log_id))
        .collect();
    assert_eq!(log_ids, (1..=2500).collect::<Vec<_>>());

    let empty = pull_response(&by(), SCHEMA_VERSION, 2500, snapshot(&mut conn, &me, 2500))
        .unwrap()
        .expect("above the horizon");
    assert_eq!(
        (empty.cookie, empty.has_more, empty.mutations.len()),
        (2500, false, 0)
    );

    let other_view = pull_response(&by(), SCHEMA_VERSION, 0, snapshot(&mut conn, &other, 0))
        .unwrap()
        .expect("above the horizon");
    assert_eq!(
        other_view.last_mutation_id, 0,
        "none of other's entries are in the first page"
    );
    let unknown = pull_response(
        &by(),
        SCHEMA_VERSION,
        2500,
        snapshot(&mut conn, &Uuid::new_v4(), 2500),
    )
    .unwrap()
    .expect("above the horizon");
    assert_eq!(unknown.last_mutation_id, 0);
}

#[test]
fn a_cookie_beyond_the_log_means_the_server_was_reset() {
    let mut conn = open();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "one")),
    )
    .unwrap();
    assert!(pull_response(&by(), SCHEMA_VERSION, 1, snapshot(&mut conn, &client(), 1)).is_ok());
    // Another workspace's entries take the log further, but not this workspace's end: what it is
    // told, and what it is compared with, is its own.
    let elsewhere = Actor::new(Uuid::new_v4(), Uuid::new_v4());
    common::join(&conn, &elsewhere, "owner");
    let issue = Uuid::new_v4().to_string();
    run_batch(
        &mut conn,
        &applied_batch(&elsewhere, &Uuid::new_v4(), 1, &create(&issue, "elsewhere")),
    )
    .unwrap();
    let err =
        pull_response(&by(), SCHEMA_VERSION, 2, snapshot(&mut conn, &client(), 2)).unwrap_err();
    assert_eq!(err.code, ErrorCode::ClientStateNotFound);
    assert_eq!(
        err.message,
        "cookie 2 is beyond the end of this workspace's log (1): the server was reset"
    );
}

#[test]
fn every_migration_file_is_embedded_in_order() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    files.sort();
    let embedded: Vec<&str> = shared::schema::MIGRATIONS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(files, embedded);
    for (name, sql) in shared::schema::MIGRATIONS {
        assert_eq!(
            &std::fs::read_to_string(format!("{dir}/{name}")).unwrap(),
            sql
        );
    }
}

#[test]
fn migrating_twice_changes_nothing() {
    let mut conn = open();
    shared::sqlite::migrate(&mut conn).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, shared::schema::latest_version());
}

#[test]
fn concurrent_edits_of_different_fields_both_survive_and_of_one_field_the_last_logged_wins() {
    // Clients send only the fields a person changed (the app's dialog does), so an edit made offline
    // and pushed late cannot put back the old value of a field someone else changed meanwhile.
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let update = |args: serde_json::Value| Mutation::parse("updateIssue", &args).unwrap();
    let mut conn = open();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &a, 1, &create(ISSUE, "original")),
    )
    .unwrap();
    let b_description = update(json!({"id": ISSUE, "description": "from B", "updatedAt": 2}));
    let a_title = update(json!({"id": ISSUE, "title": "from A", "updatedAt": 1}));
    run_batch(&mut conn, &applied_batch(&by(), &b, 1, &b_description)).unwrap();
    run_batch(&mut conn, &applied_batch(&by(), &a, 2, &a_title)).unwrap();
    let row = &issues(&conn)[0];
    assert_eq!(
        (row[1].as_str(), row[2].as_str()),
        (Some("from A"), Some("from B"))
    );

    let b_title = update(json!({"id": ISSUE, "title": "B again", "updatedAt": 3}));
    let a_title_late = update(json!({"id": ISSUE, "title": "A again", "updatedAt": 1}));
    run_batch(&mut conn, &applied_batch(&by(), &b, 2, &b_title)).unwrap();
    run_batch(&mut conn, &applied_batch(&by(), &a, 3, &a_title_late)).unwrap();
    let row = &issues(&conn)[0];
    assert_eq!(
        (row[1].as_str(), row[2].as_str()),
        (Some("A again"), Some("from B")),
        "the one logged last wins, whatever its clock said"
    );
}

#[test]
fn pull_pages_are_cut_by_bytes_so_the_largest_entries_allowed_still_page() {
    // The largest args the rules allow: every text field at its limit in four-byte characters.
    let mut conn = open();
    let me = client();
    let other = Uuid::new_v4();
    let big = |n: usize| "🦀".repeat(n);
    let total = 1000u64;
    let mut mine = 0u64;
    for i in 1..=total {
        let args = json!({"id": Uuid::new_v4(), "title": big(200), "description": big(10_000),
                          "owner": big(100), "createdAt": 1});
        let mutation = Mutation::parse("createIssue", &args).unwrap();
        // Every third entry is this client's, so lastMutationId must follow the page end.
        let (who, id) = if i % 3 == 0 {
            mine += 1;
            (&me, mine)
        } else {
            (&other, i - mine)
        };
        run_batch(&mut conn, &applied_batch(&by(), who, id, &mutation)).unwrap();
    }
    let mut cookie = 0;
    let mut seen = Vec::new();
    loop {
        let page = pull_response(
            &by(),
            SCHEMA_VERSION,
            cookie,
            snapshot(&mut conn, &me, cookie),
        )
        .unwrap()
        .expect("above the horizon");
        let bytes = serde_json::to_vec(&page).unwrap().len();
        assert!(
            bytes <= PULL_PAGE_BYTES + PULL_ENTRY_OVERHEAD_BYTES,
            "a page of {} entries is {bytes} bytes",
            page.mutations.len()
        );
        assert!(!page.mutations.is_empty() || !page.has_more);
        let mine_so_far = page.cookie / 3;
        assert_eq!(page.last_mutation_id, mine_so_far, "as of the page's end");
        seen.extend(page.mutations.iter().map(|m| m.log_id));
        cookie = page.cookie;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(
        seen,
        (1..=total).collect::<Vec<_>>(),
        "every entry once, in order"
    );
    assert!(seen.len() > 1);
}

#[test]
fn one_entry_larger_than_a_page_is_still_a_page_of_its_own() {
    let mut conn = open();
    let me = client();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &me, 1, &create(ISSUE, "one")),
    )
    .unwrap();
    // Written past the rules (as an older server might have): the page must still move on.
    conn.execute(
        "UPDATE mutation_log SET args = json_set(args, '$.description', ?1)",
        [("x".repeat(PULL_PAGE_BYTES + 10))],
    )
    .unwrap();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &me, 2, &create(OTHER_ISSUE, "two")),
    )
    .unwrap();
    let first = pull_response(&by(), SCHEMA_VERSION, 0, snapshot(&mut conn, &me, 0))
        .unwrap()
        .expect("above the horizon");
    assert_eq!(
        (first.mutations.len(), first.cookie, first.has_more),
        (1, 1, true)
    );
    assert_eq!(first.last_mutation_id, 1);
    let second = pull_response(&by(), SCHEMA_VERSION, 1, snapshot(&mut conn, &me, 1))
        .unwrap()
        .expect("above the horizon");
    assert_eq!(
        (second.mutations.len(), second.cookie, second.has_more),
        (1, 2, false)
    );
}

fn refusal(err: rusqlite::Error) -> Option<shared::ProtocolError> {
    shared::server::guard_refusal(&err.to_string())
}

#[test]
fn only_a_member_of_the_workspace_can_process_a_mutation() {
    let mut conn = open();
    let outsider = Actor::new(by().workspace_id, Uuid::new_v4());
    let err = run_batch(
        &mut conn,
        &applied_batch(&outsider, &Uuid::new_v4(), 1, &create(ISSUE, "sneaked")),
    )
    .unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::Forbidden));
    let err = run_batch(
        &mut conn,
        &rejected_batch(&outsider, &Uuid::new_v4(), &refused(1)),
    )
    .unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::Forbidden));
    assert_eq!(issues(&conn).len(), 0);
    assert_eq!(count(&conn, "mutation_log"), 0);
    assert_eq!(count(&conn, "client"), 0);

    // Removed: the next batch is refused just the same.
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "one")),
    )
    .unwrap();
    conn.execute("DELETE FROM membership", []).unwrap();
    let err = run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 2, &create(OTHER_ISSUE, "two")),
    )
    .unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::Forbidden));
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
}

#[test]
fn a_client_id_is_its_first_members_in_its_first_workspace() {
    let mut conn = open();
    let colleague = Actor::new(by().workspace_id, Uuid::new_v4());
    let elsewhere = Actor::new(Uuid::new_v4(), by().member_id);
    common::join(&conn, &colleague, "member");
    common::join(&conn, &elsewhere, "owner");
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "mine")),
    )
    .unwrap();
    for intruder in [colleague, elsewhere] {
        let err = run_batch(
            &mut conn,
            &applied_batch(&intruder, &client(), 2, &create(OTHER_ISSUE, "theirs")),
        )
        .unwrap_err();
        assert_eq!(
            refusal(err).map(|e| e.code),
            Some(ErrorCode::ClientNotOwned)
        );
        let access = snapshot_as(&mut conn, &intruder, &client(), 0);
        assert_eq!(
            pull_response(&intruder, SCHEMA_VERSION, 0, access)
                .unwrap_err()
                .code,
            ErrorCode::ClientNotOwned
        );
    }
    assert_eq!(last_mutation_id(&conn, &client()), Some(1));
    assert_eq!(issues(&conn).len(), 1);
}

#[test]
fn a_client_from_before_workspaces_is_claimed_by_its_first_push() {
    let mut conn = open();
    conn.execute(
        "INSERT INTO client (id, last_mutation_id) VALUES (?1, 4)",
        [CLIENT],
    )
    .unwrap();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 5, &create(ISSUE, "five")),
    )
    .unwrap();
    let owner: (String, String) = conn
        .query_row(
            "SELECT workspace_id, member_id FROM client WHERE id = ?1",
            [CLIENT],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(owner, (common::WORKSPACE.into(), common::MEMBER.into()));
}

#[test]
fn a_pull_reads_only_its_workspace_and_only_for_a_member() {
    let mut conn = open();
    let other_workspace = Actor::new(Uuid::new_v4(), Uuid::new_v4());
    common::join(&conn, &other_workspace, "owner");
    let colleague = Actor::new(by().workspace_id, Uuid::new_v4());
    common::join(&conn, &colleague, "member");
    let theirs = Uuid::new_v4();
    run_batch(
        &mut conn,
        &applied_batch(&by(), &client(), 1, &create(ISSUE, "ours")),
    )
    .unwrap();
    run_batch(
        &mut conn,
        &applied_batch(
            &other_workspace,
            &theirs,
            1,
            &create(OTHER_ISSUE, "not ours"),
        ),
    )
    .unwrap();
    run_batch(
        &mut conn,
        &applied_batch(
            &colleague,
            &Uuid::new_v4(),
            1,
            &create(&Uuid::new_v4().to_string(), "a colleague's"),
        ),
    )
    .unwrap();

    let page = pull_response(&by(), SCHEMA_VERSION, 0, snapshot(&mut conn, &client(), 0))
        .unwrap()
        .expect("above the horizon");
    let seen: Vec<(u64, Uuid, Option<u64>)> = page
        .mutations
        .iter()
        .map(|e| (e.log_id, e.member_id, e.id))
        .collect();
    assert_eq!(
        seen,
        [(1, by().member_id, Some(1)), (3, colleague.member_id, None)],
        "the workspace's entries, by member; only the puller's own carry their id"
    );
    assert_eq!(page.cookie, 3);

    let stranger = Actor::new(by().workspace_id, Uuid::new_v4());
    let refused = snapshot_as(&mut conn, &stranger, &Uuid::new_v4(), 0);
    assert_eq!(
        pull_response(&stranger, SCHEMA_VERSION, 0, refused)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

fn snapshot_as(conn: &mut Connection, as_: &Actor, client: &Uuid, cookie: u64) -> PullRead {
    shared::sqlite::pull_read(conn, as_, client, cookie).expect("the pull queries run")
}

/// Creates `n` issues as mutations `first..first + n` of the test client, counted against a daily
/// budget of `budget` at `at`, in one batch.
fn push_counted(
    conn: &mut Connection,
    first: u64,
    n: u64,
    at: u64,
    budget: u64,
) -> Result<(), rusqlite::Error> {
    let mut batch = Vec::new();
    for id in first..first + n {
        batch.extend(applied_batch(
            &by(),
            &client(),
            id,
            &create(&Uuid::new_v4().to_string(), "counted"),
        ));
    }
    batch.push(shared::server::count_usage(&by(), at, n, budget));
    run_batch(conn, &batch)
}

#[test]
fn a_batch_over_the_members_daily_budget_aborts_whole_and_counts_only_what_committed() {
    use shared::server::DAY_MS;
    let mut conn = open();
    let day = 20_000 * DAY_MS;
    let push =
        |conn: &mut Connection, first: u64, n: u64, at: u64| push_counted(conn, first, n, at, 5);
    push(&mut conn, 1, 3, day).unwrap();
    let err = push(&mut conn, 4, 3, day + 1_000).unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::QuotaExceeded));
    assert_eq!(
        issues(&conn).len(),
        3,
        "the batch over the budget wrote nothing"
    );
    assert_eq!(last_mutation_id(&conn, &client()), Some(3));
    push(&mut conn, 4, 2, day + 2_000).unwrap();
    let err = push(&mut conn, 6, 1, day + 3_000).unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::QuotaExceeded));
    // The next UTC day starts afresh.
    push(&mut conn, 6, 5, day + DAY_MS).unwrap();
    assert_eq!(issues(&conn).len(), 10);
}

#[test]
fn an_owners_grant_raises_a_members_budget_for_that_day_only_and_only_in_their_workspace() {
    use shared::server::{DAY_MS, grant_budget};
    let mut conn = open();
    let day = 20_000 * DAY_MS;
    let push =
        |conn: &mut Connection, first: u64, n: u64, at: u64| push_counted(conn, first, n, at, 5);
    let grant = |conn: &mut Connection, member: Uuid, at: u64, extra: u64| {
        run_batch(conn, &[grant_budget(&by(), member, at, 5, extra)]).unwrap();
        conn.query_row(
            "SELECT COUNT(*) FROM member_usage WHERE member_id = ?1",
            [member.to_string()],
            |row| row.get::<_, i64>(0),
        )
        .unwrap()
    };
    // Granted before the day's first push: one push larger than the deployment's budget passes.
    assert_eq!(grant(&mut conn, by().member_id, day, 10), 1);
    push(&mut conn, 1, 12, day).unwrap();
    let err = push(&mut conn, 13, 4, day + 1).unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::QuotaExceeded));
    // A grant after the budget is spent: the refused push goes through.
    grant(&mut conn, by().member_id, day + 2, 20);
    push(&mut conn, 13, 4, day + 3).unwrap();
    // Someone who is not a member of the workspace gets nothing.
    assert_eq!(grant(&mut conn, Uuid::new_v4(), day, 10), 0);
    // The next day is the deployment's budget again.
    let err = push(&mut conn, 17, 6, day + DAY_MS).unwrap_err();
    assert_eq!(refusal(err).map(|e| e.code), Some(ErrorCode::QuotaExceeded));
    push(&mut conn, 17, 5, day + DAY_MS).unwrap();
    assert_eq!(issues(&conn).len(), 21);
}

#[test]
fn a_token_that_is_gone_is_refused_by_the_very_batch_or_read_that_does_the_work() {
    let mut conn = open();
    let token = Uuid::new_v4();
    let with_token = by().with_token(token);
    conn.execute(
        "INSERT INTO api_token (id, workspace_id, member_id, name, token_hash, created_at) \
         VALUES (?1, ?2, ?3, 'script', 'hash', 0)",
        [
            token.to_string(),
            by().workspace_id.to_string(),
            by().member_id.to_string(),
        ],
    )
    .unwrap();
    // While it stands, it pushes and pulls.
    run_batch(
        &mut conn,
        &applied_batch(&with_token, &client(), 1, &create(ISSUE, "by a script")),
    )
    .unwrap();
    snapshot_as(&mut conn, &with_token, &client(), 0)
        .access
        .check(&with_token)
        .unwrap();
    // Revoked: the next batch aborts whole, saying so, and the pull's own read refuses it.
    conn.execute("DELETE FROM api_token", []).unwrap();
    let err = run_batch(
        &mut conn,
        &applied_batch(&with_token, &client(), 2, &create(OTHER_ISSUE, "too late")),
    )
    .unwrap_err();
    let refusal = shared::server::guard_refusal(&err.to_string()).expect("a refusal");
    assert_eq!(refusal.code, ErrorCode::Unauthenticated);
    assert_eq!(count(&conn, "issue"), 1, "nothing of it was written");
    let err = run_batch(
        &mut conn,
        &rejected_batch(&with_token, &client(), &refused(2)),
    )
    .unwrap_err();
    assert!(shared::server::guard_refusal(&err.to_string()).is_some());
    let refused = snapshot_as(&mut conn, &with_token, &client(), 0)
        .access
        .check(&with_token)
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::Unauthenticated);
    // The member's session is not affected.
    snapshot_as(&mut conn, &by(), &client(), 0)
        .access
        .check(&by())
        .unwrap();
}
