//! Snapshot pulls and compaction, natively: the server's own statements on SQLite, a replica driven
//! request by request. Pages raced by pushes add up to the server's table; a replica below the
//! horizon gets a snapshot and keeps its id and its pending queue; compaction keeps every entry above
//! the horizon and its run within its budget of calls.

mod common;

use common::{Server, by, create_args};
use rusqlite::Connection;
use serde_json::json;
use shared::compaction::{DEFAULT_RETENTION_DAYS, Settings};
use shared::issue::Issue;
use shared::live::Fanout;
use shared::replica::{Replica, Storage};
use uuid::Uuid;

const NOW: u64 = 1_790_000_000_000;

impl Server {
    fn someone_creates(&mut self, id: Uuid, description: &str) {
        let mut args = create_args(&id.to_string(), &format!("issue {id}"));
        args["description"] = json!(description);
        // Times with ties, so pages cut on both parts of the key.
        args["createdAt"] = json!(1_764_000_000_000u64 + (id.as_u128() % 50) as u64);
        self.someone_does("createIssue", args);
    }

    /// The workspace's issues, as a snapshot sends them, by id.
    fn issues(&self) -> Vec<Issue> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM issue ORDER BY id",
                shared::snapshot::ISSUE_COLUMNS
            ))
            .expect("prepare");
        statement
            .query_map([], shared::sqlite::issue)
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// The workspace's issue ids in the list's order: newest first, then by id descending.
    fn newest_first(&self) -> Vec<Uuid> {
        let mut issues = self.issues();
        issues.sort_by_key(|issue| std::cmp::Reverse((issue.created_at, issue.id)));
        issues.into_iter().map(|issue| issue.id).collect()
    }

    fn horizon(&self) -> u64 {
        self.conn
            .query_row(
                "SELECT horizon FROM workspace WHERE id = ?1",
                [by().workspace_id.to_string()],
                |row| row.get::<_, i64>(0),
            )
            .expect("the horizon") as u64
    }

    /// Log ids of the entries still there, in order.
    fn log_ids(&self) -> Vec<u64> {
        let mut statement = self
            .conn
            .prepare("SELECT id FROM mutation_log ORDER BY id")
            .expect("prepare");
        statement
            .query_map([], |row| row.get::<_, i64>(0).map(|id| id as u64))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("ids")
    }

    /// How many times each of `client`'s mutation ids was logged.
    fn logged(&self, client: &Uuid) -> Vec<(u64, u64)> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT mutation_id, COUNT(*) FROM mutation_log WHERE client_id = ?1 \
                 GROUP BY mutation_id ORDER BY mutation_id",
            )
            .expect("prepare");
        statement
            .query_map([client.to_string()], |row| {
                Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("counts")
    }

    /// Marks every entry as logged `days` ago (the database's clock is today's; the tests' `NOW`
    /// stands for it).
    fn age_log(&self, days: f64) {
        let at = NOW - (days * shared::server::DAY_MS as f64) as u64;
        self.conn
            .execute("UPDATE mutation_log SET logged_at = ?1", [at as i64])
            .expect("age the log");
    }

    fn compact(&mut self, settings: &Settings) -> shared::compaction::Outcome {
        shared::sqlite::compact(&mut self.conn, settings, NOW).expect("compaction runs")
    }
}

fn sorted(mut issues: Vec<Issue>) -> Vec<Issue> {
    issues.sort_by_key(|issue| issue.id);
    issues
}

fn new_replica() -> Replica {
    Replica::open(&Storage::Memory, by()).expect("open a replica")
}

/// A description that makes a row about 10 KB, so that a few hundred fill a snapshot page.
fn long_text(n: usize) -> String {
    format!("{n} ").repeat(10_000 / (n.to_string().len() + 1))[..9_990].to_owned()
}

