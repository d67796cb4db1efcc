//! The client replica's rules, natively, with the server's answers written out by hand.

mod common;

use serde_json::{Value, json};
use shared::mutations::fields::Status;
use shared::protocol::{ErrorBody, LogEntry, PullResponse, PushResponse, RejectedMutation};
use shared::replica::{IssueFilter, PushOutcome, Replica, ReplicaError, Storage, SyncFailure};
use shared::{Actor, ErrorCode};
use uuid::Uuid;

/// The workspace the tests' replicas are of, the member using them, and another member.
const WORKSPACE: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0001);
const ME: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0002);
const SOMEONE: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0003);

fn actor() -> Actor {
    Actor::new(WORKSPACE, ME)
}

fn replica() -> Replica {
    Replica::open(&Storage::Memory, actor()).expect("open an in-memory replica")
}

fn create_args(id: Uuid, title: &str, at: u64) -> Value {
    json!({"id": id, "title": title, "description": "", "owner": "ada", "createdAt": at})
}

/// A log entry: this replica's own mutation `own` (the server marks those with their id), or, with
/// `None`, another client's, made by another member.
fn entry(log_id: u64, own: Option<u64>, name: &str, args: Value) -> LogEntry {
    LogEntry {
        log_id,
        member_id: if own.is_some() { ME } else { SOMEONE },
        id: own,
        name: name.to_owned(),
        args,
        number: None,
    }
}

/// Pulls, as log entry `log_id`, an issue another client created.
fn pull_created_elsewhere(replica: &mut Replica, log_id: u64, id: Uuid, title: &str) {
    let created = entry(log_id, None, "createIssue", create_args(id, title, 1));
    let acknowledged = replica.last_mutation_id();
    pull(replica, &pull_answer(log_id, acknowledged, vec![created]));
}

fn pull_answer(cookie: u64, last_mutation_id: u64, mutations: Vec<LogEntry>) -> PullResponse {
    PullResponse {
        cookie,
        last_mutation_id,
        has_more: false,
        mutations,
        snapshot: None,
    }
}

/// Sends the next pull and answers it with `response`.
fn pull(replica: &mut Replica, response: &PullResponse) -> shared::replica::PullOutcome {
    let (ticket, _) = replica.next_pull().expect("no pull in flight");
    replica
        .pull_succeeded(ticket, response)
        .expect("the pull applies")
}

fn titles(replica: &Replica) -> Vec<String> {
    replica
        .issues(&IssueFilter::default())
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect()
}

fn base_titles(replica: &Replica) -> Vec<String> {
    replica
        .base_issues()
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect()
}

fn client_state_not_found() -> SyncFailure {
    SyncFailure::Server {
        status: 409,
        error: Some(ErrorBody {
            error: ErrorCode::ClientStateNotFound,
            message: "reset".into(),
        }),
        retry_after_ms: None,
    }
}

#[test]
fn a_local_mutation_applies_optimistically_and_is_queued_with_the_next_id() {
    let mut r = replica();
    let ids: Vec<u64> = (0..3)
        .map(|i| {
            r.mutate(
                "createIssue",
                &create_args(Uuid::new_v4(), &format!("t{i}"), i),
                100,
            )
            .unwrap()
            .id
        })
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(titles(&r), ["t2", "t1", "t0"], "newest first");
    assert_eq!(
        base_titles(&r),
        Vec::<String>::new(),
        "base only has what the server confirmed"
    );
    assert_eq!(r.pending_count().unwrap(), 3);
    let m = r
        .mutate("deleteIssue", &json!({"id": Uuid::new_v4()}), 1)
        .unwrap();
    assert_eq!(m.changed, ["issue"]);
}

#[test]
fn an_invalid_or_failing_mutation_is_refused_and_never_queued() {
    let mut r = replica();
    let id = Uuid::new_v4();
    let err = r
        .mutate("createIssue", &create_args(id, "", 1), 1)
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidArgs));
    let err = r.mutate("nope", &json!({}), 1).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnknownMutation));
    r.mutate("createIssue", &create_args(id, "first", 1), 1)
        .unwrap();
    let err = r
        .mutate("createIssue", &create_args(id, "again", 1), 1)
        .unwrap_err();
    assert!(matches!(err, ReplicaError::Mutation(_)));
    assert_eq!(err.code(), Some(ErrorCode::StatementFailed));
    assert_eq!(
        err.to_string(),
        format!("an issue with the id {id} already exists")
    );
    assert_eq!(titles(&r), ["first"]);
    assert_eq!(r.pending_count().unwrap(), 1);
    assert_eq!(
        r.mutate("deleteIssue", &json!({"id": id}), 1).unwrap().id,
        2,
        "no id was used up"
    );
}

