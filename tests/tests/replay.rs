//! The log is the truth: 2,500 entries from three clients come back in three pages, and replaying
//! them through `shared` into an empty SQLite yields exactly the server's issue table. This binary has
//! its own server, so its log ids are exactly 1..=2500.

use serde_json::{Value, json};
use shared::{Actor, Mutation};
use sync_tests::{ISSUES_SQL, create, delete, numbered, rows, server, update_status, with_clients};
use uuid::Uuid;

/// Three clients' mutations: 2,500 that apply and 5 that are rejected.
fn workload() -> Vec<(Uuid, Vec<Value>)> {
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let created: Vec<Uuid> = (0..1000).map(|_| Uuid::new_v4()).collect();
    let a_mutations: Vec<Value> = created
        .iter()
        .enumerate()
        .map(|(i, id)| create(id, &format!("issue {i}")))
        .collect();
    let b_mutations: Vec<Value> = created
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            let status = ["in progress", "done"][i % 2];
            [
                json!({"name": "updateIssue", "args": {"id": id, "title": format!("renamed {i}"),
                       "owner": format!("owner {}", i % 7), "updatedAt": 2000 + i}}),
                update_status(id, status, 3000 + i as u64),
            ]
        })
        .take(1000)
        .collect();
    let mut c_mutations: Vec<Value> = created.iter().take(300).map(delete).collect();
    c_mutations.extend((0..200).map(|i| create(&Uuid::new_v4(), &format!("late {i}"))));
    for i in 0..5 {
        let bad = update_status(&created[900 + i], "blocked", 1);
        c_mutations.insert(100 * i + 50, bad);
    }
    vec![
        (a, numbered(1, a_mutations)),
        (b, numbered(1, b_mutations)),
        (c, numbered(1, c_mutations)),
    ]
}

#[test]
fn the_log_pages_and_replays_to_the_servers_issue_table() {
    let s = server();
    let clients = workload();
    // Interleave the clients' pushes of 100, so the log mixes them. B updates A's issues, so A goes
    // first in each round; C deletes some of A's first issues, which exist by its first push.
    let rounds = clients
        .iter()
        .map(|(_, m)| m.len().div_ceil(100))
        .max()
        .unwrap();
    let mut rejected = Vec::new();
    for round in 0..rounds {
        for (client, mutations) in &clients {
            let chunk: Vec<Value> = mutations
                .iter()
                .skip(round * 100)
                .take(100)
                .cloned()
                .collect();
            if chunk.is_empty() {
                continue;
            }
            let reply = s.push(client, &chunk).ok();
            assert_eq!(reply["lastMutationId"], chunk.last().unwrap()["id"]);
            rejected.extend(
                reply["rejected"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| (*client, r["id"].clone())),
            );
        }
    }
    let (c, _) = &clients[2];
    assert_eq!(
        rejected,
        (0..5)
            .map(|i| (*c, json!(100 * i + 51)))
            .collect::<Vec<_>>()
    );

    // Pull the whole log as C, a page at a time, from its start (no cookie at all would get a
    // snapshot of the rows instead).
    let mut pages = Vec::new();
    let mut cookie: Option<u64> = Some(0);
    loop {
        let page = s.pull(c, cookie).ok();
        cookie = page["cookie"].as_u64();
        let more = page["hasMore"] == json!(true);
        pages.push(page);
        if !more {
            break;
        }
    }
    let shape: Vec<(usize, u64, bool)> = pages
        .iter()
        .map(|p| {
            (
                p["mutations"].as_array().unwrap().len(),
                p["cookie"].as_u64().unwrap(),
                p["hasMore"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [(1000, 1000, true), (1000, 2000, true), (500, 2500, false)]
    );

    let pulled: Vec<Value> = pages
        .iter()
        .flat_map(|p| p["mutations"].as_array().unwrap().clone())
        .collect();
    for entry in &pulled {
        assert!(
            entry.get("clientId").is_none(),
            "no client ids leave the server"
        );
        assert_eq!(entry["memberId"], json!(s.owner().id), "the entry's author");
    }
    // Which client made each entry stays on the server; the test reads it from D1.
    let entries = with_clients(s, pulled);
    let log_ids: Vec<u64> = entries
        .iter()
        .map(|e| e["logId"].as_u64().unwrap())
        .collect();
    assert_eq!(log_ids, (1..=2500).collect::<Vec<_>>());

    // Each page's lastMutationId is C's as of that page's last entry; the last page's is C's newest,
    // rejections included.
    for (page, end) in pages.iter().zip([1000, 2000, 2500]) {
        let expected = entries
            .iter()
            .filter(|e| e["clientId"] == json!(c) && e["logId"].as_u64().unwrap() <= end)
            .map(|e| e["id"].as_u64().unwrap())
            .max()
            .unwrap_or(0);
        let expected = if end == 2500 { 505 } else { expected };
        assert_eq!(
            page["lastMutationId"],
            json!(expected),
            "page ending at {end}"
        );
    }

    // Every applied mutation exactly once, in each client's order; no rejected one.
    for (client, mutations) in &clients {
        let logged: Vec<u64> = entries
            .iter()
            .filter(|e| e["clientId"] == json!(client))
            .map(|e| e["id"].as_u64().unwrap())
            .collect();
        let expected: Vec<u64> = mutations
            .iter()
            .map(|m| m["id"].as_u64().unwrap())
            .filter(|id| !rejected.contains(&(*client, json!(id))))
            .collect();
        assert_eq!(logged, expected);
    }

    // Replay into an empty database through the shared mutators.
    let mut replica = rusqlite::Connection::open_in_memory().unwrap();
    shared::sqlite::migrate(&mut replica).unwrap();
    for entry in &entries {
        let mutation = Mutation::parse(entry["name"].as_str().unwrap(), &entry["args"])
            .unwrap_or_else(|err| panic!("a logged mutation must parse: {err}: {entry}"));
        let by = Actor::new(s.owner().workspace, s.owner().id);
        shared::sqlite::apply(&mut replica, &mutation, &by)
            .unwrap_or_else(|err| panic!("a logged mutation must apply: {err}: {entry}"));
    }
    let replayed = rows(&replica, ISSUES_SQL);
    assert_eq!(replayed.len(), 1000 - 300 + 200);
    assert_eq!(replayed, s.issues());
}
