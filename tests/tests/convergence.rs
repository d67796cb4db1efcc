//! Four replicas of one workspace, two of each of its two members, a few hundred random mutations each
//! on a small shared set of issues, pushed and
//! pulled through a transport that loses requests before and after the server, delivers answers twice
//! or late, while replicas are closed and reopened from their files. After a final sync every
//! replica's base and optimistic state equal the server's issue table (authors included), and the log
//! holds every mutation a replica accepted, exactly once, as the member who made it.
//!
//! Compaction fires at random between steps and before each round of the final sync, deleting the
//! whole log (`LOG_RETENTION_DAYS=0`), so replicas keep falling below the horizon and come back
//! through snapshots; one replica is away, making changes offline, across two compactions. "Exactly
//! once" is checked against every entry the log ever held (read before each compaction).
//!
//! The server runs with its rate limits on: the transport waits out each `429` as the engine does.
//!
//! Seeded: set CONVERGENCE_SEED to replay a run; the seed is printed first (and on failure).

use std::path::PathBuf;

use serde_json::{Value, json};
use shared::Actor;
use shared::protocol::{PullResponse, PushResponse};
use shared::replica::{IssueFilter, Replica, Storage, SyncFailure, Ticket};
use sync_tests::{Member, Server, numbered, replica_rows, transport};
use uuid::Uuid;

const REPLICAS: usize = 4;
/// The only rejection a valid mutation may meet: a comment on an issue someone deleted meanwhile.
const ISSUE_MISSING: &str = "the issue does not exist (it may have been deleted)";
const COMMENT_MISSING: &str = "the comment does not exist (it may have been deleted)";
const CHANGED_SINCE: &str =
    "someone changed this since: undoing would overwrite their change, so nothing was undone";

/// Rejections reported to the replicas: `(client id, mutation id)` and the message.
type Rejected = std::collections::BTreeSet<(Uuid, u64, String)>;
const MUTATIONS_EACH: usize = 300;

/// An answer held back by the transport, to deliver later.
enum Late {
    Push(Ticket, PushResponse),
    Pull(Ticket, PullResponse),
}

struct Client {
    member: Member,
    storage: Storage,
    replica: Replica,
    late: Vec<Late>,
    /// `(client id, mutation id)` of every mutation this replica accepted.
    accepted: Vec<(Uuid, u64)>,
    /// `(comment, issue)` of the comments this replica's member wrote (they may edit them).
    comments: Vec<(Uuid, Uuid)>,
}

/// What a random mutation should meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Valid,
    Invalid,
    /// Valid, but refused if its issue is gone (locally, or by the time the server sees it).
    UnlessIssueGone,
    /// An undo: refused if its issue is gone or a field it reverts changed since.
    UnlessChangedSince,
    /// A reaction to a comment: refused if the issue or the comment is gone.
    UnlessCommentGone,
}

impl Client {
    fn reopen(&mut self) {
        self.replica =
            Replica::open(&self.storage, actor(&self.member)).expect("reopen from files");
    }
}

/// What the transport does to one request.
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    /// Lost before the server: it never saw the request.
    DropRequest,
    /// The server processed it; the answer was lost.
    DropResponse,
    /// The answer arrives twice.
    Duplicate,
    /// The caller gave up (timed out) and the answer arrives much later.
    LateAfterTimeout,
    /// The answer is held back while other things happen, then delivered.
    Held,
}

fn fault(rng: &mut fastrand::Rng) -> Fault {
    match rng.u32(0..100) {
        0..10 => Fault::DropRequest,
        10..20 => Fault::DropResponse,
        20..28 => Fault::Duplicate,
        28..36 => Fault::LateAfterTimeout,
        36..44 => Fault::Held,
        _ => Fault::None,
    }
}

/// This binary's server, with the rate limits on as in a deployment, and compaction taking every
/// entry logged before it runs.
fn limited() -> &'static Server {
    static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| Server::start_limited(&["LOG_RETENTION_DAYS:0"]))
}

/// Every entry of the workspace's log, by log id: `(client id, mutation id, member id)`.
type Logged = std::collections::BTreeMap<u64, (Uuid, u64, Uuid)>;

