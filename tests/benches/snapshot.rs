//! A new device's catch-up, natively through the protocol: today's replay of the log against the
//! snapshot, on a workspace of 10,000 issues whose log holds 20,000 entries (a create and an edit
//! each) and one whose log holds 200,000 (a create and 19 edits each), both under the same
//! `wrangler dev`. A native replica (the browser's engine, on rusqlite) pulls until it has everything;
//! the replay is the same replica sending cookie 0 where it would send none, which is what a new
//! device did before snapshots. Beside them: the bytes of the rows themselves, and the bytes on the
//! wire when the client accepts gzip (Workers compresses on its own).
//!
//! `cargo bench -p sync-tests --bench snapshot [-- --quick]` prints a markdown table (also written to
//! `target/bench/snapshot-native.md`).

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::json;
use shared::protocol::{PullRequest, PullResponse};
use shared::replica::{Replica, Storage};
use shared::server::applied_batch;
use shared::{Actor, Mutation};
use sync_tests::{Member, Server, transport};
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq)]
enum Way {
    Replay,
    Snapshot,
}

/// One column of the table: its heading, the median catch-up, bytes on the wire, the rows' bytes.
struct Column {
    heading: String,
    catch_up: CatchUp,
    wire: usize,
    rows: usize,
}

struct CatchUp {
    time: Duration,
    requests: usize,
    json_bytes: usize,
}

/// `len` characters of words picked by a small deterministic generator seeded with `n`: text that
/// compresses about as prose does, not a repeated pattern.
fn text(n: usize, len: usize) -> String {
    const WORDS: [&str; 32] = [
        "sync", "replica", "issue", "cookie", "server", "client", "the", "a", "of", "when",
        "pending", "mutation", "log", "page", "push", "pull", "after", "before", "while", "status",
        "owner", "worker", "browser", "offline", "change", "title", "should", "never", "again",
        "edit", "list", "tab",
    ];
    let mut state = (n as u64)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut out = String::with_capacity(len + 12);
    while out.len() < len {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.push_str(WORDS[(state >> 59) as usize]);
        out.push(' ');
    }
    out.truncate(len);
    out
}

/// `issues` issues, each created then edited `edits` times, written straight into the local D1 file
/// with the server's own batches (as if pushed, only faster), as `by`'s client.
fn seed(s: &Server, by: &Member, issues: usize, edits: usize) {
    let actor = Actor::new(by.workspace, by.id);
    let client = Uuid::new_v4();
    let ids: Vec<Uuid> = (0..issues).map(|_| Uuid::new_v4()).collect();
    s.with_d1(|conn| {
        let tx = conn.transaction().expect("a transaction");
        let mut next = 1;
        let mut apply = |name: &str, args: serde_json::Value| {
            let mutation = Mutation::parse(name, &args).expect("valid");
            shared::sqlite::execute(&tx, &applied_batch(&actor, &client, next, &mutation))
                .expect("applies");
            next += 1;
        };
        for (n, id) in ids.iter().enumerate() {
            apply(
                "createIssue",
                json!({"id": id, "title": format!("Issue {n}: {}", text(n, 50)), "description": text(n, 500),
                       "owner": "Ada Lovelace", "createdAt": 1_764_000_000_000u64 + n as u64}),
            );
        }
        for edit in 1..=edits {
            for (n, id) in ids.iter().enumerate() {
                apply(
                    "updateIssue",
                    json!({"id": id, "title": format!("Issue {n}, edit {edit}: {}", text(n, 40)),
                           "updatedAt": 1_764_000_100_000u64 + edit as u64}),
                );
            }
        }
        tx.commit().expect("commit");
    });
}

/// A new device of `by` pulls until it has everything.
fn catch_up(s: &Server, by: &Member, way: Way) -> CatchUp {
    let mut replica =
        Replica::open(&Storage::Memory, Actor::new(by.workspace, by.id)).expect("open");
    let started = Instant::now();
    let mut requests = 0;
    let mut json_bytes = 0;
    loop {
        let (ticket, mut request) = replica.next_pull().expect("a pull");
        if way == Way::Replay && request.cookie == Some(None) {
            request.cookie = Some(Some(0));
        }
        let response = transport::pull(s, by, &request).expect("answered");
        requests += 1;
        json_bytes += serde_json::to_vec(&response).expect("json").len();
        let outcome = replica.pull_succeeded(ticket, &response).expect("applies");
        if !outcome.has_more {
            break;
        }
    }
    let time = started.elapsed();
    assert!(
        !replica
            .issues(&Default::default())
            .expect("rows")
            .is_empty()
    );
    CatchUp {
        time,
        requests,
        json_bytes,
    }
}

