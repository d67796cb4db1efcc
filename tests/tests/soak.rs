//! The soak run: a team works while the server fails on purpose, and nothing is lost or applied twice.
//!
//! Four native replicas of one workspace (two of each of its two members, on files, reopened now
//! and then) make random changes for a bounded time (`SOAK_SECONDS`, 40 by default; `scripts/soak.sh`
//! runs 600), each syncing on the engine's own loop (`Replica::due`/`take`, its backoff and timers)
//! over real HTTP, and holding the live channel's socket as the engine does: pokes taken, a dropped
//! socket reopened after a pause, polling while it is closed. Meanwhile the worker injects faults
//! (`worker/src/faults.rs`): D1 calls failing before they run and write batches failing after they
//! committed (a 500 for a change that stands), slow answers, and sockets dropped instead of poked;
//! compaction runs now and then (deleting the whole log: `LOG_RETENTION_DAYS=0`, so replicas come
//! back through snapshots), and workerd is killed and started again twice, mid-request.
//!
//! Then the faults stop, and the verdict is the convergence test's (`sync_tests::verdict`): every
//! replica equals D1 row for row, nothing pending, every issue numbered once, every mutation a
//! replica accepted logged exactly once, and each client's `lastMutationId` on the server is the
//! last it made. The counts are printed: `cargo test -p sync-tests --test soak -- --nocapture`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use shared::Actor;
use shared::replica::{Answer, PokeOutcome, Replica, Request, Storage, SyncFailure};
use sync_tests::live::{Heard, Socket};
use sync_tests::random::{Made, make_labels, mutate_at_random};
use sync_tests::verdict::{
    Accepted, Logged, Rejected, assert_logged_once, assert_replica_matches, count, drop_rejected,
    numbered_issues, read_log,
};
use sync_tests::{Member, Server, transport};
use uuid::Uuid;

const REPLICAS: usize = 4;
/// The faults while the team works.
fn faults_on() -> Value {
    json!({"d1Before": 0.04, "d1After": 0.04, "delayMs": 40, "socketDrop": 0.1})
}
/// When workerd is killed and started again, as fractions of the run.
const RESTARTS_AT: [f64; 2] = [0.4, 0.75];
/// How long it stays down each time.
const DOWN: Duration = Duration::from_millis(1500);

struct Client {
    member: Member,
    storage: Storage,
    replica: Replica,
    socket: Option<Socket>,
    /// When to try the socket again (ms since the epoch).
    reopen_socket_at: u64,
    /// The mutations this replica accepted, and the last id it gave one.
    accepted: Vec<u64>,
    last_made: u64,
    comments: Vec<(Uuid, Uuid)>,
}

/// What happened, for the report.
#[derive(Default)]
struct Tally {
    made: u64,
    refused_locally: u64,
    pushes: u64,
    pulls: u64,
    /// Requests that failed, by what came back: a status, or no answer.
    failed: BTreeMap<String, u64>,
    pokes: u64,
    pokes_applied: u64,
    /// Sockets closed by the server, by close code.
    closed: BTreeMap<u16, u64>,
    sockets_opened: u64,
    sockets_refused: u64,
    reopened: u64,
    compactions: u64,
    compactions_failed: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64)
}

fn actor(member: &Member) -> Actor {
    Actor::new(member.workspace, member.id)
}

/// Sets the worker's faults; `false` when the server did not answer (it is restarting).
fn set_faults(s: &Server, faults: &Value) -> bool {
    let body = serde_json::to_vec(faults).expect("serialise");
    match s.try_post_raw(
        "/api/test/faults",
        body.as_slice(),
        &[("Content-Type", "application/json")],
    ) {
        Ok(reply) => {
            assert_eq!(reply.status, 200, "faults set: {}", reply.text);
            true
        }
        Err(_) => false,
    }
}

fn failure(tally: &mut Tally, failure: &SyncFailure) {
    let kind = match failure {
        SyncFailure::Server { status, .. } => format!("HTTP {status}"),
        SyncFailure::Network(_) => "no answer".to_owned(),
        SyncFailure::Unreadable(_) => "an unreadable answer".to_owned(),
    };
    *tally.failed.entry(kind).or_default() += 1;
}

/// Carries out what the replica's loop says is due now, as the engine does.
fn drive(
    s: &Server,
    c: &mut Client,
    rng: &mut fastrand::Rng,
    tally: &mut Tally,
    rejected: &mut Rejected,
) {
    let requests = c.replica.due(now_ms()).expect("what is due");
    for request in requests {
        let answer = match request {
            Request::Push(ticket, body) => {
                tally.pushes += 1;
                let result = transport::push(s, &c.member, &body);
                if let Err(err) = &result {
                    failure(tally, err);
                }
                Answer::Pushed(ticket, result)
            }
            Request::Pull(ticket, body) => {
                tally.pulls += 1;
                let result = transport::pull(s, &c.member, &body);
                if let Err(err) = &result {
                    failure(tally, err);
                }
                Answer::Pulled(ticket, result)
            }
        };
        let synced = c
            .replica
            .take(answer, now_ms(), rng.f64())
            .expect("the replica takes the answer");
        let client = c.replica.client_id();
        rejected.extend(
            synced
                .rejected
                .iter()
                .map(|r| (client, r.id, r.message.clone())),
        );
    }
}