/// Adds what the workspace's log holds now to `seen`: the clients' entries, not compaction's own
/// (`deleteIssue` of what it removed from the trash, checked by the rows).
fn read_log(s: &Server, workspace: &Uuid, seen: &mut Logged) {
    let rows = s.sql(&format!(
        "SELECT id, client_id, mutation_id, member_id FROM mutation_log WHERE workspace_id = '{workspace}' \
         AND client_id <> '{}'",
        shared::compaction::COMPACTION_CLIENT
    ));
    for row in rows {
        let entry = (
            Uuid::parse_str(row["client_id"].as_str().unwrap()).unwrap(),
            row["mutation_id"].as_u64().unwrap(),
            Uuid::parse_str(row["member_id"].as_str().unwrap()).unwrap(),
        );
        seen.insert(row["id"].as_u64().unwrap(), entry);
    }
}

/// Compaction, as the Cron Trigger runs it, once the log it will delete has been read.
fn compact(s: &Server, workspace: &Uuid, seen: &mut Logged) {
    read_log(s, workspace, seen);
    let run = s.compact();
    assert_eq!(run["finished"], json!(1), "{run}");
}

/// The replica that goes away, and when.
const AWAY: usize = 3;
const LEAVES_AT_STEP: usize = 400;

fn actor(member: &Member) -> Actor {
    Actor::new(member.workspace, member.id)
}

fn lost() -> SyncFailure {
    SyncFailure::Network("lost by the test's transport".into())
}

fn push(s: &Server, c: &mut Client, fault: Fault, rejected: &mut Rejected) {
    let Some((ticket, request)) = c.replica.next_push().expect("next push") else {
        return;
    };
    if let Fault::DropRequest = fault {
        c.replica.push_failed(ticket, &lost()).expect("push failed");
        return;
    }
    let answer = transport::push(s, &c.member, &request);
    let response = match answer {
        Ok(response) => response,
        Err(failure) => {
            c.replica
                .push_failed(ticket, &failure)
                .expect("push failed");
            return;
        }
    };
    rejected.extend(
        response
            .rejected
            .iter()
            .map(|r| (c.replica.client_id(), r.id, r.message.clone())),
    );
    match fault {
        Fault::DropResponse => {
            c.replica.push_failed(ticket, &lost()).expect("push failed");
        }
        Fault::Duplicate => {
            c.replica.push_succeeded(ticket, &response);
            c.replica.push_succeeded(ticket, &response);
        }
        Fault::LateAfterTimeout => {
            c.replica.push_failed(ticket, &lost()).expect("push failed");
            c.late.push(Late::Push(ticket, response));
        }
        Fault::Held => c.late.push(Late::Push(ticket, response)),
        Fault::None | Fault::DropRequest => {
            c.replica.push_succeeded(ticket, &response);
        }
    }
}

/// One pull; returns whether the server has more.
fn pull(s: &Server, c: &mut Client, fault: Fault, rejected: &mut Rejected) -> bool {
    let Some((ticket, request)) = c.replica.next_pull() else {
        return false;
    };
    if let Fault::DropRequest = fault {
        c.replica.pull_failed(ticket, &lost()).expect("pull failed");
        return false;
    }
    let response = match transport::pull(s, &c.member, &request) {
        Ok(response) => response,
        Err(failure) => {
            c.replica
                .pull_failed(ticket, &failure)
                .expect("pull failed");
            return false;
        }
    };
    let mut apply = |replica: &mut Replica| {
        let outcome = replica
            .pull_succeeded(ticket, &response)
            .expect("a pull applies");
        let client = replica.client_id();
        rejected.extend(
            outcome
                .rejected
                .iter()
                .map(|r| (client, r.id, r.message.clone())),
        );
        outcome.has_more && !outcome.stale
    };
    match fault {
        Fault::DropResponse => {
            c.replica.pull_failed(ticket, &lost()).expect("pull failed");
            false
        }
        Fault::Duplicate => {
            let more = apply(&mut c.replica);
            let again = c
                .replica
                .pull_succeeded(ticket, &response)
                .expect("a duplicate is harmless");
            assert!(again.stale, "a duplicate pull answer must be ignored");
            more
        }
        Fault::LateAfterTimeout => {
            c.replica.pull_failed(ticket, &lost()).expect("pull failed");
            c.late.push(Late::Pull(ticket, response));
            false
        }
        Fault::Held => {
            c.late.push(Late::Pull(ticket, response));
            false
        }
        Fault::None | Fault::DropRequest => apply(&mut c.replica),
    }
}