/// A small deterministic random sequence (xorshift), so a failure replays.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn snapshot_pages_raced_by_pushes_between_every_page_add_up_to_the_server_table() {
    let mut server = Server::new();
    let mut ids: Vec<Uuid> = (0..1_300).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        server.someone_creates(*id, &long_text(n));
    }
    // Schema version 2's rows: labels, some on issues, and comments (long ones weigh on the pages).
    let mut labels: Vec<Uuid> = (0..6).map(|_| Uuid::new_v4()).collect();
    for (n, label) in labels.iter().enumerate() {
        server.someone_does(
            "createLabel",
            json!({"id": label, "name": format!("label {n}"), "color": "#336699", "createdAt": n}),
        );
    }
    let mut comments: Vec<(Uuid, Uuid)> = Vec::new();
    for (n, id) in ids.iter().enumerate().step_by(7) {
        server.someone_does(
            "addIssueLabel",
            json!({"issueId": id, "labelId": labels[n % labels.len()], "updatedAt": 1_764_000_000_001u64}),
        );
        let comment = Uuid::new_v4();
        server.someone_does(
            "addComment",
            json!({"id": comment, "issueId": id, "body": long_text(n), "createdAt": n}),
        );
        comments.push((comment, *id));
    }
    let mut replica = new_replica();
    // Made before the replica ever pulled: they must survive the snapshot and land once.
    let mine = Uuid::new_v4();
    replica
        .mutate(
            "createIssue",
            &create_args(&mine.to_string(), "mine, made offline"),
            1,
        )
        .expect("a local create");
    replica
        .mutate(
            "updateIssue",
            &json!({"id": ids[7], "title": "my edit", "updatedAt": 1_764_000_000_500u64}),
            2,
        )
        .expect("a local edit");

    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut pages = 0;
    loop {
        let response = server.pull(&mut replica).expect("a pull is due");
        let Some(page) = &response.snapshot else {
            break;
        };
        pages += 1;
        assert!(!page.issues.is_empty());
        if page.next.is_none() {
            break;
        }
        // Between every two pages: creates (anywhere in key order), edits and deletes of rows
        // already read and of rows still to come, a create and delete of the same row.
        for _ in 0..6 {
            let id = Uuid::new_v4();
            server.someone_creates(id, "made between pages");
            ids.push(id);
        }
        for _ in 0..6 {
            let id = ids[random.below(ids.len() as u64) as usize];
            server.someone_does(
                "updateIssue",
                json!({"id": id, "title": format!("edited {}", random.below(1000)), "updatedAt": 1_764_000_001_000u64}),
            );
            server.someone_does(
                "updateIssueStatus",
                json!({"id": id, "status": "in progress", "updatedAt": 1_764_000_001_001u64}),
            );
        }
        for _ in 0..3 {
            let at = random.below(ids.len() as u64) as usize;
            let id = ids.swap_remove(at);
            server.someone_does("deleteIssue", json!({"id": id}));
        }
        let fleeting = Uuid::new_v4();
        server.someone_creates(fleeting, "here and gone");
        server.someone_does("deleteIssue", json!({"id": fleeting}));
        // Labels: one made, one deleted, and a name handed from one label to another (replaying
        // the first rename over rows that already show the second must not trip over the name).
        let label = Uuid::new_v4();
        server.someone_does(
            "createLabel",
            json!({"id": label, "name": format!("made at page {pages}"), "color": "#000000", "createdAt": pages}),
        );
        labels.push(label);
        let gone = labels.swap_remove(random.below(labels.len() as u64) as usize);
        server.someone_does("deleteLabel", json!({"id": gone}));
        let (a, b) = (labels[0], labels[1]);
        server.someone_does(
            "updateLabel",
            json!({"id": a, "name": format!("handed on {pages}")}),
        );
        server.someone_does(
            "updateLabel",
            json!({"id": a, "name": format!("a at {pages}")}),
        );
        server.someone_does(
            "updateLabel",
            json!({"id": b, "name": format!("handed on {pages}")}),
        );
        for _ in 0..4 {
            let id = ids[random.below(ids.len() as u64) as usize];
            let label = labels[random.below(labels.len() as u64) as usize];
            server.someone_does(
                "addIssueLabel",
                json!({"issueId": id, "labelId": label, "updatedAt": 1_764_000_001_002u64}),
            );
            let id = ids[random.below(ids.len() as u64) as usize];
            server.someone_does(
                "removeIssueLabel",
                json!({"issueId": id, "labelId": label, "updatedAt": 1_764_000_001_003u64}),
            );
            let comment = Uuid::new_v4();
            let on = ids[random.below(ids.len() as u64) as usize];
            server.someone_does(
                "addComment",
                json!({"id": comment, "issueId": on, "body": "between pages", "createdAt": 1}),
            );
            comments.push((comment, on));
            let (comment, on) = comments[random.below(comments.len() as u64) as usize];
            server.someone_does(
                "editComment",
                json!({"id": comment, "issueId": on, "body": format!("edited {}", random.below(99)), "editedAt": 2}),
            );
            let (comment, on) = comments.swap_remove(random.below(comments.len() as u64) as usize);
            server.someone_does("deleteComment", json!({"id": comment, "issueId": on}));
        }
    }
    assert!(pages >= 3, "the rows took {pages} pages");
    // The log from the snapshot's cookie, which replays entries some pages already held.
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    let mut expected = server.issues();
    assert_eq!(
        sorted(replica.base_issues().expect("base")),
        expected,
        "base equals the server's table"
    );
    for table in ["issue", "label", "issue_label", "comment"] {
        assert_eq!(
            replica.base_rows(table).expect("base"),
            server.rows(table),
            "base's {table} equals the server's"
        );
    }
    assert!(server.rows("comment").len() > 100 && server.rows("issue_label").len() > 100);
    // The pending changes are still shown on top, then land once.
    let shown = replica
        .issue(mine)
        .expect("read")
        .expect("my issue is shown");
    assert_eq!(shown.title, "mine, made offline");
    server.push(&mut replica);
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    expected = server.issues();
    assert_eq!(sorted(replica.base_issues().expect("base")), expected);
    assert_eq!(
        sorted(replica.issues(&Default::default()).expect("optimistic")),
        expected
    );
    assert_eq!(replica.pending_count().expect("count"), 0);
    assert_eq!(server.logged(&replica.client_id()), [(1, 1), (2, 1)]);
}