/// Listens on the client's socket for a moment (opening it when it is time), as the engine does:
/// a poke is taken, a close makes the replica poll until the socket is open again.
fn listen(s: &Server, c: &mut Client, rng: &mut fastrand::Rng, tally: &mut Tally) {
    let now = now_ms();
    let Some(socket) = &mut c.socket else {
        if now >= c.reopen_socket_at {
            match s.live_as(&c.member, &c.replica.client_id(), &[]) {
                Ok(socket) => {
                    tally.sockets_opened += 1;
                    c.socket = Some(socket);
                    c.replica.set_live(true);
                }
                Err(_) => {
                    tally.sockets_refused += 1;
                    c.reopen_socket_at = now + 500 + rng.u64(0..1000);
                }
            }
        }
        return;
    };
    match socket.hear(Duration::from_millis(1)) {
        Heard::Poke(poke) => {
            tally.pokes += 1;
            if let PokeOutcome::Applied { .. } = c.replica.take_poke(&poke).expect("a poke") {
                tally.pokes_applied += 1;
            }
        }
        Heard::Closed(code, _) => {
            *tally.closed.entry(code).or_default() += 1;
            c.socket = None;
            c.replica.set_live(false);
            c.reopen_socket_at = now + 500 + rng.u64(0..1500);
        }
        Heard::Pong | Heard::Nothing => {}
    }
}

/// Compaction, as the Cron Trigger runs it, once the log it may delete has been read; under faults
/// it may fail (the next run does what it did not).
fn compact(s: &Server, workspace: &Uuid, seen: &mut Logged, tally: &mut Tally) {
    read_log(s, workspace, seen);
    match s.try_get_with("/__scheduled?cron=17+3+*+*+*", &[]) {
        Ok(reply) if reply.status == 200 => tally.compactions += 1,
        _ => tally.compactions_failed += 1,
    }
}

/// Pushes everything pending and pulls to the end of the log, with the faults off: a replica that
/// cannot is stuck.
fn drain(
    s: &Server,
    c: &mut Client,
    rng: &mut fastrand::Rng,
    tally: &mut Tally,
    rejected: &mut Rejected,
) {
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "a replica is stuck: {} pending",
            c.replica.pending_count().unwrap_or(0)
        );
        c.replica.push_soon();
        c.replica.pull_soon();
        drive(s, c, rng, tally, rejected);
        if c.replica.pending_count().expect("pending") > 0 {
            continue;
        }
        // Nothing pending: pull until the server has nothing more.
        let Some((ticket, request)) = c.replica.next_pull() else {
            continue;
        };
        let response = transport::pull(s, &c.member, &request).expect("a pull with the faults off");
        let outcome = c
            .replica
            .pull_succeeded(ticket, &response)
            .expect("the pull applies");
        let client = c.replica.client_id();
        rejected.extend(
            outcome
                .rejected
                .iter()
                .map(|r| (client, r.id, r.message.clone())),
        );
        if !outcome.has_more && c.replica.pending_count().expect("pending") == 0 {
            return;
        }
    }
}