fn deliver_late(c: &mut Client, rng: &mut fastrand::Rng, rejected: &mut Rejected) {
    if c.late.is_empty() {
        return;
    }
    match c.late.remove(rng.usize(0..c.late.len())) {
        Late::Push(ticket, response) => {
            c.replica.push_succeeded(ticket, &response);
        }
        Late::Pull(ticket, response) => {
            let outcome = c
                .replica
                .pull_succeeded(ticket, &response)
                .expect("a late pull answer is harmless");
            rejected.extend(
                outcome
                    .rejected
                    .iter()
                    .map(|r| (c.replica.client_id(), r.id, r.message.clone())),
            );
        }
    }
}

fn random_mutation(
    rng: &mut fastrand::Rng,
    issues: &mut Vec<Uuid>,
    labels: &[Uuid],
    comments: &mut Vec<(Uuid, Uuid)>,
    people: &[Uuid],
    now: u64,
) -> (&'static str, Value, Expect) {
    let statuses = ["not started", "in progress", "done"];
    let priorities = ["none", "low", "medium", "high", "urgent"];
    // Half the time one of the first ten issues: many mutations meet on the same rows.
    let pick = |rng: &mut fastrand::Rng, issues: &[Uuid]| {
        let hot = if rng.bool() {
            issues.len().min(10)
        } else {
            issues.len()
        };
        issues[rng.usize(0..hot)]
    };
    let valid = |name, args| (name, args, Expect::Valid);
    match rng.u32(0..100) {
        _ if issues.len() < 3 => create(rng, issues, now),
        0..12 => create(rng, issues, now),
        12..27 => {
            let id = pick(rng, issues);
            let mut args = json!({"id": id, "updatedAt": now});
            if rng.bool() {
                args["title"] = json!(format!("title {}", rng.u32(..)));
            }
            if rng.bool() {
                args["description"] = json!("x".repeat(rng.usize(0..50)));
            }
            if rng.u32(0..4) == 0 {
                args["owner"] = json!(format!("owner {}", rng.u32(0..5)));
            }
            valid("updateIssue", args)
        }
        27..42 => {
            let id = pick(rng, issues);
            let status = statuses[rng.usize(0..3)];
            valid(
                "updateIssueStatus",
                json!({"id": id, "status": status, "updatedAt": now}),
            )
        }
        // Half to the trash, half for good (as a client of schema version 2 deletes).
        42..50 if rng.bool() => valid(
            "deleteIssue",
            json!({"id": pick(rng, issues), "deletedAt": now}),
        ),
        42..50 => valid("deleteIssue", json!({"id": pick(rng, issues)})),
        50..56 => valid(
            "setIssuePriority",
            json!({"id": pick(rng, issues), "priority": priorities[rng.usize(0..5)], "updatedAt": now}),
        ),
        56..61 => valid(
            "assignIssue",
            json!({"id": pick(rng, issues), "assignee": if rng.bool() { json!(new_id(rng)) } else { json!(null) }, "updatedAt": now}),
        ),
        61..68 => valid(
            "addIssueLabel",
            json!({"issueId": pick(rng, issues), "labelId": labels[rng.usize(0..labels.len())], "updatedAt": now}),
        ),
        68..73 => valid(
            "removeIssueLabel",
            json!({"issueId": pick(rng, issues), "labelId": labels[rng.usize(0..labels.len())], "updatedAt": now}),
        ),
        73..76 => valid(
            "updateLabel",
            json!({"id": labels[rng.usize(0..labels.len())], "color": format!("#{:06x}", rng.u32(0..0x100_0000))}),
        ),
        76..83 => {
            let (id, issue) = (new_id(rng), pick(rng, issues));
            comments.push((id, issue));
            // Some mention someone: the mention rows follow the text.
            let body = match rng.u32(0..3) {
                0 => format!(
                    "comment {} [@someone](mention:{})",
                    rng.u32(..),
                    people[rng.usize(0..people.len())]
                ),
                _ => format!("comment {}", rng.u32(..)),
            };
            (
                "addComment",
                json!({"id": id, "issueId": issue, "body": body, "createdAt": now}),
                Expect::UnlessIssueGone,
            )
        }
        83..88 if !comments.is_empty() => {
            let (id, issue) = comments[rng.usize(0..comments.len())];
            if rng.bool() {
                valid(
                    "editComment",
                    json!({"id": id, "issueId": issue, "body": format!("edited {}", rng.u32(..)), "editedAt": now}),
                )
            } else {
                valid("deleteComment", json!({"id": id, "issueId": issue}))
            }
        }
        88..90 => (
            "restoreIssue",
            json!({"id": pick(rng, issues), "restoredAt": now}),
            Expect::UnlessIssueGone,
        ),
        // Reactions, on an issue or a comment, on and off; now and then a name that is not one.
        90..93 => {
            let emoji = ["+1", "heart", "rocket", "eyes"][rng.usize(0..4)];
            let on = rng.bool();
            match rng.u32(0..8) {
                0 => (
                    "setReaction",
                    json!({"issueId": pick(rng, issues), "emoji": "party", "on": true, "at": now}),
                    Expect::Invalid,
                ),
                1..4 if !comments.is_empty() => {
                    let (id, issue) = comments[rng.usize(0..comments.len())];
                    (
                        "setReaction",
                        json!({"issueId": issue, "commentId": id, "emoji": emoji, "on": on, "at": now}),
                        if on {
                            Expect::UnlessCommentGone
                        } else {
                            Expect::Valid
                        },
                    )
                }
                _ => (
                    "setReaction",
                    json!({"issueId": pick(rng, issues), "emoji": emoji, "on": on, "at": now}),
                    if on {
                        Expect::UnlessIssueGone
                    } else {
                        Expect::Valid
                    },
                ),
            }
        }
        // The member's own: following an issue, and reading their inbox.
        93 => (
            "setSubscription",
            json!({"issueId": pick(rng, issues), "subscribed": rng.bool(), "at": now}),
            Expect::UnlessIssueGone,
        ),
        94 if rng.bool() => valid("markInboxRead", json!({"at": now})),
        94 => valid(
            "markInboxRead",
            json!({"issueId": pick(rng, issues), "at": now}),
        ),
        95 => {
            // An undo as the app makes them: often refused, as someone changed the field since.
            let status = |rng: &mut fastrand::Rng| statuses[rng.usize(0..3)];
            let mut args = json!({"id": pick(rng, issues), "updatedAt": now,
                                  "status": {"from": status(rng), "to": status(rng)}});
            if rng.bool() {
                args["priority"] = json!({"from": priorities[rng.usize(0..5)], "to": "high"});
            }
            ("revertIssue", args, Expect::UnlessChangedSince)
        }
        96..98 => (
            "updateIssue",
            json!({"id": pick(rng, issues), "title": "   ", "updatedAt": now}),
            Expect::Invalid,
        ),
        _ => (
            "updateIssueStatus",
            json!({"id": pick(rng, issues), "status": "blocked", "updatedAt": now}),
            Expect::Invalid,
        ),
    }
}