#[test]
fn a_cookie_below_the_horizon_gets_a_snapshot_and_keeps_its_client_id_and_pending_changes() {
    let mut server = Server::new();
    let kept = Uuid::new_v4();
    let deleted = Uuid::new_v4();
    server.someone_creates(kept, "kept");
    server.someone_creates(deleted, "deleted while away");
    let mut replica = new_replica();
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    let client = replica.client_id();
    let cookie = replica.cookie().expect("a cookie");

    // Away for longer than the window, with changes made offline.
    let offline = Uuid::new_v4();
    replica
        .mutate(
            "createIssue",
            &create_args(&offline.to_string(), "offline"),
            1,
        )
        .expect("a local create");
    replica
        .mutate(
            "updateIssue",
            &json!({"id": kept, "owner": "grace", "updatedAt": 1_764_000_000_700u64}),
            2,
        )
        .expect("a local edit");
    server.someone_does("deleteIssue", json!({"id": deleted}));
    server.someone_does(
        "updateIssue",
        json!({"id": kept, "title": "renamed while away", "updatedAt": 1_764_000_000_600u64}),
    );
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    let outcome = server.compact(&Settings::default());
    assert!(outcome.finished && outcome.entries_deleted == 4);
    assert!(
        server.horizon() > cookie,
        "the replica is below the horizon"
    );

    let response = server.pull(&mut replica).expect("a pull");
    let page = response
        .snapshot
        .as_ref()
        .expect("a snapshot, not an error");
    assert!(page.reset);
    assert_eq!(replica.client_id(), client, "the same client id");
    assert_eq!(replica.cookie(), Some(server.horizon()));
    assert_eq!(
        sorted(replica.base_issues().expect("base")),
        server.issues()
    );
    let shown = replica.issue(kept).expect("read").expect("kept");
    assert_eq!(
        (shown.title.as_str(), shown.owner.as_str()),
        ("renamed while away", "grace"),
        "the server's change under my pending one"
    );
    assert!(replica.issue(offline).expect("read").is_some());
    assert!(replica.issue(deleted).expect("read").is_none());
    assert_eq!(replica.pending_count().expect("count"), 2);

    server.push(&mut replica);
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    assert_eq!(server.logged(&client), [(1, 1), (2, 1)], "each landed once");
    assert_eq!(
        sorted(replica.issues(&Default::default()).expect("optimistic")),
        server.issues()
    );
}

