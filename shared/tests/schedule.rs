//! The sync loop's timing, natively: when a replica asks to push and to pull, and what an answer
//! changes. The browser engine and the recovery of leftover storage both follow it.

use serde_json::json;
use shared::Actor;
use shared::protocol::{PullResponse, PushResponse};
use shared::replica::{Answer, PULL_EVERY_MS, Replica, Request, Storage, SyncFailure};
use uuid::Uuid;

fn replica() -> Replica {
    let actor = Actor::new(uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    Replica::open(&Storage::Memory, actor).expect("open an in-memory replica")
}

fn kinds(requests: &[Request]) -> Vec<&'static str> {
    requests
        .iter()
        .map(|r| match r {
            Request::Push(..) => "push",
            Request::Pull(..) => "pull",
        })
        .collect()
}

/// Answers every request as a server with nothing new would, at `now`.
fn answer_all(replica: &mut Replica, requests: Vec<Request>, now: u64) {
    for request in requests {
        let answer = match request {
            Request::Push(ticket, push) => Answer::Pushed(
                ticket,
                Ok(PushResponse {
                    last_mutation_id: push.mutations.last().map_or(0, |m| m.id),
                    rejected: Vec::new(),
                }),
            ),
            Request::Pull(ticket, pull) => Answer::Pulled(
                ticket,
                Ok(PullResponse {
                    cookie: pull.cookie.flatten().unwrap_or(0),
                    last_mutation_id: replica.last_mutation_id(),
                    has_more: false,
                    mutations: Vec::new(),
                    snapshot: None,
                }),
            ),
        };
        replica.take(answer, now, 0.0).expect("the answer applies");
    }
}

fn create(replica: &mut Replica) {
    let args = json!({"id": Uuid::new_v4(), "title": "t", "description": "", "owner": "o", "createdAt": 1});
    replica.mutate("createIssue", &args, 1).unwrap();
    replica.push_soon();
}

#[test]
fn a_new_replica_pulls_at_once_then_every_three_seconds() {
    let mut r = replica();
    let first = r.due(1_000).unwrap();
    assert_eq!(kinds(&first), ["pull"]);
    assert!(
        r.due(1_000).unwrap().is_empty(),
        "one pull in flight at most"
    );
    assert!(r.syncing());
    answer_all(&mut r, first, 1_000);
    assert!(!r.syncing());
    assert!(r.due(1_000 + PULL_EVERY_MS - 1).unwrap().is_empty());
    assert_eq!(kinds(&r.due(1_000 + PULL_EVERY_MS).unwrap()), ["pull"]);
}

#[test]
fn a_local_change_is_pushed_at_once_and_a_processed_push_is_followed_by_a_pull() {
    let mut r = replica();
    let first = r.due(0).unwrap();
    answer_all(&mut r, first, 0);
    create(&mut r);
    let push = r.due(10).unwrap();
    assert_eq!(kinds(&push), ["push"], "the pull is not due yet");
    answer_all(&mut r, push, 20);
    assert_eq!(
        kinds(&r.due(20).unwrap()),
        ["pull"],
        "a pull follows the push at once"
    );
}

#[test]
fn a_failed_push_waits_for_its_backoff_and_says_offline() {
    let mut r = replica();
    create(&mut r);
    let Some(Request::Push(ticket, _)) = r
        .due(0)
        .unwrap()
        .into_iter()
        .find(|q| matches!(q, Request::Push(..)))
    else {
        panic!("a push is due");
    };
    let lost = Answer::Pushed(ticket, Err(SyncFailure::Network("offline".into())));
    r.take(lost, 1_000, 0.0).unwrap();
    assert!(!r.online());
    assert!(
        !kinds(&r.due(1_499).unwrap()).contains(&"push"),
        "half a second first"
    );
    assert!(kinds(&r.due(1_500).unwrap()).contains(&"push"));
}

/// A change made in the UI: the engine asks for a push with `push_change`.
fn change(replica: &mut Replica, now: u64) {
    let args = json!({"id": Uuid::new_v4(), "title": "t", "description": "", "owner": "o", "createdAt": now});
    replica.mutate("createIssue", &args, now).unwrap();
    replica.push_change();
}

/// The push among `requests`: its ticket and how many mutations it carries.
fn push_of(requests: &[Request]) -> Option<(shared::replica::Ticket, usize)> {
    requests.iter().find_map(|q| match q {
        Request::Push(ticket, push) => Some((*ticket, push.mutations.len())),
        Request::Pull(..) => None,
    })
}

