//! Push and pull against the real worker in workerd, on a fresh local D1: every rule of protocol v1.

use serde_json::{Value, json};
use sync_tests::{
    Server, create, delete, issue_row, numbered, server, update_status, with_clients,
};
use uuid::Uuid;

/// The entries of `client` in the log after `cookie`.
fn my_entries(server: &Server, client: &Uuid, cookie: u64) -> Vec<Value> {
    let (entries, _) = server.pull_all(&Uuid::new_v4(), Some(cookie));
    with_clients(server, entries)
        .into_iter()
        .filter(|e| e["clientId"] == json!(client))
        .collect()
}

fn last_mutation_id(server: &Server, client: &Uuid) -> u64 {
    let cookie = server.log_end();
    server.pull(client, Some(cookie)).ok()["lastMutationId"]
        .as_u64()
        .expect("lastMutationId")
}

#[test]
fn each_mutation_applies_through_push_and_comes_back_in_pull() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let cookie = s.log_end();

    let reply = s
        .push(&client, &numbered(1, [create(&issue, "  First issue ")]))
        .ok();
    assert_eq!(reply, json!({"lastMutationId": 1, "rejected": []}));
    assert_eq!(
        issue_row(s, &issue),
        Some(
            json!({"id": issue, "title": "First issue", "description": "", "owner": "tester",
                    "status": "not started", "created_at": 1_764_000_000_000u64,
                    "updated_at": 1_764_000_000_000u64})
        )
    );

    let update = json!({"name": "updateIssue", "args": {"id": issue, "title": "Renamed",
                        "description": "Now with details", "owner": "grace", "updatedAt": 1_764_000_000_500u64}});
    let reply = s
        .push(
            &client,
            &numbered(
                2,
                [
                    update,
                    update_status(&issue, "in progress", 1_764_000_000_600),
                ],
            ),
        )
        .ok();
    assert_eq!(reply, json!({"lastMutationId": 3, "rejected": []}));
    assert_eq!(
        issue_row(s, &issue),
        Some(
            json!({"id": issue, "title": "Renamed", "description": "Now with details", "owner": "grace",
                    "status": "in progress", "created_at": 1_764_000_000_000u64,
                    "updated_at": 1_764_000_000_600u64})
        )
    );

    let reply = s.push(&client, &numbered(4, [delete(&issue)])).ok();
    assert_eq!(reply["lastMutationId"], json!(4));
    assert_eq!(issue_row(s, &issue), None);

    let page = s.pull(&client, Some(cookie)).ok();
    assert_eq!(page["lastMutationId"], json!(4));
    assert_eq!(page["hasMore"], json!(false));
    // A pull marks the puller's own entries with their mutation ids.
    let mine: Vec<&Value> = page["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("id").is_some())
        .collect();
    let summary: Vec<(u64, &str)> = mine
        .iter()
        .map(|e| (e["id"].as_u64().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "createIssue"),
            (2, "updateIssue"),
            (3, "updateIssueStatus"),
            (4, "deleteIssue")
        ]
    );
    assert_eq!(
        mine[0]["args"]["title"],
        json!("First issue"),
        "the log holds the normalised args"
    );
    assert_eq!(mine[3]["args"], json!({"id": issue}));
    let log_ids: Vec<u64> = mine.iter().map(|e| e["logId"].as_u64().unwrap()).collect();
    assert!(log_ids.windows(2).all(|w| w[0] < w[1]) && log_ids[0] > cookie);
    assert_eq!(
        page["cookie"],
        page["mutations"].as_array().unwrap().last().unwrap()["logId"]
    );
}

