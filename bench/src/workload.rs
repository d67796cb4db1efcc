//! The workload: a replica holding N issues made by another client, local mutations, pulls of 1, 100
//! and 1,000 entries with 0, 10 and 100 pending, a pull that brings nothing, and the same small pull
//! on a small and a large replica.

use serde_json::{Value, json};
use shared::protocol::{LogEntry, PullResponse};
use shared::replica::{Replica, Storage};
use shared::{Actor, Mutation};
use uuid::Uuid;

use crate::report::{Figure, Table};

/// What the workload needs from where it runs.
pub trait Host {
    /// Milliseconds since some fixed point, with sub-millisecond resolution.
    fn now_ms(&self) -> f64;
    /// Storage for a new replica called `name`.
    fn replica_storage(&self, name: &str) -> Storage;
    /// A connection to a new, empty database called `name`, for the floor.
    fn floor_connection(&self, name: &str) -> rusqlite::Connection;
    /// Forgets everything called `name` (the replica and the floor are closed by then).
    fn remove(&self, name: &str);
}

struct Sizes {
    issues: usize,
    small: usize,
    large: usize,
    runs: usize,
}

/// Runs the benchmark and returns its markdown table.
pub fn run(quick: bool, host: &dyn Host) -> String {
    let sizes = if quick {
        Sizes {
            issues: 1_000,
            small: 100,
            large: 5_000,
            runs: 5,
        }
    } else {
        Sizes {
            issues: 10_000,
            small: 1_000,
            large: 100_000,
            runs: 31,
        }
    };
    let mut table = Table::new("rusqlite floor");

    let mut bench = Bench::new(host, sizes.issues);
    let floor = bench.floor(1, sizes.runs);
    let mutate = bench.mutate(sizes.runs * 4);
    table.figure(
        &format!("mutate (one local change), {} issues", sizes.issues),
        mutate,
        floor,
    );
    let nothing = bench.pull_nothing(sizes.runs);
    table.figure(
        &format!("pull that brings nothing, {} issues", sizes.issues),
        nothing,
        None,
    );
    for pending in [0, 10, 100] {
        bench.set_pending(pending);
        for entries in [1, 100, 1000] {
            let cost = bench.pull(entries, sizes.runs);
            let floor = bench.floor(entries, sizes.runs);
            table.figure(
                &format!(
                    "pull of {entries} {}, {pending} pending, {} issues",
                    entry_s(entries),
                    sizes.issues
                ),
                cost,
                floor,
            );
        }
    }
    bench.close();

    let mut scaling = Vec::new();
    for issues in [sizes.small, sizes.large] {
        let mut bench = Bench::new(host, issues);
        bench.set_pending(10);
        let cost = bench.pull(1, sizes.runs);
        let floor = bench.floor(1, sizes.runs);
        table.figure(
            &format!("pull of 1 entry, 10 pending, {issues} issues"),
            cost,
            floor,
        );
        scaling.push(cost.median);
        bench.close();
    }
    let growth = scaling[1] / scaling[0];
    table.note(format!(
        "Growth with the database: a 1-entry pull with 10 pending costs {growth:.2}x as much on {} \
         issues as on {} ({} times the rows).",
        sizes.large,
        sizes.small,
        sizes.large / sizes.small
    ));
    table.render(quick)
}

/// A replica on files holding `issues` issues made by another client, and a plain database beside it.
struct Bench<'h> {
    host: &'h dyn Host,
    name: String,
    replica: Replica,
    floor: rusqlite::Connection,
    /// The workspace and member this replica is, and the other member whose changes it pulls.
    actor: Actor,
    other: Uuid,
    issues: Vec<Uuid>,
    log_id: u64,
    clock: u64,
    rng: fastrand::Rng,
}

