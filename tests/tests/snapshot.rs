//! Snapshot pulls and compaction against the real worker under `wrangler dev` on a local D1: snapshot
//! pages with pushes between every two of them add up to the server's table; a cookie below the
//! horizon gets the reset and keeps its client id; compaction (fired as the Cron Trigger fires it)
//! keeps every entry above the horizon and stays within its D1 calls; bad cursors are refused.

use serde_json::{Value, json};
use shared::Actor;
use shared::protocol::PullResponse;
use shared::replica::{Replica, Storage};
use sync_tests::{Member, Server, create, delete, numbered, replica_rows, server, transport};
use uuid::Uuid;

fn actor(member: &Member) -> Actor {
    Actor::new(member.workspace, member.id)
}

/// A description of about 10 KB, so that a few hundred issues fill a 4 MiB snapshot page.
fn long_text(n: usize) -> String {
    format!("{n} ").repeat(10_000 / (n.to_string().len() + 1))[..9_990].to_owned()
}

/// A client of `by` that pushes raw mutations, numbering them itself.
struct Pusher {
    by: Member,
    client: Uuid,
    next: u64,
}

impl Pusher {
    fn new(by: &Member) -> Pusher {
        Pusher {
            by: by.clone(),
            client: Uuid::new_v4(),
            next: 1,
        }
    }

    fn push(&mut self, s: &Server, mutations: Vec<Value>) -> Value {
        let count = mutations.len() as u64;
        let reply = s
            .push_as(&self.by, &self.client, &numbered(self.next, mutations))
            .ok();
        self.next += count;
        assert_eq!(reply["rejected"], json!([]), "every mutation applied");
        reply
    }
}

/// Sends the replica's next pull and applies the answer.
fn pull(s: &Server, by: &Member, replica: &mut Replica) -> Option<PullResponse> {
    let (ticket, request) = replica.next_pull()?;
    let response = transport::pull(s, by, &request).expect("the pull is answered");
    replica
        .pull_succeeded(ticket, &response)
        .expect("the answer applies");
    Some(response)
}

/// Pushes what the replica has pending and pulls until it has everything.
fn sync(s: &Server, by: &Member, replica: &mut Replica) {
    while let Some((ticket, request)) = replica.next_push().expect("the next push") {
        let response = transport::push(s, by, &request).expect("the push is answered");
        assert_eq!(response.rejected, []);
        replica.push_succeeded(ticket, &response);
    }
    while let Some(response) = pull(s, by, replica) {
        if !response.has_more {
            break;
        }
    }
}

fn logged(s: &Server, client: &Uuid) -> Vec<Value> {
    s.sql(&format!(
        "SELECT mutation_id, COUNT(*) AS times FROM mutation_log WHERE client_id = '{client}' \
         GROUP BY mutation_id ORDER BY mutation_id"
    ))
}