#[test]
fn the_same_push_sent_twice_applies_once() {
    let s = server();
    let client = Uuid::new_v4();
    let cookie = s.log_end();
    let issue = Uuid::new_v4();
    let batch = numbered(
        1,
        [create(&issue, "once"), update_status(&issue, "done", 5)],
    );
    assert_eq!(
        s.push(&client, &batch).ok(),
        json!({"lastMutationId": 2, "rejected": []})
    );
    assert_eq!(
        s.push(&client, &batch).ok(),
        json!({"lastMutationId": 2, "rejected": []})
    );
    // A retry that overlaps what was processed and adds one more.
    let mut overlapping = batch.clone();
    overlapping.extend(numbered(3, [update_status(&issue, "in progress", 6)]));
    assert_eq!(
        s.push(&client, &overlapping).ok()["lastMutationId"],
        json!(3)
    );
    let ids: Vec<u64> = my_entries(s, &client, cookie)
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        issue_row(s, &issue).unwrap()["status"],
        json!("in progress")
    );
}

#[test]
fn concurrent_identical_pushes_apply_once() {
    let s = server();
    let client = Uuid::new_v4();
    let cookie = s.log_end();
    let issues: Vec<Uuid> = (0..20).map(|_| Uuid::new_v4()).collect();
    let batch = numbered(1, issues.iter().map(|id| create(id, "raced")));
    let replies: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| s.push(&client, &batch).ok()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for reply in &replies {
        assert_eq!(reply["lastMutationId"], json!(20), "{reply}");
        assert_eq!(
            reply["rejected"],
            json!([]),
            "a lost race is not a rejection: {reply}"
        );
    }
    let ids: Vec<u64> = my_entries(s, &client, cookie)
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ids,
        (1..=20).collect::<Vec<_>>(),
        "each mutation logged exactly once, in order"
    );
    let listed = issues
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows = s.sql(&format!(
        "SELECT COUNT(*) AS n FROM issue WHERE id IN ({listed})"
    ));
    assert_eq!(rows[0]["n"], json!(20));
}

#[test]
fn a_gap_in_ids_means_the_server_lost_the_client_and_changes_nothing() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let message = s
        .push(&client, &numbered(2, [create(&issue, "gap")]))
        .assert_error(409, "ClientStateNotFound");
    assert!(
        message.contains("lastMutationId for this client is 0"),
        "{message}"
    );
    assert_eq!(issue_row(s, &issue), None);
    s.push(&client, &numbered(1, [create(&Uuid::new_v4(), "first")]))
        .ok();
    s.push(&client, &numbered(5, [create(&issue, "gap")]))
        .assert_error(409, "ClientStateNotFound");
    assert_eq!(issue_row(s, &issue), None);
    assert_eq!(last_mutation_id(s, &client), 1);
}

