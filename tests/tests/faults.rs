//! Faults on purpose: D1 failing before a call runs, and after a write batch committed (the worker
//! answers 500 for a change that stands), and live sockets dropped instead of poked, set through the
//! tests-only `POST /api/test/faults`. The
//! promise holds: a change sent again after a lost answer applies once, one that never ran applies
//! when sent again, and nothing is lost. Faults are the isolate's, so this binary has one test.

use serde_json::{Value, json};
use shared::live::CLOSE_RESTART;
use sync_tests::live::Heard;
use sync_tests::{Server, create, numbered, server};
use uuid::Uuid;

fn set_faults(s: &Server, faults: Value) {
    let reply = s.post_json("/api/test/faults", &faults);
    assert_eq!(reply.status, 200, "{}", reply.text);
}

fn issues_with(s: &Server, id: &Uuid) -> usize {
    s.sql(&format!("SELECT id FROM issue WHERE id = '{id}'"))
        .len()
}

fn entries_of(s: &Server, client: &Uuid) -> usize {
    s.sql(&format!(
        "SELECT id FROM mutation_log WHERE client_id = '{client}'"
    ))
    .len()
}

#[test]
fn a_change_whose_answer_was_lost_after_it_committed_applies_once_when_sent_again() {
    let s = server();
    s.owner();
    for bad in [
        json!({"d1After": 2}),
        json!({"d1Before": -0.5}),
        json!({"delayMs": 60_000}),
        json!({"socketDrop": 1.5}),
        json!({"sometimes": 1}),
    ] {
        s.post_json("/api/test/faults", &bad)
            .assert_error(400, "InvalidRequest");
    }
    // Only on this machine's own address: a deployment that set the var by mistake refuses them.
    for host in ["tracker.example.com", "10.0.0.8"] {
        s.post_raw(
            "/api/test/faults",
            br#"{"d1Before": 1}"#.as_slice(),
            &[("Content-Type", "application/json"), ("Host", host)],
        )
        .assert_error(404, "NotFound");
    }

    // After the commit: the answer is a 500, the change stands.
    let client = Uuid::new_v4();
    let first = Uuid::new_v4();
    let push_first = numbered(1, [create(&first, "committed, its answer lost")]);
    set_faults(s, json!({"d1After": 1}));
    s.push(&client, &push_first)
        .assert_error(500, "InternalError");
    set_faults(s, json!({}));
    assert_eq!(issues_with(s, &first), 1, "the batch committed");
    assert_eq!(entries_of(s, &client), 1);
    // The client, not knowing, sends it again: acknowledged, not applied twice.
    let again = s.push(&client, &push_first);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["lastMutationId"], 1);
    assert_eq!(again.json()["rejected"], json!([]));
    assert_eq!(entries_of(s, &client), 1, "applied once");

    // Before the call: nothing ran, and the same push later applies.
    let second = Uuid::new_v4();
    let push_second = numbered(2, [create(&second, "tried during an outage")]);
    set_faults(s, json!({"d1Before": 1}));
    s.push(&client, &push_second)
        .assert_error(500, "InternalError");
    s.pull(&client, Some(0)).assert_error(500, "InternalError");
    set_faults(s, json!({}));
    assert_eq!(issues_with(s, &second), 0, "nothing ran");
    let applied = s.push(&client, &push_second);
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.json()["lastMutationId"], 2);

    // Slow answers change nothing but time; the log holds each change once.
    set_faults(s, json!({"delayMs": 50}));
    let pulled = s.pull(&client, Some(0));
    set_faults(s, json!({}));
    assert_eq!(pulled.status, 200, "{}", pulled.text);
    let ids: Vec<u64> = pulled.json()["mutations"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["id"].as_u64())
        .collect();
    assert_eq!(
        ids,
        vec![1, 2],
        "each of the client's changes once, in order"
    );

    // A socket dropped where it would have been poked: closed as a restart closes it, and the
    // change it missed is there for the pull its reconnection makes.
    let owner = s.owner();
    let listener = Uuid::new_v4();
    let mut socket = s.live_as(owner, &listener, &[]).expect("a socket");
    set_faults(s, json!({"socketDrop": 1}));
    let third = Uuid::new_v4();
    let pushed = s.push(
        &client,
        &numbered(3, [create(&third, "while a socket dropped")]),
    );
    assert_eq!(pushed.status, 200, "{}", pushed.text);
    let heard = socket.hear(std::time::Duration::from_secs(10));
    set_faults(s, json!({}));
    assert_eq!(
        heard,
        Heard::Closed(CLOSE_RESTART, "a fault injected for the tests".into())
    );
    // The server's log reaches its file a moment after the close (through wrangler's output).
    let logged = std::time::Instant::now();
    while s.log_count("fault: a live socket dropped") == 0 {
        assert!(
            logged.elapsed() < std::time::Duration::from_secs(20),
            "the drop is in the server's log"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(s.log_count("fault: a live socket dropped"), 1);
    let (entries, _) = s.pull_all(&listener, Some(0));
    assert!(
        entries
            .iter()
            .any(|entry| entry["args"]["id"] == json!(third)),
        "the missed change is in the log"
    );
}