impl<'h> Bench<'h> {
    fn new(host: &'h dyn Host, issues: usize) -> Bench<'h> {
        let name = format!("bench-{}", Uuid::new_v4().simple());
        let actor = Actor::new(Uuid::new_v4(), Uuid::new_v4());
        let mut replica = Replica::open(&host.replica_storage(&name), actor).expect("open");
        let mut floor = host.floor_connection(&name);
        shared::sqlite::migrate(&mut floor).expect("migrate floor");
        let mut bench = Bench {
            host,
            name,
            replica: {
                // Bootstrap base from an empty log first, so later pulls are ordinary ones.
                let (ticket, _) = replica.next_pull().expect("pull");
                let empty = PullResponse {
                    cookie: 0,
                    last_mutation_id: 0,
                    has_more: false,
                    mutations: vec![],
                    snapshot: None,
                };
                replica.pull_succeeded(ticket, &empty).expect("bootstrap");
                replica
            },
            floor,
            actor,
            other: Uuid::new_v4(),
            issues: Vec::new(),
            log_id: 0,
            clock: 1_764_000_000_000,
            // Seeded: every run measures the same work.
            rng: fastrand::Rng::with_seed(7),
        };
        for chunk in 0..issues.div_ceil(1000) {
            let n = (issues - chunk * 1000).min(1000);
            let entries: Vec<(&str, Value)> = (0..n)
                .map(|_| {
                    let id = Uuid::new_v4();
                    bench.issues.push(id);
                    bench.clock += 1;
                    let title = format!("issue {}", bench.issues.len());
                    (
                        "createIssue",
                        json!({"id": id, "title": title, "description": "Seeded for the benchmark.",
                                           "owner": "bench", "createdAt": bench.clock}),
                    )
                })
                .collect();
            bench.apply_pull(&entries);
            bench.apply_floor(&entries);
        }
        bench
    }

    /// Another client's update of a random issue.
    fn foreign_update(&mut self) -> (&'static str, Value) {
        let id = self.issues[self.rng.usize(0..self.issues.len())];
        self.clock += 1;
        let status = ["in progress", "done"][self.rng.usize(0..2)];
        (
            "updateIssueStatus",
            json!({"id": id, "status": status, "updatedAt": self.clock}),
        )
    }

    fn response(&mut self, entries: &[(&str, Value)]) -> PullResponse {
        let mutations = entries
            .iter()
            .map(|(name, args)| {
                self.log_id += 1;
                LogEntry {
                    log_id: self.log_id,
                    member_id: self.other,
                    id: None,
                    name: (*name).to_owned(),
                    args: args.clone(),
                    number: None,
                }
            })
            .collect();
        PullResponse {
            cookie: self.log_id,
            last_mutation_id: self.replica.last_mutation_id(),
            has_more: false,
            mutations,
            snapshot: None,
        }
    }

    fn apply_pull(&mut self, entries: &[(&str, Value)]) -> f64 {
        let response = self.response(entries);
        let (ticket, _) = self.replica.next_pull().expect("no pull in flight");
        let started = self.host.now_ms();
        self.replica
            .pull_succeeded(ticket, &response)
            .expect("pull applies");
        self.host.now_ms() - started
    }

    fn apply_floor(&mut self, entries: &[(&str, Value)]) -> f64 {
        let mutations: Vec<Mutation> = entries
            .iter()
            .map(|(name, args)| Mutation::parse(name, args).expect("valid"))
            .collect();
        let started = self.host.now_ms();
        let tx = self.floor.transaction().expect("tx");
        let by = self.actor.as_member(self.other);
        for mutation in &mutations {
            shared::sqlite::execute(&tx, &mutation.statements(&by)).expect("apply");
        }
        tx.commit().expect("commit");
        self.host.now_ms() - started
    }

    /// Leaves exactly `n` local mutations pending (the server never acknowledges them here).
    fn set_pending(&mut self, n: usize) {
        if self.replica.pending_count().expect("count") as usize > n {
            self.acknowledge_pending();
        }
        let have = self.replica.pending_count().expect("count") as usize;
        for _ in have..n {
            let (name, args) = self.foreign_update();
            self.replica
                .mutate(name, &args, self.clock)
                .expect("mutate");
        }
    }

    /// Does what the server would: applies every pending mutation and answers with their log entries.
    fn acknowledge_pending(&mut self) {
        while let Some((ticket, push)) = self.replica.next_push().expect("push") {
            let last = push.mutations.last().map_or(0, |m| m.id);
            self.replica.push_succeeded(
                ticket,
                &shared::protocol::PushResponse {
                    last_mutation_id: last,
                    rejected: vec![],
                },
            );
            let mutations = push
                .mutations
                .iter()
                .map(|m| {
                    self.log_id += 1;
                    LogEntry {
                        log_id: self.log_id,
                        member_id: self.actor.member_id,
                        id: Some(m.id),
                        name: m.name.clone(),
                        args: m.args.clone(),
                        number: None,
                    }
                })
                .collect();
            let response = PullResponse {
                cookie: self.log_id,
                last_mutation_id: last,
                has_more: false,
                mutations,
                snapshot: None,
            };
            let (ticket, _) = self.replica.next_pull().expect("pull");
            self.replica
                .pull_succeeded(ticket, &response)
                .expect("acknowledge");
        }
    }

    fn mutate(&mut self, runs: usize) -> Figure {
        Figure::of(
            &(0..runs)
                .map(|_| {
                    let (name, args) = self.foreign_update();
                    let started = self.host.now_ms();
                    self.replica
                        .mutate(name, &args, self.clock)
                        .expect("mutate");
                    self.host.now_ms() - started
                })
                .collect::<Vec<_>>(),
        )
    }

    fn pull(&mut self, entries: usize, runs: usize) -> Figure {
        Figure::of(
            &(0..runs)
                .map(|_| {
                    let batch: Vec<(&str, Value)> =
                        (0..entries).map(|_| self.foreign_update()).collect();
                    self.apply_pull(&batch)
                })
                .collect::<Vec<_>>(),
        )
    }

    fn pull_nothing(&mut self, runs: usize) -> Figure {
        Figure::of(&(0..runs).map(|_| self.apply_pull(&[])).collect::<Vec<_>>())
    }

    fn floor(&mut self, entries: usize, runs: usize) -> Option<Figure> {
        Some(Figure::of(
            &(0..runs)
                .map(|_| {
                    let batch: Vec<(&str, Value)> =
                        (0..entries).map(|_| self.foreign_update()).collect();
                    self.apply_floor(&batch)
                })
                .collect::<Vec<_>>(),
        ))
    }
}

impl Bench<'_> {
    /// Closes both databases, then lets the host forget them.
    fn close(self) {
        let Bench {
            host,
            name,
            replica,
            floor,
            ..
        } = self;
        drop(replica);
        drop(floor);
        host.remove(&name);
    }
}

fn entry_s(n: usize) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}