/// A random v4 UUID from the test's generator, so a run replays.
fn new_id(rng: &mut fastrand::Rng) -> Uuid {
    let id = Uuid::from_u64_pair(rng.u64(..), rng.u64(..));
    uuid::Builder::from_random_bytes(*id.as_bytes()).into_uuid()
}

fn create(
    rng: &mut fastrand::Rng,
    issues: &mut Vec<Uuid>,
    now: u64,
) -> (&'static str, Value, Expect) {
    let id = new_id(rng);
    issues.push(id);
    let args = json!({"id": id, "title": format!("issue {}", issues.len()), "description": "",
                      "owner": "tester", "createdAt": now});
    ("createIssue", args, Expect::Valid)
}

/// How many rows of `table` are the workspace's.
fn c_count(s: &Server, table: &str, workspace: &Uuid) -> u64 {
    s.sql(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE workspace_id = '{workspace}'"
    ))[0]["n"]
        .as_u64()
        .unwrap_or(0)
}

/// Equal tables, or a short account of the first difference.
fn assert_same_rows(actual: Vec<Value>, expected: &[Value], what: &str) {
    if actual == expected {
        return;
    }
    let first = actual
        .iter()
        .zip(expected)
        .find(|(a, e)| a != e)
        .map(|(a, e)| format!("first difference:\n  has  {a}\n  want {e}"))
        .unwrap_or_default();
    panic!(
        "{what} differs from the server: {} rows against {}; {first}",
        actual.len(),
        expected.len()
    );
}