#[test]
fn a_snapshot_says_which_changes_the_server_refused_when_the_push_answer_that_said_so_was_lost() {
    // Found by the soak run (tests/tests/soak.rs): a comment on an issue someone deleted meanwhile,
    // pushed, refused, the answer lost; compaction passes the replica's cookie; the snapshot that
    // acknowledges the comment has no log entries to tell it from an applied change.
    let mut server = Server::new();
    let gone = Uuid::new_v4();
    server.someone_creates(gone, "deleted by someone else");
    let mut replica = new_replica();
    server.catch_up(&mut replica);
    server.someone_does("deleteIssue", json!({"id": gone}));
    let comment = replica
        .mutate(
            "addComment",
            &json!({"id": Uuid::new_v4(), "issueId": gone, "body": "on its way", "createdAt": 5}),
            5,
        )
        .expect("valid here: the issue is still in this replica")
        .id;
    let kept = Uuid::new_v4();
    replica
        .mutate("createIssue", &create_args(&kept.to_string(), "kept"), 6)
        .expect("a create");
    server.push_answer_lost(&mut replica);
    assert_eq!(
        server.last_mutation_id(&replica.client_id()),
        2,
        "both processed"
    );
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    assert!(server.compact(&Settings::default()).finished);

    let (ticket, response) = server.answer_pull(&mut replica).expect("a pull is due");
    let page = response.snapshot.as_ref().expect("a snapshot");
    assert_eq!(page.rejected.len(), 1, "the client's one rejection");
    let outcome = replica
        .pull_succeeded(ticket, &response)
        .expect("the snapshot applies");
    assert_eq!(
        outcome
            .rejected
            .iter()
            .map(|r| (r.id, r.error, r.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            comment,
            shared::ErrorCode::StatementFailed,
            "the issue does not exist (it may have been deleted)"
        )],
        "the comment, refused, with the server's reason; the create applied"
    );
    server.catch_up(&mut replica);
    assert_eq!(replica.pending_count().expect("count"), 0);
    assert!(replica.issue(kept).expect("read").is_some());
    // Another client of the same member is told nothing of it.
    let mut other = new_replica();
    let (ticket, response) = server.answer_pull(&mut other).expect("a pull is due");
    assert!(
        response
            .snapshot
            .as_ref()
            .expect("a snapshot")
            .rejected
            .is_empty()
    );
    other.pull_succeeded(ticket, &response).expect("applies");
}