#[test]
fn rejected_mutations_are_listed_advance_last_mutation_id_and_change_nothing() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    s.push(&client, &numbered(1, [create(&issue, "original")]))
        .ok();
    let before = issue_row(s, &issue);
    let cookie = s.log_end();

    let bad = [
        (
            json!({"name": "dropEverything", "args": {}}),
            "UnknownMutation",
        ),
        (json!({"name": "updateIssue"}), "InvalidArgs"),
        (
            json!({"name": "updateIssue", "args": {"id": issue, "title": 42, "updatedAt": 1}}),
            "InvalidArgs",
        ),
        (
            json!({"name": "updateIssue", "args": {"id": issue, "title": "", "updatedAt": 1}}),
            "InvalidArgs",
        ),
        (
            json!({"name": "updateIssue", "args": {"id": issue, "title": "x".repeat(201), "updatedAt": 1}}),
            "InvalidArgs",
        ),
        (
            json!({"name": "updateIssueStatus", "args": {"id": issue, "status": "blocked", "updatedAt": 1}}),
            "InvalidArgs",
        ),
        (
            json!({"name": "updateIssueStatus", "args": {"id": issue, "updatedAt": 1}}),
            "InvalidArgs",
        ),
        (
            json!({"name": "createIssue", "args": {"id": issue, "title": "dup", "description": "",
                "owner": "o", "createdAt": 1}}),
            "StatementFailed",
        ),
    ];
    let mut mutations = numbered(2, bad.iter().map(|(m, _)| m.clone()));
    // A valid mutation behind them: the queue is never blocked.
    mutations.extend(numbered(10, [update_status(&issue, "done", 7)]));
    let reply = s.push(&client, &mutations).ok();
    assert_eq!(reply["lastMutationId"], json!(10));
    let rejected = reply["rejected"].as_array().unwrap();
    let codes: Vec<(u64, &str)> = rejected
        .iter()
        .map(|r| (r["id"].as_u64().unwrap(), r["error"].as_str().unwrap()))
        .collect();
    let expected: Vec<(u64, &str)> = bad
        .iter()
        .zip(2..)
        .map(|((_, code), id)| (id, *code))
        .collect();
    assert_eq!(codes, expected);
    assert_eq!(
        rejected[0]["message"],
        json!("unknown mutation `dropEverything`")
    );
    assert!(
        rejected[3]["message"]
            .as_str()
            .unwrap()
            .contains("title must be 1 to 200 characters")
    );
    assert!(rejected[4]["message"].as_str().unwrap().contains("got 201"));
    assert!(
        rejected[5]["message"]
            .as_str()
            .unwrap()
            .contains("unknown variant `blocked`")
    );
    assert!(
        rejected[7]["message"]
            .as_str()
            .unwrap()
            .ends_with("already exists"),
        "a duplicate id is said in the domain's words: {}",
        rejected[7]["message"]
    );

    let mut after = before.clone().unwrap();
    after["status"] = json!("done");
    after["updated_at"] = json!(7);
    assert_eq!(
        issue_row(s, &issue),
        Some(after),
        "only the valid mutation changed the row"
    );
    let logged: Vec<u64> = my_entries(s, &client, cookie)
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(logged, [10], "rejected mutations are not in the log");
    assert_eq!(last_mutation_id(s, &client), 10);
}

#[test]
fn bad_requests_get_their_error_codes_and_change_nothing() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    s.push(&client, &numbered(1, [create(&issue, "kept")])).ok();
    let next = numbered(2, [delete(&issue)]);

    s.post(&s.api("push"), b"{\"clientId\": ", &[])
        .assert_error(400, "InvalidRequest");
    s.post(&s.api("pull"), b"not json", &[])
        .assert_error(400, "InvalidRequest");
    s.post_json(
        &s.api("push"),
        &json!({"clientId": "nope", "schemaVersion": 1, "mutations": next}),
    )
    .assert_error(400, "InvalidRequest");
    s.post_json(
        &s.api("push"),
        &json!({"clientId": client, "schemaVersion": 5, "mutations": next}),
    )
    .assert_error(409, "VersionNotSupported");
    s.post_json(
        &s.api("pull"),
        &json!({"clientId": client, "schemaVersion": 99, "cookie": null}),
    )
    .assert_error(409, "VersionNotSupported");
    let mut skipping = next.clone();
    skipping.extend(numbered(4, [create(&Uuid::new_v4(), "x")]));
    s.push(&client, &skipping)
        .assert_error(400, "InvalidRequest");

    let hundred_and_one = numbered(2, (0..101).map(|_| create(&Uuid::new_v4(), "x")));
    s.push(&client, &hundred_and_one)
        .assert_error(413, "PayloadTooLarge");
    let mut huge = numbered(2, [delete(&issue)]);
    huge[0]["args"]["padding"] = json!("x".repeat(1536 * 1024));
    let message = s.push(&client, &huge).assert_error(413, "PayloadTooLarge");
    assert!(message.contains("limit is 1048576"), "{message}");

    assert!(issue_row(s, &issue).is_some(), "nothing was deleted");
    assert_eq!(last_mutation_id(s, &client), 1);
}