fn run(seed: u64) {
    let s = limited();
    let mut rng = fastrand::Rng::with_seed(seed);
    let owner = s.setup("Convergence", "Ada", None);
    let member = s.join(&owner, "Grace");
    let dirs: Vec<PathBuf> = (0..REPLICAS)
        .map(|i| s.persist.join(format!("replica-{i}")))
        .collect();
    let mut clients: Vec<Client> = dirs
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let storage = Storage::Directory(dir.clone());
            let member = if i % 2 == 0 { &owner } else { &member };
            let replica = Replica::open(&storage, actor(member)).expect("open a replica");
            Client {
                member: member.clone(),
                storage,
                replica,
                late: Vec::new(),
                accepted: Vec::new(),
                comments: Vec::new(),
            }
        })
        .collect();
    // The labels the replicas put on and take off issues (and recolour), made before they start.
    let labels: Vec<Uuid> = (0..3).map(|_| new_id(&mut rng)).collect();
    let made_labels = labels.iter().enumerate().map(|(n, id)| {
        json!({"name": "createLabel", "args": {"id": id, "name": format!("label {n}"), "color": "#336699", "createdAt": n}})
    });
    let labels_client = Uuid::new_v4();
    s.push_as(&owner, &labels_client, &numbered(1, made_labels))
        .ok();
    let mut issues: Vec<Uuid> = Vec::new();
    // Whom comments mention.
    let people = [owner.id, member.id];
    let mut rejected = Rejected::new();
    let mut made = [0usize; REPLICAS];
    let mut now = 1_764_000_000_000u64;
    let mut seen = Logged::new();
    let mut compactions = 0;
    let mut step = 0;
    // While away: the compaction count when the replica left and its cookie then.
    let mut away: Option<(usize, Option<u64>)> = None;
    let mut came_back_below_horizon = false;

    for c in &mut clients {
        while pull(s, c, Fault::None, &mut rejected) {}
    }
    while made.iter().any(|&n| n < MUTATIONS_EACH) {
        step += 1;
        if step == LEAVES_AT_STEP {
            away = Some((compactions, clients[AWAY].replica.cookie()));
        }
        if rng.u32(0..100) == 0 {
            compact(s, &owner.workspace, &mut seen);
            compactions += 1;
        }
        if let Some((left_at, cookie)) = away
            && compactions >= left_at + 2
        {
            // Back after two compactions: below the horizon, with changes made offline.
            let horizon = s.horizon_of(&owner.workspace);
            came_back_below_horizon = cookie.is_some_and(|c| c < horizon)
                && clients[AWAY].replica.pending_count().unwrap() > 0;
            away = None;
        }
        let i = rng.usize(0..REPLICAS);
        let c = &mut clients[i];
        now += 1;
        let roll = rng.u32(0..100);
        if away.is_some() && i == AWAY && roll >= 45 {
            // Away: no network, so it only makes changes.
            continue;
        }
        match roll {
            0..45 if made[i] < MUTATIONS_EACH => {
                made[i] += 1;
                let (name, args, expect) = random_mutation(
                    &mut rng,
                    &mut issues,
                    &labels,
                    &mut c.comments,
                    &people,
                    now,
                );
                let before = c.replica.pending_count().unwrap();
                match c.replica.mutate(name, &args, now) {
                    Ok(m) => {
                        assert_ne!(
                            expect,
                            Expect::Invalid,
                            "an invalid mutation was accepted: {name} {args}"
                        );
                        c.accepted.push((c.replica.client_id(), m.id));
                    }
                    Err(err) => {
                        match expect {
                            Expect::Valid => {
                                panic!("a valid mutation was refused: {name} {args}: {err}")
                            }
                            Expect::Invalid => {
                                assert_eq!(err.code(), Some(shared::ErrorCode::InvalidArgs))
                            }
                            Expect::UnlessIssueGone => assert_eq!(err.to_string(), ISSUE_MISSING),
                            Expect::UnlessChangedSince => assert!(
                                [ISSUE_MISSING, CHANGED_SINCE].contains(&err.to_string().as_str()),
                                "{err}"
                            ),
                            Expect::UnlessCommentGone => assert!(
                                [ISSUE_MISSING, COMMENT_MISSING]
                                    .contains(&err.to_string().as_str()),
                                "{err}"
                            ),
                        }
                        assert_eq!(c.replica.pending_count().unwrap(), before, "nothing queued");
                    }
                }
            }
            45..65 => push(s, c, fault(&mut rng), &mut rejected),
            65..88 => {
                pull(s, c, fault(&mut rng), &mut rejected);
            }
            88..97 => deliver_late(c, &mut rng, &mut rejected),
            97..100 => c.reopen(),
            _ => {}
        }
    }

    // Whatever is still held back arrives now; then a final sync with a perfect network.
    for c in &mut clients {
        while !c.late.is_empty() {
            deliver_late(c, &mut rng, &mut rejected);
        }
    }
    assert!(away.is_none(), "the away replica came back");
    assert!(
        came_back_below_horizon,
        "the away replica came back below the horizon with pending changes ({compactions} compactions)"
    );
    for _round in 0..3 {
        compact(s, &owner.workspace, &mut seen);
        for c in &mut clients {
            // A push held back and never delivered leaves nothing in flight once the replica reopens.
            c.reopen();
            while c.replica.pending_count().unwrap() > 0 {
                let before = c.replica.pending_count().unwrap();
                push(s, c, Fault::None, &mut rejected);
                while pull(s, c, Fault::None, &mut rejected) {}
                assert!(
                    c.replica.pending_count().unwrap() < before,
                    "the final sync makes progress"
                );
            }
            while pull(s, c, Fault::None, &mut rejected) {}
        }
    }
    // A comment whose issue was deleted before it reached the server, a restore of an issue
    // deleted for good, and an undo of a field someone changed since are the only rejections: each
    // was accepted here, and is not in the log. (When the push's answer was lost, the pull that
    // acknowledges it can only say that it did not apply.)
    for (client, id, message) in &rejected {
        assert!(
            [
                ISSUE_MISSING,
                CHANGED_SINCE,
                "the server did not apply addComment",
                "the server did not apply restoreIssue",
                "the server did not apply revertIssue",
            ]
            .contains(&message.as_str()),
            "no other valid mutation was rejected: {message}"
        );
        for c in &mut clients {
            c.accepted.retain(|accepted| *accepted != (*client, *id));
        }
    }

    let server_issues = s.issues_in(&owner.workspace);
    assert!(!server_issues.is_empty());
    assert_eq!(
        s.issues().len(),
        server_issues.len(),
        "every issue is the workspace's"
    );
    // Numbers: every create got one, in the order the server applied them, none twice, none
    // skipped, whichever client made it and however its pushes raced (issues deleted for good took
    // theirs with them).
    let next = s.sql(&format!(
        "SELECT next_issue_number AS n FROM workspace WHERE id = '{}'",
        owner.workspace
    ))[0]["n"]
        .as_u64()
        .unwrap();
    assert_eq!(
        next - 1,
        issues.len() as u64,
        "one number a create, no gaps"
    );
    let mut numbers: Vec<u64> = server_issues
        .iter()
        .map(|row| row["number"].as_u64().expect("every issue has its number"))
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), server_issues.len(), "no number twice");
    assert!(numbers.iter().all(|n| (1..next).contains(n)));
    for (i, c) in clients.iter().enumerate() {
        assert_eq!(
            c.replica.pending_count().unwrap(),
            0,
            "replica {i} has nothing pending"
        );
        assert_same_rows(
            replica_rows(c.replica.base_issues().unwrap()),
            &server_issues,
            &format!("replica {i}'s base"),
        );
        let live: Vec<Value> = server_issues
            .iter()
            .filter(|row| row["deleted_at"].is_null())
            .cloned()
            .collect();
        assert_same_rows(
            replica_rows(c.replica.issues(&IssueFilter::default()).unwrap()),
            &live,
            &format!("replica {i}'s list, the trash left out"),
        );
        let trashed = server_issues.len() - live.len();
        assert_eq!(
            c.replica.trash(0, u32::MAX).unwrap().len(),
            trashed,
            "replica {i}'s trash"
        );
    }

    // Labels, their links and comments too: base row for row, and what the replica shows.
    for (i, c) in clients.iter().enumerate() {
        // The private tables: the replica's member's rows, and no one else's.
        for (table, mine) in [
            ("label", false),
            ("issue_label", false),
            ("comment", false),
            ("issue_event", false),
            ("reaction", false),
            ("mention", false),
            ("subscription", true),
            ("inbox_read", true),
        ] {
            let mut on_server = Vec::new();
            let member_filter = if mine {
                " AND member_id = ?2"
            } else {
                " AND ?2 = ?2"
            };
            s.with_d1(|conn| {
                let mut statement = conn
                    .prepare(&format!(
                        "SELECT * FROM {table} WHERE workspace_id = ?1{member_filter} ORDER BY 1, 2"
                    ))
                    .expect("prepare");
                let columns = statement.column_count();
                on_server = statement
                    .query_map(
                        [owner.workspace.to_string(), c.member.id.to_string()],
                        |row| {
                            (0..columns)
                                .map(|i| row.get(i))
                                .collect::<Result<Vec<_>, _>>()
                        },
                    )
                    .expect("query")
                    .collect::<Result<Vec<Vec<rusqlite::types::Value>>, _>>()
                    .expect("rows");
            });
            assert_eq!(
                c.replica.base_rows(table).unwrap(),
                on_server,
                "replica {i}'s base {table}"
            );
        }
        let ids: Vec<Uuid> = server_issues
            .iter()
            .map(|row| row["id"].as_str().unwrap().parse().unwrap())
            .collect();
        let shown = c.replica.issue_labels(&ids).unwrap().len();
        let links = s.sql(&format!(
            "SELECT COUNT(*) AS n FROM issue_label WHERE workspace_id = '{}'",
            owner.workspace
        ))[0]["n"]
            .as_u64()
            .unwrap();
        assert_eq!(
            shown as u64, links,
            "replica {i} shows every label on its issue"
        );
        let comments: usize = ids
            .iter()
            .map(|id| c.replica.comments(*id).unwrap().len())
            .sum();
        assert_eq!(
            comments,
            c.replica.base_rows("comment").unwrap().len(),
            "replica {i} shows every comment"
        );
    }
    println!(
        "rows: {} issues, {} label links, {} comments; {} comments refused for a deleted issue",
        server_issues.len(),
        c_count(s, "issue_label", &owner.workspace),
        c_count(s, "comment", &owner.workspace),
        rejected.len()
    );

    // Every accepted mutation was logged exactly once, as its member's, and nothing else was: the
    // entries compaction deleted (read before each run) and those still there.
    let horizon = s.horizon_of(&owner.workspace);
    let (entries, _) = s.pull_all_as(&member, &Uuid::new_v4(), Some(horizon));
    let rows = s.sql(&format!(
        "SELECT client_id, mutation_id, member_id FROM mutation_log WHERE workspace_id = '{}'",
        owner.workspace
    ));
    assert_eq!(
        entries.len(),
        rows.len(),
        "a pull from the horizon gives the rest of the log"
    );
    read_log(s, &owner.workspace, &mut seen);
    for entry in &entries {
        assert!(
            entry.get("clientId").is_none(),
            "no client ids leave the server: {entry}"
        );
        assert!(
            entry.get("id").is_none(),
            "a new client owns none of them: {entry}"
        );
    }
    let mut logged: Vec<(Uuid, u64, Uuid)> = seen.into_values().collect();
    let mut accepted: Vec<(Uuid, u64, Uuid)> = clients
        .iter()
        .flat_map(|c| {
            c.accepted
                .iter()
                .map(|(client, id)| (*client, *id, c.member.id))
        })
        .collect();
    accepted.extend((1..=labels.len() as u64).map(|id| (labels_client, id, owner.id)));
    logged.sort();
    accepted.sort();
    assert_eq!(
        logged.len(),
        accepted.len(),
        "as many log entries as accepted mutations"
    );
    assert_eq!(logged, accepted);
    println!("compactions: {compactions} during the run, 3 before the final rounds");
    println!(
        "requests held back by the rate limits and sent again: {}",
        transport::HELD_BACK.load(std::sync::atomic::Ordering::Relaxed)
    );
}

#[test]
fn replicas_converge_with_the_server_through_lost_duplicated_and_late_messages() {
    let seed = std::env::var("CONVERGENCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("CONVERGENCE_SEED={seed}");
    let result = std::panic::catch_unwind(|| run(seed));
    if let Err(panic) = result {
        eprintln!("convergence failed; replay with CONVERGENCE_SEED={seed}");
        std::panic::resume_unwind(panic);
    }
}