#[test]
fn snapshot_pages_with_pushes_between_them_equal_the_server_table() {
    let s = server();
    let owner = s.setup("Snapshot pages", "Ada", None);
    let mut other = Pusher::new(&owner);
    let mut ids: Vec<Uuid> = (0..1_000).map(|_| Uuid::new_v4()).collect();
    for (chunk_at, chunk) in ids.chunks(50).enumerate() {
        let mutations = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let n = chunk_at * 50 + i;
                let mut m = create(id, &format!("issue {n}"));
                m["args"]["description"] = json!(long_text(n));
                // Times with ties, so pages cut on both parts of the key.
                m["args"]["createdAt"] = json!(1_764_000_000_000u64 + (n % 37) as u64);
                m
            })
            .collect();
        other.push(s, mutations);
    }
    let mut replica = Replica::open(&Storage::Memory, actor(&owner)).expect("a replica");
    let mine = Uuid::new_v4();
    replica
        .mutate(
            "createIssue",
            &create(&mine, "made before the first pull")["args"],
            1,
        )
        .expect("a local change");

    let mut rng = fastrand::Rng::with_seed(11);
    let mut pages = 0;
    loop {
        let response = pull(s, &owner, &mut replica).expect("a pull");
        let Some(page) = &response.snapshot else {
            panic!("a new replica gets a snapshot, then the log");
        };
        pages += 1;
        if page.next.is_none() {
            break;
        }
        // Between every two pages: creates, edits and deletes, of rows already read and still to come.
        let mut changes: Vec<Value> = (0..5)
            .map(|_| {
                let id = Uuid::new_v4();
                ids.push(id);
                let mut m = create(&id, "made between pages");
                m["args"]["createdAt"] = json!(1_764_000_000_000u64 + rng.u64(0..40));
                m
            })
            .collect();
        for _ in 0..5 {
            let id = ids[rng.usize(0..ids.len())];
            changes.push(json!({"name": "updateIssue", "args": {"id": id,
                "title": format!("edited {}", rng.u32(..)), "updatedAt": 1_764_000_001_000u64}}));
        }
        for _ in 0..3 {
            let id = ids.swap_remove(rng.usize(0..ids.len()));
            changes.push(delete(&id));
        }
        other.push(s, changes);
    }
    assert!(pages >= 3, "the rows took {pages} pages");
    sync(s, &owner, &mut replica);
    let table = s.issues_in(&owner.workspace);
    assert_eq!(table.len(), ids.len() + 1);
    assert_eq!(
        replica_rows(replica.base_issues().expect("base")),
        table,
        "base equals the server's table"
    );
    assert_eq!(
        replica_rows(replica.issues(&Default::default()).expect("optimistic")),
        table
    );
    assert_eq!(
        logged(s, &replica.client_id()),
        [json!({"mutation_id": 1, "times": 1})],
        "the change made before the snapshot landed once"
    );
}

#[test]
fn a_bad_snapshot_cursor_is_refused_with_a_code_and_changes_nothing() {
    let s = server();
    let owner = s.setup("Bad cursors", "Ada", None);
    let mut pusher = Pusher::new(&owner);
    pusher.push(s, vec![create(&Uuid::new_v4(), "one")]);
    let pull = |body: Value| s.send_as(Some(&owner), "POST", &owner.api("pull"), &body);
    let base = json!({"clientId": Uuid::new_v4(), "schemaVersion": 1, "cookie": null});
    let with = |cursor: Value| {
        let mut body = base.clone();
        body["snapshot"] = cursor;
        body
    };
    // Just after the issue in the list's order (it was made at ...000): the next page holds it.
    let after = json!({"createdAt": 1_764_000_000_001u64, "id": Uuid::nil()});
    let good = json!({"cookie": 1, "table": "issue", "after": after});
    let bad_after = |after: Value| json!({"cookie": 1, "table": "issue", "after": after});
    for (cursor, why) in [
        (
            json!({"cookie": 1, "table": "comment", "after": after}),
            "an unknown table",
        ),
        (
            bad_after(json!({"createdAt": 1, "id": "not a uuid"})),
            "a key that is not an id",
        ),
        (
            bad_after(json!({"id": Uuid::nil()})),
            "a key without its time",
        ),
        (
            bad_after(json!({"createdAt": 9_007_199_254_740_992u64, "id": Uuid::nil()})),
            "a time past 2^53",
        ),
        (
            bad_after(json!({"createdAt": 1, "id": Uuid::nil(), "rank": 2})),
            "an unknown field in the key",
        ),
        (bad_after(json!(Uuid::nil())), "a bare id"),
        (json!({"cookie": 1, "table": "issue"}), "no key"),
        (
            json!({"cookie": -1, "table": "issue", "after": after}),
            "a negative cookie",
        ),
        (
            json!({"cookie": 9_007_199_254_740_992u64, "table": "issue", "after": after}),
            "a cookie past 2^53",
        ),
        (
            json!({"cookie": 1, "table": "issue", "after": after, "limit": 5}),
            "an unknown field",
        ),
        (json!("issue:0"), "not an object"),
    ] {
        let message = pull(with(cursor)).assert_error(400, "InvalidRequest");
        assert!(!message.is_empty(), "{why}");
    }
    // A cursor whose cookie is beyond the log: a server that was reset.
    let mut beyond = good.clone();
    beyond["cookie"] = json!(1u64 << 50);
    pull(with(beyond)).assert_error(409, "ClientStateNotFound");
    // Someone else's workspace through a good cursor: still only a member's.
    let stranger = s.setup("Elsewhere", "Eve", None);
    s.send_as(
        Some(&stranger),
        "POST",
        &owner.api("pull"),
        &with(good.clone()),
    )
    .assert_error(403, "Forbidden");
    // Nothing changed: the workspace's table and log are as they were, and a good cursor still reads.
    assert_eq!(s.issues_in(&owner.workspace).len(), 1);
    let cookie = pull(base.clone()).ok()["cookie"].clone();
    let mut fine = good;
    fine["cookie"] = cookie;
    let page = pull(with(fine)).ok();
    assert_eq!(page["snapshot"]["reset"], json!(false));
    assert_eq!(
        page["snapshot"]["issues"].as_array().map(Vec::len),
        Some(1),
        "the issue, made before that key's time"
    );
}