#[test]
fn hostile_and_unicode_strings_round_trip_byte_for_byte() {
    let s = server();
    let client = Uuid::new_v4();
    let cookie = s.log_end();
    let texts = [
        "'); DROP TABLE issue; --",
        "\"double\" and 'single' quotes, back\\slash, %_ wildcards",
        "emoji 🐛🚀 👩‍💻 and a flag 🇺🇦",
        "עברית עם ‏סימן‏ ו-العربية مرحبا",
        "\u{202E}override\u{202C} \u{200B}zero-width: tab\tnewline\r\n",
    ];
    let issues: Vec<Uuid> = texts.iter().map(|_| Uuid::new_v4()).collect();
    let mutations: Vec<Value> = texts
        .iter()
        .zip(&issues)
        .map(|(text, id)| {
            json!({"name": "createIssue", "args": {"id": id, "title": text.trim(), "description": text,
                   "owner": "Zoë 🦀", "createdAt": 1}})
        })
        .collect();
    assert_eq!(
        s.push(&client, &numbered(1, mutations)).ok()["rejected"],
        json!([])
    );
    let entries = my_entries(s, &client, cookie);
    for ((text, id), entry) in texts.iter().zip(&issues).zip(&entries) {
        assert_eq!(entry["args"]["description"], json!(text));
        assert_eq!(entry["args"]["title"], json!(text.trim()));
        let row = issue_row(s, id).unwrap();
        assert_eq!(row["description"], json!(text));
        assert_eq!(row["title"], json!(text.trim()));
        assert_eq!(row["owner"], json!("Zoë 🦀"));
    }
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'issue'")[0]["n"],
        json!(1)
    );
}

#[test]
fn a_cookie_beyond_the_log_means_the_server_was_reset() {
    let s = server();
    let end = s.log_end();
    let message = s
        .pull(&Uuid::new_v4(), Some(end + 1_000_000))
        .assert_error(409, "ClientStateNotFound");
    assert!(
        message.contains("beyond the end of this workspace's log"),
        "{message}"
    );
    // At the end itself the pull is valid; other tests may have appended meanwhile.
    let at_end = s.pull(&Uuid::new_v4(), Some(end)).ok();
    assert!(at_end["cookie"].as_u64().unwrap() >= end);
    for entry in at_end["mutations"].as_array().unwrap() {
        assert!(entry["logId"].as_u64().unwrap() > end);
    }
}

#[test]
fn the_http_cookie_carries_the_cursor_when_the_body_has_none() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    s.push(&client, &numbered(1, [create(&issue, "one")])).ok();
    let cookie = s.log_end();
    s.push(&client, &numbered(2, [update_status(&issue, "done", 2)]))
        .ok();

    let body = json!({"clientId": client, "schemaVersion": shared::protocol::SCHEMA_VERSION});
    let bytes = serde_json::to_vec(&body).unwrap();
    let reply = s.post(
        &s.api("pull"),
        &bytes,
        &[("Cookie", &format!("theme=dark; lastLogId={cookie}"))],
    );
    let page = reply.ok();
    let first = &page["mutations"][0];
    assert_eq!(first["logId"].as_u64().unwrap(), cookie + 1);
    let set_cookie = reply.set_cookie.expect("Set-Cookie");
    assert_eq!(
        set_cookie,
        format!(
            "lastLogId={}; HttpOnly; SameSite=Strict; Path=/api/workspaces/{}",
            page["cookie"],
            s.owner().workspace
        )
    );

    // A body cookie wins over the HTTP cookie; `null` starts over, from a snapshot of the rows.
    let mut with_body = body.clone();
    with_body["cookie"] = json!(cookie);
    let page = s
        .post(
            &s.api("pull"),
            &serde_json::to_vec(&with_body).unwrap(),
            &[("Cookie", "lastLogId=0")],
        )
        .ok();
    assert_eq!(page["mutations"][0]["logId"].as_u64().unwrap(), cookie + 1);
    with_body["cookie"] = Value::Null;
    let page = s
        .post(
            &s.api("pull"),
            &serde_json::to_vec(&with_body).unwrap(),
            &[("Cookie", &format!("lastLogId={cookie}"))],
        )
        .ok();
    assert_eq!(page["snapshot"]["reset"], json!(true));
    assert_eq!(page["mutations"], json!([]));
    let rows = page["snapshot"]["issues"].as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|row| row["id"] == json!(issue) && row["status"] == "done")
    );

    s.post(&s.api("pull"), &bytes, &[("Cookie", "lastLogId=abc")])
        .assert_error(400, "InvalidRequest");
}