#[test]
fn everything_survives_closing_and_reopening() {
    let dir = tempdir();
    let storage = Storage::Directory(dir.clone());
    let client = Uuid::new_v4();
    let client_id = {
        let mut r = Replica::open(&storage, actor()).unwrap();
        pull_created_elsewhere(&mut r, 5, client, "from server");
        r.mutate(
            "updateIssueStatus",
            &json!({"id": client, "status": "done", "updatedAt": 9}),
            1,
        )
        .unwrap();
        r.client_id()
    };
    let mut r = Replica::open(&storage, actor()).unwrap();
    assert_eq!(
        r.rows_written(),
        0,
        "opening an up-to-date replica rebuilds nothing"
    );
    assert_eq!(r.client_id(), client_id);
    assert_eq!(r.cookie(), Some(5));
    assert_eq!(r.pending_count().unwrap(), 1);
    assert_eq!(
        r.issues(&IssueFilter::default()).unwrap()[0].status,
        Status::Done
    );
    assert_eq!(r.base_issues().unwrap()[0].status, Status::NotStarted);
    let (_, push) = r.next_push().unwrap().unwrap();
    assert_eq!(push.mutations[0].id, 1);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn one_push_in_flight_and_only_its_answer_is_taken() {
    let mut r = replica();
    for i in 0..150 {
        r.mutate("createIssue", &create_args(Uuid::new_v4(), "t", i), 1)
            .unwrap();
    }
    let (ticket, request) = r.next_push().unwrap().unwrap();
    assert_eq!(request.client_id, r.client_id());
    assert_eq!(request.mutations.len(), 100);
    assert_eq!(request.mutations.first().unwrap().id, 1);
    assert_eq!(request.mutations.last().unwrap().id, 100);
    assert!(r.next_push().unwrap().is_none(), "one push in flight");

    let answer = PushResponse {
        last_mutation_id: 100,
        rejected: vec![],
    };
    assert_eq!(
        r.push_succeeded(ticket, &answer),
        PushOutcome::Processed {
            last_mutation_id: 100
        }
    );
    assert_eq!(
        r.push_succeeded(ticket, &answer),
        PushOutcome::Stale,
        "a duplicate answer"
    );

    let (ticket, request) = r.next_push().unwrap().unwrap();
    assert_eq!(
        request.mutations.first().unwrap().id,
        101,
        "processed ones are not sent again"
    );
    assert_eq!(
        r.push_failed(ticket, &SyncFailure::Network("dropped".into()))
            .unwrap(),
        PushOutcome::Failed
    );
    assert_eq!(r.push_backoff.failures(), 1);
    let (again, request) = r.next_push().unwrap().unwrap();
    assert_eq!(
        request.mutations.len(),
        50,
        "a failed push is simply asked for again"
    );
    let late = PushResponse {
        last_mutation_id: 150,
        rejected: vec![],
    };
    assert_eq!(
        r.push_succeeded(ticket, &late),
        PushOutcome::Stale,
        "a late answer to the failed push"
    );
    assert_eq!(
        r.push_succeeded(again, &late),
        PushOutcome::Processed {
            last_mutation_id: 150
        }
    );
    assert_eq!(r.push_backoff.failures(), 0);
    assert!(r.next_push().unwrap().is_none());
    assert_eq!(
        r.pending_count().unwrap(),
        150,
        "still pending until a pull acknowledges them"
    );
}

#[test]
fn a_push_carries_only_what_fits_in_one_request_body_and_the_rest_follows() {
    let mut r = replica();
    // 100 descriptions of 10,000 four-byte characters: 4 MB, four times what a request may carry.
    let long = "\u{1F680}".repeat(10_000);
    for i in 0..100 {
        let mut args = create_args(Uuid::new_v4(), "long", i);
        args["description"] = json!(long);
        r.mutate("createIssue", &args, 1).unwrap();
    }
    let mut sent = 0;
    while sent < 100 {
        let (ticket, request) = r.next_push().unwrap().unwrap();
        let body = serde_json::to_vec(&request).unwrap();
        assert!(
            body.len() <= shared::protocol::MAX_BODY_BYTES,
            "{} bytes in one push",
            body.len()
        );
        assert!(!request.mutations.is_empty());
        assert_eq!(request.mutations[0].id, sent + 1, "in order, none skipped");
        sent += request.mutations.len() as u64;
        let answer = PushResponse {
            last_mutation_id: sent,
            rejected: vec![],
        };
        r.push_succeeded(ticket, &answer);
    }
    assert_eq!(sent, 100);
    assert!(r.next_push().unwrap().is_none());
}

#[test]
fn a_pull_applies_other_clients_entries_to_base_and_optimistic() {
    let mut r = replica();
    let (ticket, request) = r.next_pull().unwrap();
    assert_eq!(request.cookie, Some(None), "a new client sends cookie null");
    assert!(r.next_pull().is_none(), "one pull in flight");

    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let answer = pull_answer(
        7,
        0,
        vec![
            entry(3, None, "createIssue", create_args(a, "a", 1)),
            entry(7, None, "createIssue", create_args(b, "b", 2)),
        ],
    );
    let outcome = r.pull_succeeded(ticket, &answer).unwrap();
    assert_eq!(outcome.changed, ["issue"]);
    assert!(!outcome.stale && !outcome.has_more);
    assert_eq!(titles(&r), ["b", "a"]);
    assert_eq!(base_titles(&r), ["b", "a"]);
    assert_eq!(r.cookie(), Some(7));

    let written = r.rows_written();
    assert!(
        r.pull_succeeded(ticket, &answer).unwrap().stale,
        "a duplicate answer is ignored"
    );
    assert_eq!(r.rows_written(), written);
    assert_eq!(titles(&r), ["b", "a"]);
    let (_, request) = r.next_pull().unwrap();
    assert_eq!(request.cookie, Some(Some(7)));
}

#[test]
fn a_pull_that_brings_nothing_does_no_database_work() {
    let mut r = replica();
    pull_created_elsewhere(&mut r, 4, Uuid::new_v4(), "x");
    r.mutate("createIssue", &create_args(Uuid::new_v4(), "mine", 2), 1)
        .unwrap();
    let written = r.rows_written();
    let outcome = pull(&mut r, &pull_answer(4, 0, vec![]));
    assert_eq!(outcome.changed, Vec::<&str>::new());
    assert_eq!(r.rows_written(), written);
    assert_eq!(r.cookie(), Some(4));
}

#[test]
fn acknowledging_exactly_the_pending_mutations_only_drops_them() {
    let mut r = replica();
    pull(&mut r, &pull_answer(0, 0, vec![]));

    let id = Uuid::new_v4();
    r.mutate("createIssue", &create_args(id, "mine", 1), 1)
        .unwrap();
    assert_eq!(
        r.issue(id).unwrap().unwrap().number,
        None,
        "not numbered yet"
    );
    // The create comes back with the number the server gave it: that is news to optimistic.
    let numbered = LogEntry {
        number: Some(7),
        ..entry(1, Some(1), "createIssue", create_args(id, "mine", 1))
    };
    let outcome = pull(&mut r, &pull_answer(1, 1, vec![numbered]));
    assert_eq!(outcome.changed, ["issue"]);
    assert_eq!(r.issue(id).unwrap().unwrap().number, Some(7));

    r.mutate(
        "updateIssueStatus",
        &json!({"id": id, "status": "in progress", "updatedAt": 2}),
        1,
    )
    .unwrap();
    r.mutate(
        "updateIssue",
        &json!({"id": id, "title": "still pending", "updatedAt": 3}),
        1,
    )
    .unwrap();
    let before = r.issues(&IssueFilter::default()).unwrap();
    let outcome = pull(
        &mut r,
        &pull_answer(
            2,
            2,
            vec![entry(
                2,
                Some(2),
                "updateIssueStatus",
                json!({"id": id, "status": "in progress", "updatedAt": 2}),
            )],
        ),
    );
    assert_eq!(
        outcome.changed,
        Vec::<&str>::new(),
        "optimistic already showed this"
    );
    assert_eq!(r.issues(&IssueFilter::default()).unwrap(), before);
    assert_eq!(base_titles(&r), ["mine"]);
    assert_eq!(r.pending_count().unwrap(), 1);
    assert_eq!(r.last_mutation_id(), 2);
    let (_, push) = r.next_push().unwrap().unwrap();
    assert_eq!(push.mutations.iter().map(|m| m.id).collect::<Vec<_>>(), [3]);
}

#[test]
fn pending_mutations_are_replayed_on_top_of_other_clients_changes() {
    let mut r = replica();

    let id = Uuid::new_v4();
    pull_created_elsewhere(&mut r, 1, id, "original");
    r.mutate(
        "updateIssueStatus",
        &json!({"id": id, "status": "done", "updatedAt": 5}),
        1,
    )
    .unwrap();
    pull(
        &mut r,
        &pull_answer(
            2,
            0,
            vec![entry(
                2,
                None,
                "updateIssue",
                json!({"id": id, "title": "renamed elsewhere", "updatedAt": 4}),
            )],
        ),
    );
    let issue = r.issue(id).unwrap().unwrap();
    assert_eq!(
        (issue.title.as_str(), issue.status, issue.updated_at),
        ("renamed elsewhere", Status::Done, 5)
    );
    let base = &r.base_issues().unwrap()[0];
    assert_eq!(
        (base.title.as_str(), base.status),
        ("renamed elsewhere", Status::NotStarted)
    );

    // Someone deletes it: the pending status change now matches nothing, and the issue is gone.
    pull(
        &mut r,
        &pull_answer(3, 0, vec![entry(3, None, "deleteIssue", json!({"id": id}))]),
    );
    assert_eq!(r.issue(id).unwrap(), None);
    assert_eq!(r.pending_count().unwrap(), 1);
}

#[test]
fn a_rejected_mutation_is_reported_by_the_pull_that_drops_it_and_its_effect_undone() {
    let mut r = replica();
    let id = Uuid::new_v4();
    pull_created_elsewhere(&mut r, 1, id, "kept");
    r.mutate(
        "updateIssue",
        &json!({"id": id, "title": "refused", "updatedAt": 2}),
        1,
    )
    .unwrap();
    r.mutate(
        "updateIssueStatus",
        &json!({"id": id, "status": "done", "updatedAt": 3}),
        1,
    )
    .unwrap();
    assert_eq!(titles(&r), ["refused"]);
    let (ticket, _) = r.next_push().unwrap().unwrap();
    let rejection = RejectedMutation {
        id: 1,
        error: ErrorCode::StatementFailed,
        message: "no such thing".into(),
    };
    r.push_succeeded(
        ticket,
        &PushResponse {
            last_mutation_id: 2,
            rejected: vec![rejection.clone()],
        },
    );

    let outcome = pull(
        &mut r,
        &pull_answer(
            2,
            2,
            vec![entry(
                2,
                Some(2),
                "updateIssueStatus",
                json!({"id": id, "status": "done", "updatedAt": 3}),
            )],
        ),
    );
    assert_eq!(outcome.rejected, [rejection]);
    assert_eq!(outcome.changed, ["issue"]);
    let issue = r.issue(id).unwrap().unwrap();
    assert_eq!((issue.title.as_str(), issue.status), ("kept", Status::Done));
    assert_eq!(r.pending_count().unwrap(), 0);
    common::assert_counts_match(&r);
}

#[test]
fn a_rejection_whose_push_answer_was_lost_is_still_reported() {
    let mut r = replica();
    r.mutate("deleteIssue", &json!({"id": Uuid::new_v4()}), 1)
        .unwrap();
    let outcome = pull(&mut r, &pull_answer(0, 1, vec![]));
    assert_eq!(outcome.rejected.len(), 1);
    assert_eq!(outcome.rejected[0].id, 1);
    assert_eq!(outcome.rejected[0].error, ErrorCode::Unknown);
    assert_eq!(
        outcome.rejected[0].message,
        "the server did not apply deleteIssue"
    );
}

#[test]
fn has_more_asks_for_another_pull() {
    let mut r = replica();
    let mut answer = pull_answer(
        1,
        0,
        vec![entry(
            1,
            None,
            "createIssue",
            create_args(Uuid::new_v4(), "p1", 1),
        )],
    );
    answer.has_more = true;
    assert!(pull(&mut r, &answer).has_more);
    let (_, request) = r.next_pull().unwrap();
    assert_eq!(request.cookie, Some(Some(1)));
}

#[test]
fn the_cookie_never_moves_backwards_and_a_bad_answer_applies_nothing() {
    let mut r = replica();

    pull_created_elsewhere(&mut r, 10, Uuid::new_v4(), "x");
    for bad in [
        pull_answer(9, 0, vec![]),
        pull_answer(
            12,
            0,
            vec![entry(
                10,
                None,
                "deleteIssue",
                json!({"id": Uuid::new_v4()}),
            )],
        ),
        pull_answer(
            11,
            0,
            vec![entry(
                12,
                None,
                "deleteIssue",
                json!({"id": Uuid::new_v4()}),
            )],
        ),
    ] {
        let (ticket, _) = r.next_pull().unwrap();
        let err = r.pull_succeeded(ticket, &bad).unwrap_err();
        assert!(matches!(err, ReplicaError::InvalidResponse(_)), "{err}");
        assert_eq!(r.cookie(), Some(10));
        assert_eq!(titles(&r), ["x"]);
    }
    assert_eq!(r.pull_backoff.failures(), 3);
}

#[test]
fn an_entry_that_does_not_apply_makes_base_rebuild_from_the_whole_log() {
    let mut r = replica();

    let id = Uuid::new_v4();
    pull_created_elsewhere(&mut r, 1, id, "x");
    let (ticket, _) = r.next_pull().unwrap();
    // An entry this build knows but cannot apply (args no rule ever allowed: a corrupt log, say).
    // One it does not know at all is a newer version's: see the outdated test below.
    let diverged = pull_answer(
        2,
        0,
        vec![entry(
            2,
            None,
            "updateIssue",
            json!({"id": "not an id", "updatedAt": 1}),
        )],
    );
    assert!(matches!(
        r.pull_succeeded(ticket, &diverged).unwrap_err(),
        ReplicaError::InvalidResponse(_)
    ));
    assert_eq!(r.cookie(), None);
    assert_eq!(base_titles(&r), ["x"], "the failed entry changed nothing");
    // The rebuild from scratch replaces base wholesale.
    let fresh = Uuid::new_v4();
    pull_created_elsewhere(&mut r, 3, fresh, "fresh");
    assert_eq!(base_titles(&r), ["fresh"]);
    assert_eq!(titles(&r), ["fresh"]);
    common::assert_counts_match(&r);
}

#[test]
fn client_state_not_found_rebootstraps_and_keeps_every_pending_mutation() {
    for via_pull in [false, true] {
        let mut r = replica();
        let me = r.client_id();
        let kept = Uuid::new_v4();
        pull_created_elsewhere(&mut r, 5, Uuid::new_v4(), "old server");
        let made: Vec<Value> = (0..3)
            .map(|i| create_args(Uuid::new_v4(), &format!("pending {i}"), 10 + i))
            .collect();
        for args in &made {
            r.mutate("createIssue", args, 1).unwrap();
        }
        // The server acknowledged the first, then lost everything.
        pull(
            &mut r,
            &pull_answer(
                6,
                1,
                vec![entry(6, Some(1), "createIssue", made[0].clone())],
            ),
        );
        if via_pull {
            let (ticket, _) = r.next_pull().unwrap();
            r.pull_failed(ticket, &client_state_not_found()).unwrap();
        } else {
            let (ticket, _) = r.next_push().unwrap().unwrap();
            assert_eq!(
                r.push_failed(ticket, &client_state_not_found()).unwrap(),
                PushOutcome::Rebootstrapped
            );
        }
        assert_ne!(r.client_id(), me, "a new identity");
        assert_eq!(r.cookie(), None);
        assert_eq!(r.pending_count().unwrap(), 2);
        let (_, push) = r.next_push().unwrap().unwrap();
        assert_eq!(push.client_id, r.client_id());
        assert_eq!(
            push.mutations.iter().map(|m| m.id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(push.mutations[0].args["title"], json!("pending 1"));
        assert_eq!(
            titles(&r),
            ["pending 2", "pending 1", "pending 0", "old server"],
            "nothing vanishes meanwhile"
        );
        // The reset server's whole log replaces base.
        let (ticket, request) = r.next_pull().unwrap();
        assert_eq!(request.cookie, Some(None));
        r.pull_succeeded(
            ticket,
            &pull_answer(
                1,
                0,
                vec![entry(
                    1,
                    None,
                    "createIssue",
                    create_args(kept, "new server", 1),
                )],
            ),
        )
        .unwrap();
        assert_eq!(base_titles(&r), ["new server"]);
        assert_eq!(titles(&r), ["pending 2", "pending 1", "new server"]);
        common::assert_counts_match(&r);
    }
}

#[test]
fn a_crash_between_base_and_optimistic_is_repaired_on_open() {
    let dir = tempdir();
    let storage = Storage::Directory(dir.clone());
    {
        let mut r = Replica::open(&storage, actor()).unwrap();
        r.mutate("createIssue", &create_args(Uuid::new_v4(), "mine", 2), 1)
            .unwrap();
        pull_created_elsewhere(&mut r, 1, Uuid::new_v4(), "theirs");
    }
    // Make optimistic look as if the rebase after that pull never committed.
    let optimistic = rusqlite::Connection::open(dir.join("optimistic.sqlite3")).unwrap();
    optimistic
        .execute("UPDATE replica_optimistic SET base_version = 0", [])
        .unwrap();
    optimistic
        .execute("DELETE FROM issue WHERE title = 'theirs'", [])
        .unwrap();
    drop(optimistic);
    let r = Replica::open(&storage, actor()).unwrap();
    assert_eq!(titles(&r), ["mine", "theirs"]);
    std::fs::remove_dir_all(dir).ok();
    common::assert_counts_match(&r);
}

#[test]
fn reads_filter_by_status_and_text_and_count() {
    let mut r = replica();
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    for (i, (id, title)) in ids
        .iter()
        .zip(["Login fails", "Dark mode", "Slow LOGIN page", "Typo"])
        .enumerate()
    {
        r.mutate("createIssue", &create_args(*id, title, i as u64), 1)
            .unwrap();
    }
    r.mutate(
        "updateIssueStatus",
        &json!({"id": ids[1], "status": "done", "updatedAt": 9}),
        1,
    )
    .unwrap();
    r.mutate(
        "updateIssue",
        &json!({"id": ids[3], "description": "the login button", "updatedAt": 9}),
        1,
    )
    .unwrap();
    let find = |status, search: &str| -> Vec<String> {
        let filter = IssueFilter {
            status,
            search: Some(search.to_owned()),
            ..IssueFilter::default()
        };
        r.issues(&filter)
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    };
    assert_eq!(
        find(None, "login"),
        ["Typo", "Slow LOGIN page", "Login fails"]
    );
    assert_eq!(find(Some(Status::Done), ""), ["Dark mode"]);
    assert_eq!(
        find(Some(Status::NotStarted), "  "),
        ["Typo", "Slow LOGIN page", "Login fails"]
    );
    let counts = r.status_counts().unwrap();
    assert_eq!(
        (
            counts.not_started,
            counts.in_progress,
            counts.done,
            counts.total()
        ),
        (3, 0, 1, 4)
    );
    assert_eq!(r.issue(ids[1]).unwrap().unwrap().status, Status::Done);
    assert_eq!(r.issue(Uuid::new_v4()).unwrap(), None);
}

#[test]
fn backoff_doubles_up_to_thirty_seconds() {
    let mut backoff = shared::replica::Backoff::default();
    assert_eq!(backoff.delay(0.0).as_millis(), 0);
    let delays: Vec<u128> = (0..8)
        .map(|_| {
            backoff.failed();
            backoff.delay(0.0).as_millis()
        })
        .collect();
    assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert_eq!(backoff.delay(1.0).as_millis(), 15000);
    backoff.succeeded();
    assert_eq!(backoff.delay(0.5).as_millis(), 0);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("replica-test-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_limited_list_says_how_many_match_in_all() {
    let mut r = replica();
    for i in 0..5 {
        r.mutate(
            "createIssue",
            &create_args(Uuid::new_v4(), &format!("t{i}"), i),
            1,
        )
        .unwrap();
    }
    let window = |r: &Replica, filter: &IssueFilter| {
        let request = shared::replica::WindowRequest {
            start: 0,
            len: 2,
            around: None,
            seen: None,
        };
        r.window(&mut Default::default(), filter, request, false)
            .unwrap()
    };
    let first = window(&r, &IssueFilter::default());
    assert_eq!(
        first
            .issues
            .iter()
            .map(|i| i.title.as_str())
            .collect::<Vec<_>>(),
        ["t4", "t3"]
    );
    assert_eq!(first.matching, 5);
    let filter = IssueFilter {
        status: None,
        search: Some("t1".into()),
        ..IssueFilter::default()
    };
    assert_eq!(window(&r, &filter).matching, 1);
}

#[test]
fn a_pull_touches_only_the_rows_it_can_have_made_stale() {
    let mut r = replica();
    let mine: Vec<Uuid> = (0..50).map(|_| Uuid::new_v4()).collect();
    for (i, id) in mine.iter().enumerate() {
        pull_created_elsewhere(&mut r, i as u64 + 1, *id, &format!("issue {i}"));
    }
    for id in &mine {
        r.mutate(
            "updateIssueStatus",
            &json!({"id": id, "status": "done", "updatedAt": 9}),
            1,
        )
        .unwrap();
    }
    let theirs = Uuid::new_v4();
    let written = r.rows_written();
    pull_created_elsewhere(&mut r, 51, theirs, "someone else's");
    // Base: the new row, its first history event and the cursor; optimistic: the copied row and
    // event and its version. Not 50 replays.
    assert!(
        r.rows_written() - written <= 8,
        "wrote {} rows",
        r.rows_written() - written
    );
    assert_eq!(r.issue(theirs).unwrap().unwrap().title, "someone else's");
    for id in &mine {
        assert_eq!(
            r.issue(*id).unwrap().unwrap().status,
            Status::Done,
            "pending changes stay"
        );
    }
    assert_eq!(r.pending_count().unwrap(), 50);
}

#[test]
fn an_entry_logged_under_older_rules_still_applies_and_a_new_one_like_it_is_refused() {
    // Control characters were accepted before the rule existed; a log holding them must not make
    // every client rebuild base forever.
    let mut r = replica();

    let id = Uuid::new_v4();
    let legacy =
        json!({"id": id, "title": "old", "description": "bell\u{7}", "owner": "o", "createdAt": 1});
    let outcome = pull(
        &mut r,
        &pull_answer(1, 0, vec![entry(1, None, "createIssue", legacy.clone())]),
    );
    assert!(!outcome.stale);
    assert_eq!(r.cookie(), Some(1));
    assert_eq!(base_titles(&r), ["old"]);

    let mut again = legacy;
    again["id"] = json!(Uuid::new_v4());
    let err = r.mutate("createIssue", &again, 2).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidArgs));
    assert_eq!(r.pending_count().unwrap(), 0);
}

#[test]
fn a_newer_server_makes_the_replica_outdated_and_its_pushes_go_on() {
    use shared::replica::Answer;
    let mut r = replica();
    pull_created_elsewhere(&mut r, 1, Uuid::new_v4(), "before the upgrade");
    assert!(r.outdated().is_none());
    // A log entry this build does not know (a newer version's): nothing applies, the cookie stays.
    let (ticket, _) = r.next_pull().expect("a pull");
    let newer = entry(2, None, "archiveIssue", json!({"id": Uuid::new_v4()}));
    assert!(
        r.pull_succeeded(ticket, &pull_answer(2, 0, vec![newer]))
            .is_err()
    );
    assert_eq!(r.cookie(), Some(1), "base keeps its cookie");
    assert_eq!(base_titles(&r), ["before the upgrade"]);
    let outdated = r.outdated().expect("outdated");
    assert_eq!(outdated.error, ErrorCode::VersionNotSupported);
    assert!(
        outdated.message.contains("archiveIssue"),
        "{}",
        outdated.message
    );

    // The server says so itself: 409 VersionNotSupported to a pull.
    let mut r = replica();
    let (ticket, _) = r.next_pull().expect("a pull");
    let refusal = SyncFailure::Server {
        status: 409,
        error: Some(ErrorBody {
            error: ErrorCode::VersionNotSupported,
            message: "a new version of the app is available; reload".into(),
        }),
        retry_after_ms: None,
    };
    r.take(Answer::Pulled(ticket, Err(refusal)), 0, 0.5)
        .expect("taken");
    assert_eq!(
        r.outdated().map(|body| body.message.as_str()),
        Some("a new version of the app is available; reload")
    );
    // Changes made meanwhile still go out: the server takes this version's pushes.
    r.mutate("createIssue", &create_args(Uuid::new_v4(), "kept", 1), 1)
        .expect("a local change");
    let (ticket, request) = r.next_push().expect("a push").expect("one");
    assert_eq!(request.mutations.len(), 1);
    r.take(
        Answer::Pushed(
            ticket,
            Ok(PushResponse {
                last_mutation_id: 1,
                rejected: vec![],
            }),
        ),
        1,
        0.5,
    )
    .expect("taken");
    assert!(r.outdated().is_some(), "only a new build clears it");
}