#[test]
fn a_change_made_while_a_push_backs_off_goes_with_its_retry_and_the_server_answering_again_sends_it_at_once()
 {
    let mut r = replica();
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    change(&mut r, 10);
    let (ticket, _) = push_of(&r.due(10).unwrap()).expect("a change is pushed at once");
    let lost = Answer::Pushed(ticket, Err(SyncFailure::Network("offline".into())));
    r.take(lost, 1_000, 0.0).unwrap();
    // Offline, a person goes on working: not a request a change.
    for at in [1_100, 1_200, 1_300] {
        change(&mut r, at);
        assert_eq!(
            push_of(&r.due(at).unwrap()),
            None,
            "the change at {at} waits for the retry"
        );
    }
    // A pull is answered before the retry is due (1,500): the server is back, the push goes now.
    r.pull_soon();
    let pull = r.due(1_350).unwrap();
    assert_eq!(kinds(&pull), ["pull"]);
    answer_all(&mut r, pull, 1_400);
    let due = r.due(1_400).unwrap();
    assert_eq!(
        kinds(&due),
        ["push"],
        "at 1,400, not at the backoff's 1,500"
    );
    assert_eq!(
        push_of(&due).map(|(_, n)| n),
        Some(4),
        "every change in one push"
    );
}

#[test]
fn a_change_made_while_the_server_holds_pushes_back_waits_for_the_time_it_asked() {
    use shared::ErrorCode;
    let mut r = replica();
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    change(&mut r, 10);
    let (ticket, _) = push_of(&r.due(10).unwrap()).unwrap();
    let limited = SyncFailure::Server {
        status: 429,
        error: Some(shared::protocol::ErrorBody {
            error: ErrorCode::RateLimited,
            message: "slow down".into(),
        }),
        retry_after_ms: Some(60_000),
    };
    r.take(Answer::Pushed(ticket, Err(limited)), 1_000, 0.0)
        .unwrap();
    // Pulls are still answered, and changes go on being made.
    let pull = r.due(3_000).unwrap();
    answer_all(&mut r, pull, 3_000);
    for at in [3_000, 20_000, 60_999] {
        change(&mut r, at);
        assert_eq!(
            push_of(&r.due(at).unwrap()),
            None,
            "no push at {at}: the server asked for a minute"
        );
    }
    let due = r.due(61_000).unwrap();
    assert_eq!(
        push_of(&due).map(|(_, n)| n),
        Some(4),
        "the minute is over: all four in one push"
    );
}

#[test]
fn a_pull_asked_for_during_a_pull_runs_right_after_it() {
    let mut r = replica();
    let first = r.due(0).unwrap();
    r.pull_soon();
    answer_all(&mut r, first, 100);
    assert_eq!(
        kinds(&r.due(100).unwrap()),
        ["pull"],
        "not three seconds later"
    );
}

#[test]
fn a_late_answer_changes_no_timer() {
    let mut r = replica();
    let first = r.due(0).unwrap();
    let Some(Request::Pull(ticket, _)) = first.into_iter().next() else {
        panic!("a pull is due");
    };
    let failed = Answer::Pulled(ticket, Err(SyncFailure::Network("lost".into())));
    r.take(failed.clone(), 0, 0.0).unwrap();
    let retry = r.due(500).unwrap();
    assert_eq!(kinds(&retry), ["pull"]);
    // The first answer arrives again, late: the pull in flight is still the retry.
    assert_eq!(r.take(failed, 600, 0.0).unwrap(), Default::default());
    assert!(r.syncing());
    assert!(r.due(600).unwrap().is_empty());
}

fn refused(status: u16, code: shared::ErrorCode) -> SyncFailure {
    SyncFailure::Server {
        status,
        error: Some(shared::protocol::ErrorBody {
            error: code,
            message: "refused by the test".into(),
        }),
        retry_after_ms: None,
    }
}

