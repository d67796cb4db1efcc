//! What the worker answers when it fails: a D1 error or a panic gives the protocol's JSON 500, never an
//! HTML page or a dropped connection. This binary's server has a database without tables, and its own
//! process: a panic fails every request in flight on the instance, which must not touch other tests.

use std::sync::{Mutex, OnceLock};

use serde_json::json;
use sync_tests::{Server, create, numbered};
use uuid::Uuid;

fn unmigrated() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(false))
}

/// A panic fails every request in flight, so the tests that panic take turns.
static PANICS: Mutex<()> = Mutex::new(());

#[test]
fn a_d1_failure_answers_a_json_500() {
    let s = unmigrated();
    let client = Uuid::new_v4();
    let message = s
        .push(
            &client,
            &numbered(1, [create(&Uuid::new_v4(), "no tables")]),
        )
        .assert_error(500, "InternalError");
    assert!(
        !message.contains("no such table"),
        "internals stay in the log: {message}"
    );
    s.pull(&client, None).assert_error(500, "InternalError");
}

#[test]
fn a_panic_answers_a_json_500_and_the_next_request_is_served() {
    let _turn = PANICS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let s = unmigrated();
    for _ in 0..2 {
        let message = s
            .post("/api/test/panic", b"", &[])
            .assert_error(500, "InternalError");
        assert!(message.contains("may be retried"), "{message}");
        // The instance was reset: requests that need no database are served normally again.
        s.post_json(&s.api("pull"), &json!({"schemaVersion": 7}))
            .assert_error(409, "VersionNotSupported");
    }
}

#[test]
fn requests_in_flight_when_another_panics_still_answer_json() {
    let _turn = PANICS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let s = unmigrated();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..5 {
                        // Each needs D1 (which fails here: 500) and may meet a panic: 500 too.
                        let reply = s.pull(&Uuid::new_v4(), Some(0));
                        reply.assert_error(500, "InternalError");
                    }
                })
            })
            .collect();
        for _ in 0..3 {
            s.post("/api/test/panic", b"", &[])
                .assert_error(500, "InternalError");
        }
        for worker in workers {
            worker
                .join()
                .expect("no request hung or answered anything but JSON");
        }
    });
}