#[test]
fn a_snapshot_in_progress_survives_reopening_and_restarts_when_compaction_passes_it() {
    let dir = std::env::temp_dir().join(format!("snapshot-resume-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let storage = Storage::Directory(dir.clone());
    let mut server = Server::new();
    for n in 0..900 {
        server.someone_creates(Uuid::new_v4(), &long_text(n));
    }
    let mut replica = Replica::open(&storage, by()).expect("open");
    let first = server.pull(&mut replica).expect("the first page");
    let page = first.snapshot.as_ref().expect("a snapshot page");
    assert!(page.next.is_some());
    assert_eq!(
        replica.cookie(),
        None,
        "the cookie moves only with the last page"
    );
    // A new device has nothing to keep: the first page is in base and on screen at once, and it is
    // the top of the list (newest first).
    let top: Vec<Uuid> = server
        .newest_first()
        .into_iter()
        .take(page.issues.len())
        .collect();
    let shown: Vec<Uuid> = replica
        .issues(&Default::default())
        .expect("the list")
        .iter()
        .map(|issue| issue.id)
        .collect();
    assert_eq!(shown, top);
    drop(replica);

    // Reopened, it asks for the next page, not the first.
    let mut replica = Replica::open(&storage, by()).expect("reopen");
    let (_, request) = replica.next_pull().expect("a pull");
    assert_eq!(
        request.snapshot,
        first.snapshot.as_ref().and_then(|p| p.next)
    );
    drop(replica);

    // Compaction passes the snapshot's cookie: the next page is a new snapshot's first.
    let mut replica = Replica::open(&storage, by()).expect("reopen");
    server.someone_creates(Uuid::new_v4(), "after the first page");
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    server.compact(&Settings::default());
    let restarted = server.pull(&mut replica).expect("a page");
    let page = restarted.snapshot.as_ref().expect("a snapshot page");
    assert!(page.reset, "a new snapshot");
    assert!(restarted.cookie > first.cookie);
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    assert_eq!(
        sorted(replica.base_issues().expect("base")),
        server.issues()
    );
    drop(replica);
    std::fs::remove_dir_all(&dir).ok();
}

/// A replica caught up with 900 rows of about 10 KB (several snapshot pages), the ids of those rows,
/// and its list.
fn replica_with_many_rows(server: &mut Server) -> (Replica, Vec<Uuid>, Vec<Issue>) {
    let ids: Vec<Uuid> = (0..900).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        server.someone_creates(*id, &long_text(n));
    }
    let mut replica = new_replica();
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    let shown = sorted(replica.issues(&Default::default()).expect("the list"));
    (replica, ids, shown)
}

/// The replica's next pulls take a snapshot of several pages: after the first, its list is still
/// `before`, whole; after the last, base equals the server's table.
fn assert_rows_stay_until_the_last_page(
    server: &mut Server,
    replica: &mut Replica,
    before: &[Issue],
) {
    let first = server.pull(replica).expect("the first page");
    assert!(
        first
            .snapshot
            .as_ref()
            .is_some_and(|p| p.reset && p.next.is_some())
    );
    assert_eq!(
        sorted(replica.issues(&Default::default()).expect("the list")),
        before,
        "the old rows, whole, until the last page"
    );
    assert_eq!(sorted(replica.base_issues().expect("base")), before);
    server.catch_up(replica);
    assert_eq!(
        sorted(replica.base_issues().expect("base")),
        server.issues()
    );
}

#[test]
fn a_replica_with_rows_keeps_showing_them_until_the_whole_snapshot_is_in() {
    let mut server = Server::new();
    let (mut replica, ids, before) = replica_with_many_rows(&mut server);
    // Away while an issue is renamed and the log compacted.
    server.someone_does(
        "updateIssue",
        json!({"id": ids[0], "title": "renamed while away", "updatedAt": 1_764_000_000_900u64}),
    );
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    server.compact(&Settings::default());
    assert_rows_stay_until_the_last_page(&mut server, &mut replica, &before);
    assert_eq!(
        replica
            .issue(ids[0])
            .expect("read")
            .map(|issue| issue.title),
        Some("renamed while away".to_owned())
    );
}

#[test]
fn a_replica_the_server_lost_keeps_its_rows_on_screen_until_its_snapshot_is_in() {
    let mut server = Server::new();
    let (mut replica, _, before) = replica_with_many_rows(&mut server);
    // The server lost this client: it starts again from scratch under a new id, with no cookie.
    let (ticket, _) = replica.next_pull().expect("a pull");
    let lost = shared::replica::SyncFailure::Server {
        status: 409,
        error: Some(shared::protocol::ErrorBody {
            error: shared::ErrorCode::ClientStateNotFound,
            message: "the server was reset".to_owned(),
        }),
        retry_after_ms: None,
    };
    replica.pull_failed(ticket, &lost).expect("rebootstraps");
    assert_eq!(replica.cookie(), None);
    assert_rows_stay_until_the_last_page(&mut server, &mut replica, &before);
}

#[test]
fn compaction_keeps_every_entry_above_the_horizon_and_stays_within_its_calls() {
    let mut server = Server::new();
    for _ in 0..100 {
        server.someone_creates(Uuid::new_v4(), "");
    }
    let before = server.log_ids();
    // The first 60 are old enough, the rest are not.
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    server
        .conn
        .execute(
            "UPDATE mutation_log SET logged_at = ?1 WHERE id > ?2",
            [NOW as i64, before[59] as i64],
        )
        .expect("some are recent");
    let settings = Settings {
        max_calls: 4,
        batch_entries: 7,
        ..Settings::default()
    };
    let mut runs = 0;
    loop {
        let outcome = server.compact(&settings);
        runs += 1;
        assert!(outcome.d1_calls <= settings.max_calls, "{outcome:?}");
        let horizon = server.horizon();
        let left = server.log_ids();
        assert!(
            left.iter().all(|id| *id > horizon),
            "nothing at or below the horizon is left"
        );
        assert_eq!(
            left,
            before
                .iter()
                .copied()
                .filter(|id| *id > horizon)
                .collect::<Vec<_>>(),
            "every entry above the horizon is still there"
        );
        if outcome.finished {
            break;
        }
        assert_eq!(
            outcome.entries_deleted,
            3 * 7,
            "three steps and the closing one"
        );
    }
    assert_eq!(runs, 3);
    assert_eq!(server.horizon(), before[59]);
    assert_eq!(server.log_ids(), before[60..]);
    let recorded: i64 = server
        .conn
        .query_row(
            "SELECT COUNT(*) FROM compaction_run WHERE d1_calls <= 4",
            [],
            |row| row.get(0),
        )
        .expect("runs recorded");
    assert_eq!(recorded, 3);
}

#[test]
fn compaction_forgets_unused_clients_and_keeps_entries_no_workspace_has_taken() {
    let mut server = Server::new();
    server.someone_creates(Uuid::new_v4(), "");
    server
        .conn
        .execute(
            "INSERT INTO mutation_log (client_id, mutation_id, name, args, logged_at) \
             VALUES ('legacy', 1, 'deleteIssue', '{}', 0)",
            [],
        )
        .expect("an entry from before workspaces");
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    server
        .conn
        .execute(
            "UPDATE client SET seen_at = ?1",
            [(NOW - 91 * shared::server::DAY_MS) as i64],
        )
        .expect("the client went quiet");
    let outcome = server.compact(&Settings::default());
    assert_eq!(outcome.entries_deleted, 1);
    assert_eq!(
        common::count(&server.conn, "mutation_log"),
        1,
        "the legacy entry stays"
    );
    assert_eq!(
        common::count(&server.conn, "client"),
        0,
        "the quiet client is forgotten"
    );
    let clients: i64 = server
        .conn
        .query_row("SELECT clients_deleted FROM compaction_run", [], |row| {
            row.get(0)
        })
        .expect("the run");
    assert_eq!(clients, 1);
}

#[test]
fn after_compaction_a_poke_starts_at_the_horizon_so_a_replica_below_it_pulls() {
    let mut server = Server::new();
    server.someone_creates(Uuid::new_v4(), "");
    let mut replica = new_replica();
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    server.someone_creates(Uuid::new_v4(), "missed");
    server.age_log(DEFAULT_RETENTION_DAYS + 1.0);
    server.compact(&Settings::default());
    server.someone_creates(Uuid::new_v4(), "new");
    let horizon = server.horizon();
    let rows = shared::sqlite::newest_log(&server.conn, &by().workspace_id).expect("the log");
    let fanout = Fanout::from_newest(&rows, horizon)
        .expect("a fan-out")
        .expect("entries");
    let poke = fanout.poke_for(&replica.client_id());
    assert_eq!(poke.base, Some(horizon));
    assert_eq!(
        replica.take_poke(&poke).expect("the poke"),
        shared::replica::PokeOutcome::Pull,
        "below the horizon: pull (and get a snapshot), never apply"
    );
    server.catch_up(&mut replica);
    common::assert_counts_match(&replica);
    assert_eq!(
        sorted(replica.base_issues().expect("base")),
        server.issues()
    );
}

#[test]
fn settings_refuse_what_does_not_parse_and_name_the_var() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(Settings::from_vars(vars(&[])), Ok(Settings::default()));
    let set = Settings::from_vars(vars(&[
        ("LOG_RETENTION_DAYS", "0.5"),
        ("COMPACTION_MAX_CALLS", "5"),
        ("COMPACTION_BATCH", "10"),
    ]))
    .expect("valid");
    assert_eq!(set.cutoff(NOW), NOW - shared::server::DAY_MS / 2);
    for (name, value) in [
        ("LOG_RETENTION_DAYS", "-1"),
        ("LOG_RETENTION_DAYS", "thirty"),
        ("LOG_RETENTION_DAYS", "NaN"),
        ("CLIENT_RETENTION_DAYS", ""),
        ("COMPACTION_MAX_CALLS", "1"),
        ("COMPACTION_MAX_CALLS", "50.5"),
        ("COMPACTION_BATCH", "0"),
        ("COMPACTION_BATCH", "1000000"),
    ] {
        let pairs: &'static [(&'static str, &'static str)] =
            Box::leak(vec![(name, value)].into_boxed_slice());
        let err = Settings::from_vars(vars(pairs)).expect_err(value);
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn each_staging_table_has_the_columns_of_its_table() {
    let dir = std::env::temp_dir().join(format!("snapshot-columns-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a folder");
    drop(Replica::open(&Storage::Directory(dir.clone()), by()).expect("open"));
    let base = Connection::open(dir.join("base.sqlite3")).expect("the base file");
    let columns = |table: &str| -> Vec<(String, String)> {
        base.prepare(&format!("PRAGMA table_info({table})"))
            .expect("prepare")
            .query_map([], |row| Ok((row.get(1)?, row.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("columns")
    };
    for table in ["issue", "label", "issue_label", "comment"] {
        assert!(!columns(table).is_empty());
        assert_eq!(
            columns(&format!("snapshot_{table}")),
            columns(table),
            "{table}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