#[test]
fn unknown_routes_and_methods_answer_json() {
    let s = server();
    s.get("/api/nothing-here").assert_error(404, "NotFound");
    s.post("/api/issues", b"{}", &[])
        .assert_error(404, "NotFound");
    s.get(&s.api("push")).assert_error(405, "MethodNotAllowed");
    s.get(&s.api("pull")).assert_error(405, "MethodNotAllowed");
}

#[test]
fn the_app_is_served_from_the_same_origin() {
    let s = server();
    let page = s.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.text.contains("/boot.js"), "{}", page.text);
    assert!(s.get("/boot.js").text.contains("/pkg/app.js"));
    let script = s.get("/pkg/app.js");
    assert_eq!(script.status, 200);
    assert!(
        script.content_type.contains("javascript"),
        "{}",
        script.content_type
    );
    // A deep link falls back to the app (single-page application), not to the API's 404.
    let deep = s.get("/issues/some-id?status=done");
    assert_eq!(deep.status, 200);
    assert!(deep.text.contains("/boot.js"));
}

#[test]
fn a_push_that_finds_the_database_locked_for_a_moment_waits_and_applies() {
    // A server of its own: the lock would hold up every other test's requests too.
    let own = Server::start(true);
    let s = &own;
    // Signed in and set up before the lock: only the push meets it.
    s.push(
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "before the lock")]),
    )
    .ok();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    s.with_d1(|conn| {
        // Another process holds the write lock for 300 ms, as the tests' own writes to the file do.
        conn.execute_batch("BEGIN IMMEDIATE")
            .expect("the write lock");
        std::thread::scope(|scope| {
            let push =
                scope.spawn(|| s.push(&client, &numbered(1, [create(&issue, "while locked")])));
            std::thread::sleep(std::time::Duration::from_millis(300));
            conn.execute_batch("COMMIT").expect("the lock let go");
            let reply = push.join().expect("the push answers");
            assert_eq!(reply.status, 200, "{}", reply.text);
        });
    });
    assert!(
        issue_row(s, &issue).is_some(),
        "applied once the lock was let go"
    );
}

/// A read that meets the database locked (another process writing the local D1's file, as the
/// tests' own writes do) is tried again: D1 answers such a read with an opaque internal error, and a
/// read changes nothing. Both the pull's batch and the session's and membership's lookups read.
#[test]
fn a_pull_that_finds_the_database_locked_for_a_moment_waits_and_answers() {
    // A server of its own: the lock would hold up every other test's requests too.
    let own = Server::start(true);
    let s = &own;
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let pushed = s.push(&client, &numbered(1, [create(&issue, "before the lock")]));
    assert_eq!(pushed.status, 200, "{}", pushed.text);
    s.with_d1(|conn| {
        // Another process holds the file for 300 ms, readers shut out too.
        conn.execute_batch("BEGIN EXCLUSIVE")
            .expect("the exclusive lock");
        std::thread::scope(|scope| {
            let pull = scope.spawn(|| s.pull(&client, None));
            std::thread::sleep(std::time::Duration::from_millis(300));
            conn.execute_batch("COMMIT").expect("the lock let go");
            let reply = pull.join().expect("the pull answers");
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert!(reply.text.contains("before the lock"), "{}", reply.text);
        });
    });
}