#[test]
fn a_cookie_below_the_horizon_gets_the_reset_and_keeps_its_client_id() {
    let s = Server::start_with_vars(&["LOG_RETENTION_DAYS:0"]);
    let owner = s.setup("Away", "Ada", None);
    let mut replica = Replica::open(&Storage::Memory, actor(&owner)).expect("a replica");
    let first = Uuid::new_v4();
    replica
        .mutate("createIssue", &create(&first, "before")["args"], 1)
        .expect("a change");
    sync(&s, &owner, &mut replica);
    let client = replica.client_id();
    let cookie = replica.cookie().expect("a cookie");

    // Away while others work and the log is compacted; changes made offline.
    let mut other = Pusher::new(&owner);
    let theirs = Uuid::new_v4();
    other.push(&s, vec![create(&theirs, "theirs"), delete(&first)]);
    let offline = Uuid::new_v4();
    replica
        .mutate("createIssue", &create(&offline, "offline")["args"], 2)
        .expect("an offline change");
    let run = s.compact();
    assert_eq!(run["entries_deleted"], json!(3), "{run}");
    assert!(s.horizon_of(&owner.workspace) > cookie);

    let (ticket, request) = replica.next_pull().expect("a pull");
    let response = transport::pull(&s, &owner, &request).expect("answered, not refused");
    let page = response.snapshot.as_ref().expect("a snapshot");
    assert!(page.reset, "the reset");
    assert_eq!(
        response.last_mutation_id, 1,
        "its first change is in the rows"
    );
    let ids: Vec<Uuid> = page.issues.iter().map(|issue| issue.id).collect();
    assert_eq!(ids, [theirs]);
    replica
        .pull_succeeded(ticket, &response)
        .expect("the snapshot applies");
    assert_eq!(replica.client_id(), client, "the same client id");
    assert!(
        replica.issue(offline).expect("read").is_some(),
        "the pending change is still shown"
    );

    // Its queue goes on from where it was: no ClientStateNotFound, no renumbering.
    sync(&s, &owner, &mut replica);
    assert_eq!(replica.client_id(), client);
    assert_eq!(
        logged(&s, &client),
        [json!({"mutation_id": 2, "times": 1})],
        "the offline change landed once, as mutation 2 (mutation 1's entry was compacted)"
    );
    assert_eq!(
        replica_rows(replica.base_issues().expect("base")),
        s.issues_in(&owner.workspace)
    );
}

