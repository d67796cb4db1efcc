//! What no single caller or entry may do to a deployment, against the real worker on a fresh local D1:
//! make it buffer a huge body, run a push from another site, echo its input back at length, make a
//! pull page too large to serve, or turn one push into more D1 calls than a free plan allows.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use sync_tests::{Server, create, numbered, server};
use uuid::Uuid;

fn push_body(client: &Uuid, mutations: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"clientId": client, "schemaVersion": 1, "mutations": mutations}))
        .unwrap()
}

fn last_mutation_id(server: &Server, client: &Uuid) -> u64 {
    let end = server.log_end();
    server.pull(client, Some(end)).ok()["lastMutationId"]
        .as_u64()
        .unwrap()
}

/// POSTs `megabytes` MiB of spaces chunked, with no `Content-Length`, over a plain socket (an HTTP
/// client library gives up on the request once the server stops reading), as fast as the server
/// reads it. Stops writing as soon as an answer arrives; returns the answer and how much was
/// written.
fn post_chunked(server: &Server, path: &str, megabytes: usize) -> (String, usize) {
    let host = server.url.trim_start_matches("http://");
    let auth: String = server
        .owner()
        .headers(None)
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let mut stream = TcpStream::connect(host).expect("connect");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{auth}\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .expect("send the head");
    stream.set_nonblocking(true).expect("non-blocking");
    let size = 64 * 1024;
    let mut frame = format!("{size:x}\r\n").into_bytes();
    frame.extend(std::iter::repeat_n(b' ', size));
    frame.extend_from_slice(b"\r\n");
    let mut answer = Vec::new();
    let mut written = 0;
    let mut pending: &[u8] = &[];
    let mut buf = [0u8; 4096];
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while (written < megabytes * 1024 * 1024 || !pending.is_empty())
        && std::time::Instant::now() < deadline
    {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => {
                answer.extend_from_slice(&buf[..n]);
                break;
            }
            _ => {}
        }
        if pending.is_empty() {
            pending = &frame;
            written += size;
        }
        match stream.write(pending) {
            Ok(n) => pending = &pending[n..],
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => break,
        }
    }
    stream.set_nonblocking(false).expect("blocking");
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    if answer.is_empty() {
        // Everything was written without an answer: end the body. (Once the server has answered,
        // writing more can only reset the connection before its answer is read.)
        let _ = stream.write_all(b"0\r\n\r\n");
    }
    // Read the head, then the body its Content-Length announces.
    while !complete(&answer) {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), written)
}

fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|length| body.len() >= length)
}

#[test]
fn a_body_without_a_length_is_cut_at_one_mebibyte() {
    let s = server();
    let (answer, written) = post_chunked(s, &s.api("push"), 64);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"error\":\"PayloadTooLarge\""), "{answer}");
    // It reads at most 16 MiB of a body too large (see worker/src/body.rs), then answers.
    assert!(
        written < 32 * 1024 * 1024,
        "the server answered before the whole body was sent ({written} bytes were)"
    );
    // The server is still there and well, at once.
    s.pull(&Uuid::new_v4(), None).ok();
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn only_json_bodies_are_taken_so_no_cross_site_form_can_push() {
    let s = server();
    let client = Uuid::new_v4();
    let body = push_body(
        &client,
        numbered(1, [create(&Uuid::new_v4(), "from a form")]),
    );
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| ("Content-Type", t))
            .into_iter()
            .collect();
        let reply = s.post_with(&s.api("push"), body.as_slice(), &headers);
        reply.assert_error(415, "UnsupportedMediaType");
    }
    let pull = serde_json::to_vec(&json!({"clientId": client, "schemaVersion": 1, "cookie": null}))
        .unwrap();
    s.post_with(
        &s.api("pull"),
        pull.as_slice(),
        &[("Content-Type", "text/plain")],
    )
    .assert_error(415, "UnsupportedMediaType");
    assert_eq!(last_mutation_id(s, &client), 0, "nothing was pushed");

    let reply = s.post_with(
        &s.api("push"),
        body.as_slice(),
        &[("Content-Type", "application/json; charset=utf-8")],
    );
    assert_eq!(reply.ok()["lastMutationId"], json!(1), "a charset is fine");
}