/// The same requests with `Accept-Encoding: gzip`: the bytes on the wire.
fn wire_bytes(s: &Server, by: &Member, way: Way) -> usize {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut request = PullRequest {
        client_id: Uuid::new_v4(),
        schema_version: shared::protocol::SCHEMA_VERSION,
        cookie: Some(if way == Way::Replay { Some(0) } else { None }),
        snapshot: None,
    };
    let mut wire = 0;
    loop {
        let body = serde_json::to_vec(&request).expect("json");
        let send = |gzip: bool| {
            let mut call = agent
                .post(&format!("{}{}", s.url, by.api("pull")))
                .header("Content-Type", "application/json");
            for (name, value) in by.headers(None) {
                call = call.header(name, value);
            }
            if gzip {
                call = call.header("Accept-Encoding", "gzip");
            }
            let mut bytes = Vec::new();
            call.send(&body[..])
                .expect("reaches the server")
                .body_mut()
                .as_reader()
                .read_to_end(&mut bytes)
                .expect("the body");
            bytes
        };
        wire += send(true).len();
        let response: PullResponse = serde_json::from_slice(&send(false)).expect("a pull answer");
        if !response.has_more {
            return wire;
        }
        match response.snapshot.and_then(|page| page.next) {
            Some(next) => request.snapshot = Some(next),
            None => {
                request.snapshot = None;
                request.cookie = Some(Some(response.cookie));
            }
        }
    }
}

/// The bytes of the workspace's rows themselves: every column's value as text.
fn row_bytes(s: &Server, workspace: &Uuid) -> usize {
    let rows = s.sql(&format!(
        "SELECT SUM(length(id) + length(title) + length(description) + length(owner) + length(status) \
         + length(created_at) + length(updated_at) + COALESCE(length(created_by), 0) \
         + COALESCE(length(updated_by), 0)) AS bytes FROM issue WHERE workspace_id = '{workspace}'"
    ));
    rows[0]["bytes"].as_u64().expect("bytes") as usize
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mb(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (issues, runs) = if quick { (500, 1) } else { (10_000, 5) };
    let s = Server::start_with_vars(&["MEMBER_DAILY_MUTATIONS:1000000000"]);
    let small = s.setup("Two entries an issue", "Ada", None);
    let large = s.setup("Twenty entries an issue", "Ada", None);
    seed(&s, &small, issues, 1);
    seed(&s, &large, issues, 19);

    let mut columns = Vec::new();
    for (way, label) in [(Way::Replay, "replay"), (Way::Snapshot, "snapshot")] {
        for (by, entries) in [(&small, issues * 2), (&large, issues * 20)] {
            let mut samples: Vec<CatchUp> = (0..runs).map(|_| catch_up(&s, by, way)).collect();
            samples.sort_by_key(|c| c.time);
            let median = samples.swap_remove(samples.len() / 2);
            let wire = wire_bytes(&s, by, way);
            let rows = row_bytes(&s, &by.workspace);
            eprintln!(
                "bench snapshot: {label}, {entries} entries: {:?}",
                median.time
            );
            columns.push(Column {
                heading: format!("{label}, {entries} entries"),
                catch_up: median,
                wire,
                rows,
            });
        }
    }
    let cell =
        |f: &dyn Fn(&Column) -> String| columns.iter().map(f).collect::<Vec<_>>().join(" | ");
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let mut out = format!(
        "A new device catches up on a workspace of {issues} issues through `wrangler dev`, a native \
         replica applying every answer (medians of {runs}):\n\n| new device, {issues} issues | {} |\n| --- |{}\n",
        cell(&|c| c.heading.clone()),
        " --- |".repeat(columns.len())
    );
    out += &format!(
        "| time to everything | {} |\n",
        cell(&|c| ms(c.catch_up.time))
    );
    out += &format!(
        "| pull requests | {} |\n",
        cell(&|c| c.catch_up.requests.to_string())
    );
    out += &format!(
        "| bytes of JSON (x the rows' own bytes) | {} |\n",
        cell(&|c| format!(
            "{} ({:.2}x)",
            mb(c.catch_up.json_bytes),
            c.catch_up.json_bytes as f64 / c.rows as f64
        ))
    );
    out += &format!(
        "| bytes on the wire, gzip (x the rows' own bytes) | {} |\n",
        cell(&|c| format!("{} ({:.2}x)", mb(c.wire), c.wire as f64 / c.rows as f64))
    );
    out += &format!(
        "\nTime on 20 entries an issue against 2: replay {:.2}x, snapshot {:.2}x. Snapshot against \
         replay at 20 an issue: {:.1}x faster, {:.1}x fewer bytes of JSON. The rows' own bytes: \
         every column's value as text ({}).\n",
        ratio(columns[1].catch_up.time, columns[0].catch_up.time),
        ratio(columns[3].catch_up.time, columns[2].catch_up.time),
        ratio(columns[1].catch_up.time, columns[3].catch_up.time),
        columns[1].catch_up.json_bytes as f64 / columns[3].catch_up.json_bytes as f64,
        mb(columns[0].rows)
    );
    print!("{out}");
    let dir = sync_tests::root().join("target/bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        std::fs::write(dir.join("snapshot-native.md"), &out).ok();
    }
}