#[test]
fn compaction_keeps_every_entry_above_the_horizon_and_stays_within_its_calls() {
    let s = Server::start_with_vars(&[
        "LOG_RETENTION_DAYS:0",
        "CLIENT_RETENTION_DAYS:0",
        "COMPACTION_MAX_CALLS:3",
        "COMPACTION_BATCH:10",
    ]);
    let owner = s.setup("Compacted", "Ada", None);
    let mut pusher = Pusher::new(&owner);
    for _ in 0..5 {
        pusher.push(&s, (0..10).map(|_| create(&Uuid::new_v4(), "x")).collect());
    }
    let ids = |s: &Server| -> Vec<u64> {
        s.sql("SELECT id FROM mutation_log ORDER BY id")
            .iter()
            .map(|row| row["id"].as_u64().expect("an id"))
            .collect()
    };
    let before = ids(&s);
    assert_eq!(before.len(), 50);
    let mut runs = 0;
    loop {
        let run = s.compact();
        runs += 1;
        assert!(run["d1_calls"].as_u64().expect("calls") <= 3, "{run}");
        // The pusher's client, quiet since before the first run, is forgotten by it.
        assert_eq!(run["clients_deleted"], json!(u64::from(runs == 1)), "{run}");
        let horizon = s.horizon_of(&owner.workspace);
        let left = ids(&s);
        assert_eq!(
            left,
            before
                .iter()
                .copied()
                .filter(|id| *id > horizon)
                .collect::<Vec<_>>(),
            "exactly the entries above the horizon are left"
        );
        // A pull from the horizon reads them all; one from below it gets a snapshot.
        let (entries, _) = s.pull_all_as(&owner, &Uuid::new_v4(), Some(horizon));
        assert_eq!(entries.len(), left.len());
        if horizon > 0 {
            let below = s.pull_as(&owner, &Uuid::new_v4(), Some(horizon - 1)).ok();
            assert_eq!(below["snapshot"]["reset"], json!(true));
        }
        if run["finished"] == json!(1) {
            break;
        }
        assert_eq!(
            run["entries_deleted"],
            json!(20),
            "two steps and the closing call: {run}"
        );
        assert!(runs < 10);
    }
    assert_eq!(runs, 3, "50 entries, 20 a run");
    assert!(ids(&s).is_empty());
    // With nothing left, a cookie at the horizon is still a valid place to pull from.
    let horizon = s.horizon_of(&owner.workspace);
    assert_eq!(horizon, before[49]);
    let page = s.pull_as(&owner, &Uuid::new_v4(), Some(horizon)).ok();
    assert_eq!(
        (page["cookie"].clone(), page.get("snapshot")),
        (json!(horizon), None)
    );
}