#[test]
fn a_request_a_browser_marks_cross_site_is_refused() {
    let s = server();
    let client = Uuid::new_v4();
    let body = push_body(
        &client,
        numbered(1, [create(&Uuid::new_v4(), "cross-site")]),
    );
    s.post(&s.api("push"), &body, &[("Sec-Fetch-Site", "cross-site")])
        .assert_error(403, "Forbidden");
    assert_eq!(last_mutation_id(s, &client), 0);
    let same = s.post(&s.api("push"), &body, &[("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(same.ok()["lastMutationId"], json!(1));
}

#[test]
fn every_answer_says_nosniff_and_quotes_at_most_200_characters_of_input() {
    let s = server();
    let ok = s.pull(&Uuid::new_v4(), None);
    let error = s.post(&s.api("pull"), b"{", &[]);
    for reply in [&ok, &error] {
        assert_eq!(reply.nosniff.as_deref(), Some("nosniff"), "{}", reply.text);
    }
    let long = "x".repeat(50_000);
    let client = Uuid::new_v4();
    let reply = s
        .push(&client, &numbered(1, [json!({"name": long, "args": {}})]))
        .ok();
    let message = reply["rejected"][0]["message"].as_str().unwrap();
    assert!(
        message.chars().count() <= 250,
        "{} characters",
        message.chars().count()
    );
    let status = s
        .push(
            &client,
            &numbered(
                2,
                [json!({"name": "updateIssueStatus",
            "args": {"id": Uuid::new_v4(), "status": long, "updatedAt": 1}})],
            ),
        )
        .ok();
    let message = status["rejected"][0]["message"].as_str().unwrap();
    assert!(
        message.chars().count() <= 300,
        "{} characters",
        message.chars().count()
    );
    let bad = s.post(
        &s.api("pull"),
        format!("{{\"schemaVersion\": 1, \"clientId\": \"{long}\"}}").as_bytes(),
        &[],
    );
    let message = bad.assert_error(400, "InvalidRequest");
    assert!(
        message.chars().count() <= 300,
        "{} characters",
        message.chars().count()
    );
    for version in [json!(long), json!([long]), json!({"v": long})] {
        let bad = s.post_json(
            &s.api("pull"),
            &json!({"schemaVersion": version, "clientId": Uuid::new_v4(), "cookie": null}),
        );
        let message = bad.assert_error(400, "InvalidRequest");
        assert!(
            message.chars().count() <= 300,
            "schemaVersion quoted in {} characters",
            message.chars().count()
        );
    }
}

#[test]
fn a_workspace_learns_nothing_of_another_from_log_positions_and_a_missing_one_is_refused() {
    let s = server();
    // Other workspaces write to the one log meanwhile (this binary's other tests, and this one).
    s.push(
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "elsewhere")]),
    )
    .ok();
    let own = s.setup("Quiet", "Quinn", None);
    let client = Uuid::new_v4();
    s.push_as(
        &own,
        &client,
        &numbered(1, [create(&Uuid::new_v4(), "ours")]),
    )
    .ok();
    s.push(
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "elsewhere, later")]),
    )
    .ok();
    let end = s.pull_as(&own, &client, Some(0)).ok()["cookie"]
        .as_u64()
        .unwrap();
    // A cookie past the workspace's own end is refused, and the message names only that end,
    // although the log as a whole goes further.
    let message = s
        .pull_as(&own, &client, Some(end + 1))
        .assert_error(409, "ClientStateNotFound");
    assert!(message.contains(&format!("({end})")), "{message}");
    assert!(s.log_end() > end, "other workspaces wrote after ours");
    let page = s.pull_as(&own, &client, Some(end)).ok();
    assert_eq!(page["mutations"], json!([]));

    // A workspace that does not exist: refused like any other that is not the caller's, never 500.
    let nowhere = own.in_workspace(Uuid::new_v4());
    for cookie in [None, Some(0), Some(end)] {
        s.pull_as(&nowhere, &client, cookie)
            .assert_error(403, "Forbidden");
    }
    s.push_as(
        &nowhere,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "lost")]),
    )
    .assert_error(403, "Forbidden");
}