#[test]
fn a_team_working_through_d1_failures_dropped_sockets_and_restarts_loses_nothing_and_applies_nothing_twice()
 {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!(
        "SOAK_SEED={seed} SOAK_SECONDS={seconds} (the faults and their timing are the server's: a seed replays the choices, not the run)"
    );
    let s = Server::start_with_vars(&["LOG_RETENTION_DAYS:0"]);
    let mut rng = fastrand::Rng::with_seed(seed);
    let owner = s.setup("Soak", "Ada", None);
    let member = s.join(&owner, "Grace");
    let mut made = Made {
        people: vec![owner.id, member.id],
        ..Made::default()
    };
    let (labels_client, labels) = make_labels(&s, &owner, &mut rng, &mut made);
    let mut clients: Vec<Client> = (0..REPLICAS)
        .map(|i| {
            let dir: PathBuf = s.persist.join(format!("soak-replica-{i}"));
            let storage = Storage::Directory(dir);
            let member = if i % 2 == 0 { &owner } else { &member };
            Client {
                member: member.clone(),
                replica: Replica::open(&storage, actor(member)).expect("open a replica"),
                storage,
                socket: None,
                reopen_socket_at: 0,
                accepted: Vec::new(),
                last_made: 0,
                comments: Vec::new(),
            }
        })
        .collect();
    let mut tally = Tally::default();
    let mut rejected = Rejected::new();
    let mut seen = Logged::new();
    let run = Duration::from_secs(seconds);
    assert!(set_faults(&s, &faults_on()));

    let restarts = std::thread::scope(|scope| {
        // workerd killed and started again, while the replicas go on: whatever is in flight then
        // gets no answer. Its isolate starts without faults: they are set again.
        let restarter = scope.spawn(|| {
            let started = Instant::now();
            let mut restarts = 0;
            for at in RESTARTS_AT {
                let when = run.mul_f64(at);
                std::thread::sleep(when.saturating_sub(started.elapsed()));
                s.restart(DOWN);
                while !set_faults(&s, &faults_on()) {
                    std::thread::sleep(Duration::from_millis(200));
                }
                restarts += 1;
            }
            restarts
        });

        let started = Instant::now();
        while started.elapsed() < run {
            let i = rng.usize(0..REPLICAS);
            let c = &mut clients[i];
            match rng.u32(0..100) {
                0..40 => {
                    tally.made += 1;
                    match mutate_at_random(
                        &mut c.replica,
                        &mut rng,
                        &mut made,
                        &mut c.comments,
                        now_ms(),
                    ) {
                        Some(id) => {
                            c.accepted.push(id);
                            c.last_made = id;
                            c.replica.push_change();
                        }
                        None => tally.refused_locally += 1,
                    }
                }
                40..41 => {
                    // Closed and opened again from its files (a reload): nothing is in flight.
                    c.replica =
                        Replica::open(&c.storage, actor(&c.member)).expect("reopen from files");
                    c.replica.set_live(c.socket.is_some());
                    tally.reopened += 1;
                }
                41..42 => compact(&s, &owner.workspace, &mut seen, &mut tally),
                _ => {}
            }
            let c = &mut clients[i];
            listen(&s, c, &mut rng, &mut tally);
            drive(&s, c, &mut rng, &mut tally, &mut rejected);
        }
        restarter.join().expect("the restarts")
    });

    // The faults stop; compaction once more; every replica pushes and pulls to the end.
    assert!(set_faults(&s, &json!({})));
    compact(&s, &owner.workspace, &mut seen, &mut tally);
    for c in &mut clients {
        drain(&s, c, &mut rng, &mut tally, &mut rejected);
    }
    // A second round: what the others pushed during the first.
    for c in &mut clients {
        drain(&s, c, &mut rng, &mut tally, &mut rejected);
    }

    let server_issues = numbered_issues(&s, &owner.workspace, made.issues.len());
    for (i, c) in clients.iter().enumerate() {
        assert_replica_matches(&s, i, &c.replica, &c.member, &server_issues);
        // The client's counter: every mutation it made reached the server, once, in order.
        let on_server = s.sql(&format!(
            "SELECT last_mutation_id AS n FROM client WHERE id = '{}'",
            c.replica.client_id()
        ));
        let on_server = on_server.first().and_then(|row| row["n"].as_u64());
        if c.last_made > 0 {
            assert_eq!(
                on_server,
                Some(c.last_made),
                "replica {i}'s lastMutationId on the server"
            );
        }
        assert_eq!(
            c.replica.last_mutation_id(),
            c.last_made,
            "replica {i}'s own"
        );
    }
    let mut accepted: Vec<Accepted> = clients
        .iter()
        .flat_map(|c| {
            let client = c.replica.client_id();
            c.accepted.iter().map(move |id| (client, *id, c.member.id))
        })
        .collect();
    accepted.extend((1..=labels).map(|id| (labels_client, id, owner.id)));
    let logged = accepted.len();
    drop_rejected(&mut accepted, &rejected);
    assert_logged_once(&s, &member, seen, accepted);

    // The report.
    let faults = |needle: &str| s.log_count(needle);
    println!(
        "soak: {seconds} s, {REPLICAS} replicas of 2 members, faults {}",
        faults_on()
    );
    println!(
        "changes: {} made, {} refused by the replica's rules, {} accepted ({} of them refused by the server), logged once each",
        tally.made,
        tally.refused_locally,
        logged,
        rejected.len()
    );
    println!(
        "rows: {} issues, {} label links, {} comments",
        server_issues.len(),
        count(&s, "issue_label", &owner.workspace),
        count(&s, "comment", &owner.workspace)
    );
    println!(
        "faults injected: {} D1 calls failed before running, {} batches failed after committing, {} sockets dropped",
        faults("fault: D1 failed before the call"),
        faults("fault: D1 failed after the batch committed"),
        faults("fault: a live socket dropped")
    );
    println!(
        "requests: {} pushes, {} pulls; failed and retried: {:?}",
        tally.pushes, tally.pulls, tally.failed
    );
    println!(
        "live: {} sockets opened, {} refused or unreachable, closed by the server {:?}; {} pokes, {} applied without a pull",
        tally.sockets_opened, tally.sockets_refused, tally.closed, tally.pokes, tally.pokes_applied
    );
    println!(
        "restarts: {restarts}; compactions: {} ({} failed under faults); replicas reopened from files: {}",
        tally.compactions, tally.compactions_failed, tally.reopened
    );
    println!(
        "verdict: every replica equals D1, nothing pending, every accepted change logged exactly once"
    );
}