#[test]
fn a_compaction_setting_that_does_not_parse_changes_nothing() {
    let s = Server::start_with_vars(&["LOG_RETENTION_DAYS:thirty"]);
    let owner = s.setup("Misconfigured", "Ada", None);
    let mut pusher = Pusher::new(&owner);
    pusher.push(&s, vec![create(&Uuid::new_v4(), "kept")]);
    let reply = s.get("/__scheduled?cron=17+3+*+*+*");
    assert_eq!(reply.status, 200, "the event ran: {}", reply.text);
    // wrangler writes the worker's console to its log a moment later.
    let named = (0..50).any(|_| {
        let found = s
            .log_tail()
            .contains("LOG_RETENTION_DAYS must be a number of days");
        if !found {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        found
    });
    assert!(named, "the log names the var: {}", s.log_tail());
    assert!(
        s.sql(shared::compaction::SELECT_RUNS).is_empty(),
        "no run recorded"
    );
    assert_eq!(
        s.sql("SELECT id FROM mutation_log").len(),
        1,
        "nothing deleted"
    );
    assert_eq!(s.horizon_of(&owner.workspace), 0);
}

#[test]
fn every_snapshot_page_stays_under_its_cap_whatever_one_issue_holds() {
    use shared::protocol::{
        MAX_LABELS, MAX_THREAD_BYTES, SNAPSHOT_PAGE_BYTES, SNAPSHOT_ROW_OVERHEAD_BYTES,
    };
    let s = server();
    let owner = s.setup("Full", "Ada", None);
    let mut pusher = Pusher::new(&owner);
    // Issues with long descriptions fill the pages; the fullest one is the newest, on the first.
    for chunk in 0..4 {
        pusher.push(
            s,
            (0..50)
                .map(|i| {
                    json!({"name": "createIssue", "args": {"id": Uuid::new_v4(), "title": "filler",
                    "description": long_text(chunk * 50 + i), "owner": "Ada", "createdAt": 1_000 + i}})
                })
                .collect(),
        );
    }
    let full = Uuid::new_v4();
    pusher.push(
        s,
        vec![
            json!({"name": "createIssue", "args": {"id": full, "title": "🦀".repeat(200),
        "description": "🦀".repeat(10_000), "owner": "🦀".repeat(100), "createdAt": 9_000_000}}),
        ],
    );
    // Comments of the largest size until the thread is full: 40,000 bytes of text each.
    let body = "🦀".repeat(10_000);
    let comment = |id: Uuid, body: &str| json!({"name": "addComment", "args": {"id": id, "issueId": full, "body": body, "createdAt": 2}});
    let fits = MAX_THREAD_BYTES / (body.len() + SNAPSHOT_ROW_OVERHEAD_BYTES);
    let ids: Vec<Uuid> = (0..fits).map(|_| Uuid::new_v4()).collect();
    for chunk in ids.chunks(20) {
        pusher.push(s, chunk.iter().map(|id| comment(*id, &body)).collect());
    }
    let refused = |mutation: Value, pusher: &mut Pusher| {
        let reply = s
            .push_as(&owner, &pusher.client, &numbered(pusher.next, [mutation]))
            .ok();
        pusher.next += 1;
        assert_eq!(
            reply["rejected"][0]["error"],
            json!("StatementFailed"),
            "{reply}"
        );
        reply["rejected"][0]["message"].as_str().unwrap().to_owned()
    };
    let message = refused(comment(Uuid::new_v4(), &body), &mut pusher);
    assert!(message.contains("comments are at their limit"), "{message}");
    // Editing a comment counts its new text in place of the old: shrinking one makes room, and
    // growing it back past the cap is refused.
    let edit = |body: &str| json!({"name": "editComment", "args": {"id": ids[0], "issueId": full, "body": body, "editedAt": 3}});
    pusher.push(s, vec![edit("short now")]);
    pusher.push(s, vec![comment(Uuid::new_v4(), &body)]);
    let message = refused(edit(&body), &mut pusher);
    assert!(message.contains("comments are at their limit"), "{message}");

    // As many labels as a workspace may have, each with the longest name, all on the full issue.
    let labels: Vec<Uuid> = (0..MAX_LABELS).map(|_| Uuid::new_v4()).collect();
    for (n, chunk) in labels.chunks(100).enumerate() {
        pusher.push(
            s,
            chunk
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let name = format!("{:03}{}", n * 100 + i, "🦀".repeat(37));
                    json!({"name": "createLabel", "args": {"id": id, "name": name, "color": "#aabbcc", "createdAt": 4}})
                })
                .collect(),
        );
        pusher.push(
            s,
            chunk
                .iter()
                .map(|id| json!({"name": "addIssueLabel", "args": {"issueId": full, "labelId": id, "updatedAt": 5}}))
                .collect(),
        );
    }
    let message = refused(
        json!({"name": "createLabel", "args": {"id": Uuid::new_v4(), "name": "one too many", "color": "#aabbcc", "createdAt": 6}}),
        &mut pusher,
    );
    assert!(message.contains("as many labels as it may"), "{message}");

    // A new device's snapshot, page by page: each under the cap, the full issue whole on the first.
    let client = Uuid::new_v4();
    let mut cursor = Value::Null;
    let mut pages = Vec::new();
    loop {
        let mut body = json!({"clientId": client, "schemaVersion": 2, "cookie": null});
        if !cursor.is_null() {
            body["snapshot"] = cursor.clone();
        }
        let reply = s.send_as(Some(&owner), "POST", &owner.api("pull"), &body);
        let page = reply.ok();
        assert!(
            reply.text.len() <= SNAPSHOT_PAGE_BYTES,
            "page {} is {} bytes",
            pages.len() + 1,
            reply.text.len()
        );
        cursor = page["snapshot"]["next"].clone();
        pages.push(page);
        if cursor.is_null() {
            break;
        }
    }
    let first = &pages[0]["snapshot"];
    assert_eq!(first["issues"][0]["id"], json!(full));
    assert_eq!(first["labels"].as_array().map(Vec::len), Some(MAX_LABELS));
    let on_full = |what: &str, key: &str| {
        first[what]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row[key] == json!(full))
            .count()
    };
    assert_eq!(on_full("comments", "issueId"), fits + 1);
    assert_eq!(on_full("issueLabels", "issueId"), MAX_LABELS);
    let issues: usize = pages
        .iter()
        .map(|page| page["snapshot"]["issues"].as_array().unwrap().len())
        .sum();
    assert_eq!(issues, 201, "every issue came");
    assert!(pages.len() >= 2, "{} pages", pages.len());
}