#[test]
fn after_an_oversize_chunked_body_the_next_requests_are_served() {
    let s = server();
    for (path, status) in [
        ("/api/setup".to_owned(), 413),
        (s.api("push"), 413),
        ("/api/nowhere".to_owned(), 404),
    ] {
        let (answer, _) = post_chunked(s, &path, 3);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {answer}"
        );
        let app = s.get("/");
        assert_eq!(app.status, 200, "GET / after {path}: {}", app.text);
        let pull = s.pull(&Uuid::new_v4(), None);
        assert_eq!(pull.status, 200, "a pull after {path}: {}", pull.text);
    }
}

#[test]
fn control_characters_are_refused_with_the_field_named_and_nothing_changes() {
    let s = server();
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let reply = s
        .push(
            &client,
            &numbered(
                1,
                [json!({"name": "createIssue", "args": {"id": issue,
            "title": "t", "description": "\u{1}".repeat(10_000), "owner": "o", "createdAt": 1}})],
            ),
        )
        .ok();
    assert_eq!(reply["rejected"][0]["error"], json!("InvalidArgs"));
    let message = reply["rejected"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("description must not contain control characters"),
        "{message}"
    );
    assert!(sync_tests::issue_row(s, &issue).is_none());
}

#[test]
fn the_largest_entries_the_rules_allow_page_under_the_byte_cap() {
    let s = server();
    let big = |n: usize| "🦀".repeat(n);
    let client = Uuid::new_v4();
    let cookie = s.log_end();
    let total = 1000u64;
    let mut next = 1;
    while next <= total {
        // As many as fit in one 1 MiB body.
        let batch: Vec<Value> = (0..20.min(total + 1 - next))
            .map(|_| {
                json!({"name": "createIssue", "args": {"id": Uuid::new_v4(), "title": big(200),
                "description": big(10_000), "owner": big(100), "createdAt": 1}})
            })
            .collect();
        let n = batch.len() as u64;
        let reply = s.push(&client, &numbered(next, batch)).ok();
        assert_eq!(reply["rejected"], json!([]));
        next += n;
    }
    let mut at = cookie;
    let mut pages = 0;
    let mut entries = 0;
    loop {
        let reply = s.pull(&client, Some(at));
        let page = reply.ok();
        assert!(
            reply.text.len() <= shared::protocol::PULL_PAGE_BYTES + 64 * 1024,
            "a page of {} bytes",
            reply.text.len()
        );
        // Other tests write to the same log meanwhile: count this client's entries.
        entries += page["mutations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e.get("id").is_some())
            .count();
        pages += 1;
        at = page["cookie"].as_u64().unwrap();
        if page["hasMore"] == json!(false) {
            break;
        }
    }
    assert_eq!(entries as u64, total);
    assert!(
        pages >= 10,
        "{pages} pages: a page of these is about 100 entries"
    );
}

#[test]
fn a_push_that_would_take_too_many_d1_calls_stops_early_and_the_rest_follows() {
    // Every other mutation fails its statement (an id already taken), so the one-batch fast path
    // aborts and the careful path needs two D1 calls for each of those: far over 50 for 100.
    let s = server();
    let taken = Uuid::new_v4();
    s.push(&Uuid::new_v4(), &numbered(1, [create(&taken, "taken")]))
        .ok();
    let client = Uuid::new_v4();
    let mutations: Vec<Value> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                create(&Uuid::new_v4(), "fine")
            } else {
                create(&taken, "duplicate")
            }
        })
        .collect();
    let all = numbered(1, mutations);
    let mut done = 0;
    let mut rounds = 0;
    let mut rejected = Vec::new();
    while done < 100 {
        rounds += 1;
        assert!(rounds <= 10, "the push makes progress every time");
        // As a client does: resend what the server has not processed.
        let reply = s.push(&client, &all[done as usize..]).ok();
        let reached = reply["lastMutationId"].as_u64().unwrap();
        assert!(reached > done, "progress: {reached} after {done}");
        rejected.extend(
            reply["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_u64().unwrap()),
        );
        done = reached;
    }
    assert!(rounds > 1, "one invocation cannot have done it all");
    assert_eq!(rejected, (1..=50).map(|i| i * 2).collect::<Vec<u64>>());
    assert_eq!(last_mutation_id(s, &client), 100);
}