#[test]
fn a_member_refused_keeps_their_pending_changes_and_says_why_until_access_returns() {
    use shared::ErrorCode;
    let mut r = replica();
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    create(&mut r);
    for (status, code) in [
        (403, ErrorCode::Forbidden),
        (401, ErrorCode::Unauthenticated),
    ] {
        let requests = r.due(10_000).unwrap();
        assert!(kinds(&requests).contains(&"push"));
        for request in requests {
            let answer = match request {
                Request::Push(ticket, _) => Answer::Pushed(ticket, Err(refused(status, code))),
                Request::Pull(ticket, _) => Answer::Pulled(ticket, Err(refused(status, code))),
            };
            r.take(answer, 10_000, 0.0).unwrap();
        }
        assert_eq!(r.denied().map(|body| body.error), Some(code));
        assert_eq!(r.pending_count().unwrap(), 1, "nothing is dropped");
        assert!(r.online(), "the server answered: this is not being offline");
        assert!(
            r.due(10_001).unwrap().is_empty(),
            "no retry before the backoff"
        );
        r.push_soon();
        r.pull_soon();
    }
    // Invited again: the next answers clear it.
    let due = r.due(200_000).unwrap();
    answer_all(&mut r, due, 200_000);
    assert_eq!(r.denied(), None);
}

#[test]
fn a_client_id_owned_by_someone_else_is_replaced_keeping_the_queue() {
    let mut r = replica();
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    create(&mut r);
    let before = r.client_id();
    let requests = r.due(10_000).unwrap();
    for request in requests {
        if let Request::Push(ticket, _) = request {
            let failure = refused(403, shared::ErrorCode::ClientNotOwned);
            r.take(Answer::Pushed(ticket, Err(failure)), 10_000, 0.0)
                .unwrap();
        }
    }
    assert_ne!(r.client_id(), before, "a new client id");
    assert_eq!(r.pending_count().unwrap(), 1);
    assert_eq!(r.denied(), None, "not a refusal of the member");
}

#[test]
fn a_request_held_back_waits_as_long_as_the_server_asked_and_says_why() {
    use shared::ErrorCode;
    let mut r = replica();
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    create(&mut r);
    let requests = r.due(10_000).unwrap();
    for request in requests {
        let failure = SyncFailure::Server {
            status: 429,
            error: Some(shared::protocol::ErrorBody {
                error: ErrorCode::QuotaExceeded,
                message: "the day's changes are used up".into(),
            }),
            retry_after_ms: Some(3_600_000),
        };
        let answer = match request {
            Request::Push(ticket, _) => Answer::Pushed(ticket, Err(failure)),
            Request::Pull(ticket, _) => Answer::Pulled(ticket, Err(failure)),
        };
        r.take(answer, 10_000, 0.0).unwrap();
    }
    assert_eq!(
        r.held_back().map(|b| b.error),
        Some(ErrorCode::QuotaExceeded)
    );
    assert_eq!(r.denied(), None);
    assert_eq!(r.pending_count().unwrap(), 1);
    assert!(
        r.due(10_000 + 60_000).unwrap().is_empty(),
        "not after the backoff's 30 seconds: after the hour asked for"
    );
    let due = r.due(10_000 + 3_600_000).unwrap();
    assert_eq!(kinds(&due), ["push", "pull"]);
    answer_all(&mut r, due, 10_000 + 3_600_000);
    assert_eq!(r.held_back(), None);
}

#[test]
fn a_hidden_page_pulls_once_a_minute_and_at_once_when_shown() {
    use shared::replica::HIDDEN_PULL_EVERY_MS;
    let mut r = replica();
    r.set_hidden(true);
    let due = r.due(0).unwrap();
    assert_eq!(
        kinds(&due),
        ["pull"],
        "the first pull goes out hidden or not"
    );
    answer_all(&mut r, due, 0);
    assert!(
        r.due(PULL_EVERY_MS).unwrap().is_empty(),
        "not every 3 seconds"
    );
    assert!(r.due(HIDDEN_PULL_EVERY_MS - 1).unwrap().is_empty());
    let due = r.due(HIDDEN_PULL_EVERY_MS).unwrap();
    assert_eq!(kinds(&due), ["pull"], "once a minute");
    answer_all(&mut r, due, HIDDEN_PULL_EVERY_MS);
    // A local change still goes out at once, hidden or not.
    create(&mut r);
    assert_eq!(kinds(&r.due(HIDDEN_PULL_EVERY_MS + 10).unwrap()), ["push"]);
    let mut r = replica();
    r.set_hidden(true);
    let due = r.due(0).unwrap();
    answer_all(&mut r, due, 0);
    r.set_hidden(false);
    assert_eq!(kinds(&r.due(1).unwrap()), ["pull"], "shown again: at once");
}
