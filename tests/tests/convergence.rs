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

use serde_json::json;
use shared::Actor;
use shared::protocol::{PullResponse, PushResponse};
use shared::replica::{Replica, Storage, SyncFailure, Ticket};
use sync_tests::random::{Made, make_labels, mutate_at_random};
use sync_tests::verdict::{
    Accepted, Logged, Rejected, assert_logged_once, assert_replica_matches, count, drop_rejected,
    numbered_issues, read_log,
};
use sync_tests::{Member, Server, transport};
use uuid::Uuid;

const REPLICAS: usize = 4;
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
    let mut made_so_far = Made {
        people: vec![owner.id, member.id],
        ..Made::default()
    };
    let (labels_client, labels) = make_labels(s, &owner, &mut rng, &mut made_so_far);
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
                if let Some(id) = mutate_at_random(
                    &mut c.replica,
                    &mut rng,
                    &mut made_so_far,
                    &mut c.comments,
                    now,
                ) {
                    c.accepted.push((c.replica.client_id(), id));
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
    let server_issues = numbered_issues(s, &owner.workspace, made_so_far.issues.len());
    assert_eq!(
        s.issues().len(),
        server_issues.len(),
        "every issue is the workspace's"
    );
    for (i, c) in clients.iter().enumerate() {
        assert_replica_matches(s, i, &c.replica, &c.member, &server_issues);
    }
    println!(
        "rows: {} issues, {} label links, {} comments; {} mutations refused by the server",
        server_issues.len(),
        count(s, "issue_label", &owner.workspace),
        count(s, "comment", &owner.workspace),
        rejected.len()
    );
    let mut accepted: Vec<Accepted> = clients
        .iter()
        .flat_map(|c| {
            c.accepted
                .iter()
                .map(|(client, id)| (*client, *id, c.member.id))
        })
        .collect();
    accepted.extend((1..=labels).map(|id| (labels_client, id, owner.id)));
    drop_rejected(&mut accepted, &rejected);
    assert_logged_once(s, &member, seen, accepted);
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
