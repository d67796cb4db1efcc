//! The server's costs: push and pull through the real worker in workerd under `wrangler dev` on a
//! fresh local D1, each beside a baseline measured in the same run: the same statements run directly
//! on a native SQLite file with rusqlite, to show what the Worker, D1 and the protocol add on top of
//! SQLite itself.
//!
//! `cargo bench -p sync-tests --bench server` prints a markdown table (also written to
//! `target/bench/server.md`); `-- --quick` runs a small version that only shows it works.

use std::time::{Duration, Instant};

use replica_bench::report::{Figure, Table, ms};

use rusqlite::Connection;
use shared::protocol::{PULL_PAGE_SIZE, SCHEMA_VERSION};
use shared::server::{PullRead, applied_batch, pull_response};
use shared::{Actor, Mutation};
use sync_tests::{Server, create, numbered};
use uuid::Uuid;

struct Sizes {
    single: usize,
    hundreds: usize,
    clients: usize,
    per_client: usize,
    log: u64,
    catch_ups: usize,
    empty_pulls: usize,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes = if quick {
        Sizes {
            single: 30,
            hundreds: 3,
            clients: 4,
            per_client: 10,
            log: 1_500,
            catch_ups: 2,
            empty_pulls: 30,
        }
    } else {
        Sizes {
            single: 300,
            hundreds: 20,
            clients: 8,
            per_client: 50,
            log: 10_000,
            catch_ups: 5,
            empty_pulls: 300,
        }
    };
    let server = Server::start(true);
    let mut native = Native::open(&server);
    let mut table = Report(Table::new("native SQLite"));

    // One mutation per request, one client, one after another.
    let client = Uuid::new_v4();
    let latencies: Vec<Duration> = (1..=sizes.single as u64)
        .map(|id| {
            timed(|| {
                server
                    .push(&client, &numbered(id, [create(&Uuid::new_v4(), "single")]))
                    .ok()
            })
        })
        .collect();
    let floor = native.push(sizes.single, 1);
    table.latency("push, 1 mutation a request", &latencies, &floor);
    table.throughput("push, 1 mutation a request", &latencies, 1, &floor, 1);

    // A hundred mutations per request.
    let client = Uuid::new_v4();
    let latencies: Vec<Duration> = (0..sizes.hundreds as u64)
        .map(|round| {
            let mutations = numbered(
                round * 100 + 1,
                (0..100).map(|_| create(&Uuid::new_v4(), "hundred")),
            );
            timed(|| server.push(&client, &mutations).ok())
        })
        .collect();
    let floor = native.push(sizes.hundreds, 100);
    table.latency("push, 100 mutations a request", &latencies, &floor);
    table.throughput(
        "push, 100 mutations a request",
        &latencies,
        100,
        &floor,
        100,
    );

    // Several clients at once, one mutation per request each.
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..sizes.clients)
            .map(|_| {
                scope.spawn(|| {
                    let client = Uuid::new_v4();
                    (1..=sizes.per_client as u64)
                        .map(|id| {
                            timed(|| {
                                server
                                    .push(
                                        &client,
                                        &numbered(id, [create(&Uuid::new_v4(), "concurrent")]),
                                    )
                                    .ok()
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a pushing client"))
            .collect()
    });
    let wall = started.elapsed();
    let floor = native.push(sizes.clients * sizes.per_client, 1);
    let name = format!(
        "push, {} clients at once, 1 mutation a request",
        sizes.clients
    );
    table.latency(&name, &latencies, &floor);
    // SQLite has one writer: the baseline for many clients is its sequential rate.
    let rate = latencies.len() as f64 / wall.as_secs_f64();
    let floor_rate = floor.len() as f64 / floor.iter().sum::<Duration>().as_secs_f64();
    table.rate(&name, rate, floor_rate);

    // Fill the log up to its size, then catch a new client up on all of it.
    let filler = Uuid::new_v4();
    let mut next = 1;
    while server.log_end() < sizes.log {
        let missing = (sizes.log - server.log_end()).min(100);
        server
            .push(
                &filler,
                &numbered(
                    next,
                    (0..missing).map(|_| create(&Uuid::new_v4(), "filler")),
                ),
            )
            .ok();
        next += missing;
    }
    native.fill_log(sizes.log);
    let catch_ups: Vec<Duration> = (0..sizes.catch_ups)
        .map(|_| timed(|| server.pull_all(&Uuid::new_v4(), None)))
        .collect();
    let floor: Vec<Duration> = (0..sizes.catch_ups).map(|_| native.catch_up()).collect();
    table.median_row(
        &format!(
            "pull, a new client catching up on {} entries (all pages)",
            sizes.log
        ),
        &catch_ups,
        &floor,
    );

    let end = server.log_end();
    let client = Uuid::new_v4();
    let empty: Vec<Duration> = (0..sizes.empty_pulls)
        .map(|_| timed(|| server.pull(&client, Some(end)).ok()))
        .collect();
    let floor: Vec<Duration> = (0..sizes.empty_pulls)
        .map(|_| native.pull_nothing())
        .collect();
    table.latency("pull that brings nothing", &empty, &floor);

    table
        .0
        .note(storage(&server, if quick { 200 } else { 2_000 }));
    table.print(quick);
}

/// What an issue and an edit cost on disk: `issues` typical issues (a 60-character title, a
/// 500-character description) created through the server's own batches on a fresh SQLite file (D1 is
/// SQLite, with the same schema), then one description edit each; and what a database holds.
fn storage(server: &Server, issues: usize) -> String {
    let path = server.persist.join("storage-estimate.sqlite3");
    let mut conn = Connection::open(&path).expect("open the estimate's database");
    shared::sqlite::migrate(&mut conn).expect("migrate");
    let bytes = |conn: &Connection| -> f64 {
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .expect("pages");
        let size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("size");
        (pages * size) as f64
    };
    let client = Uuid::new_v4();
    let by = Actor::new(Uuid::new_v4(), Uuid::new_v4());
    conn.execute(
        "INSERT INTO membership (workspace_id, member_id, role, joined_at) VALUES (?1, ?2, 'owner', 0)",
        [by.workspace_id.to_string(), by.member_id.to_string()],
    )
    .expect("a member");
    let text = |n: usize| "lorem ipsum ".repeat(n / 12 + 1)[..n].to_owned();
    let empty = bytes(&conn);
    let ids: Vec<Uuid> = (0..issues).map(|_| Uuid::new_v4()).collect();
    let apply = |conn: &mut Connection, id: u64, name: &str, args: serde_json::Value| {
        let mutation = Mutation::parse(name, &args).expect("valid");
        let tx = conn.transaction().expect("tx");
        shared::sqlite::execute(&tx, &applied_batch(&by, &client, id, &mutation)).expect("apply");
        tx.commit().expect("commit");
    };
    for (n, id) in ids.iter().enumerate() {
        let args = serde_json::json!({"id": id, "title": text(60), "description": text(500),
            "owner": "Ada Lovelace", "createdAt": 1_764_000_000_000u64});
        apply(&mut conn, n as u64 + 1, "createIssue", args);
    }
    let created = bytes(&conn);
    for (n, id) in ids.iter().enumerate() {
        let args = serde_json::json!({"id": id, "description": text(500), "updatedAt": 1_764_000_000_001u64});
        apply(&mut conn, (issues + n) as u64 + 1, "updateIssue", args);
    }
    let edited = bytes(&conn);
    let per_issue = (created - empty) / issues as f64;
    let per_edit = (edited - created) / issues as f64;
    let holds = |db: f64| db / (per_issue + 10.0 * per_edit);
    format!(
        "Storage (SQLite with the same schema, {issues} issues with a 60-character title and a \
         500-character description): {per_issue:.0} bytes per issue created (its row and log entry), \
         {per_edit:.0} bytes per description edit (its log entry). With ten edits each, D1's 500 MB \
         (Free) holds about {:.0} thousand issues and 10 GB (Paid) about {:.1} million; the log is \
         most of it, and compaction keeps only its last LOG_RETENTION_DAYS.",
        holds(500e6) / 1e3,
        holds(10e9) / 1e6
    )
}

fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let started = Instant::now();
    let _ = f();
    started.elapsed()
}

fn millis(samples: &[Duration]) -> Vec<f64> {
    samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect()
}

/// The same statements on a native SQLite file: the floor under the worker's figures.
struct Native {
    conn: Connection,
    /// A workspace and its owner, as setup leaves them: the guard checks the membership.
    by: Actor,
    client: Uuid,
    next_id: u64,
}

impl Native {
    fn open(server: &Server) -> Native {
        let path = server.persist.join("native-baseline.sqlite3");
        let mut conn = Connection::open(path).expect("open the baseline database");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        shared::sqlite::migrate(&mut conn).expect("migrate the baseline");
        let by = Actor::new(Uuid::new_v4(), Uuid::new_v4());
        conn.execute(
            "INSERT INTO membership (workspace_id, member_id, role, joined_at) \
             VALUES (?1, ?2, 'owner', 0)",
            [by.workspace_id.to_string(), by.member_id.to_string()],
        )
        .expect("a member");
        Native {
            conn,
            by,
            client: Uuid::new_v4(),
            next_id: 0,
        }
    }

    /// `requests` transactions of `per_request` mutations each, with the server's whole batch per
    /// mutation (effects, log entry, lastMutationId); the time of each transaction.
    fn push(&mut self, requests: usize, per_request: usize) -> Vec<Duration> {
        (0..requests)
            .map(|_| {
                let batches: Vec<_> = (0..per_request)
                    .map(|_| {
                        self.next_id += 1;
                        let args = create(&Uuid::new_v4(), "native")["args"].clone();
                        let mutation = Mutation::parse("createIssue", &args).expect("valid");
                        applied_batch(&self.by, &self.client, self.next_id, &mutation)
                    })
                    .collect();
                timed(|| {
                    let tx = self.conn.transaction().expect("tx");
                    for batch in &batches {
                        shared::sqlite::execute(&tx, batch).expect("apply");
                    }
                    tx.commit().expect("commit");
                })
            })
            .collect()
    }

    fn fill_log(&mut self, entries: u64) {
        let have: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM mutation_log", [], |r| r.get(0))
            .expect("count");
        let missing = entries.saturating_sub(have as u64) as usize;
        for _ in 0..missing.div_ceil(100) {
            self.push(1, 100);
        }
    }

    fn snapshot(&mut self, client: &Uuid, cookie: u64) -> PullRead {
        shared::sqlite::pull_read(&mut self.conn, &self.by, client, cookie)
            .expect("the pull queries run")
    }

    /// Every page of the log through the pull queries, serialised as the worker would.
    fn catch_up(&mut self) -> Duration {
        let client = Uuid::new_v4();
        timed(|| {
            let mut cookie = 0;
            loop {
                let snapshot = self.snapshot(&client, cookie);
                let response = pull_response(&self.by, SCHEMA_VERSION, cookie, snapshot)
                    .expect("pull")
                    .expect("above the horizon");
                let _ = serde_json::to_vec(&response).expect("json");
                cookie = response.cookie;
                if !response.has_more {
                    break;
                }
            }
        })
    }

    fn pull_nothing(&mut self) -> Duration {
        let end: i64 = self
            .conn
            .query_row("SELECT MAX(id) FROM mutation_log", [], |r| r.get(0))
            .expect("end");
        let client = Uuid::new_v4();
        timed(|| {
            let snapshot = self.snapshot(&client, end as u64);
            let response = pull_response(&self.by, SCHEMA_VERSION, end as u64, snapshot)
                .expect("pull")
                .expect("above the horizon");
            assert!(response.mutations.is_empty() && response.mutations.len() < PULL_PAGE_SIZE);
            let _ = serde_json::to_vec(&response).expect("json");
        })
    }
}

/// The server's figures in the benchmarks' one table shape (`replica_bench::report`).
struct Report(Table);

impl Report {
    fn latency(&mut self, figure: &str, samples: &[Duration], floor: &[Duration]) {
        let (value, baseline) = (Figure::of(&millis(samples)), Figure::of(&millis(floor)));
        self.0
            .figure(&format!("{figure}: latency"), value, Some(baseline));
        self.0.row(
            &format!("{figure}: p99 latency"),
            &ms(value.p99),
            "-",
            &ms(baseline.p99),
            &format!("{:.1}x", value.p99 / baseline.p99.max(1e-9)),
        );
    }

    fn throughput(
        &mut self,
        figure: &str,
        samples: &[Duration],
        per_request: usize,
        floor: &[Duration],
        floor_per: usize,
    ) {
        let total: Duration = samples.iter().sum();
        let floor_total: Duration = floor.iter().sum();
        let value = (samples.len() * per_request) as f64 / total.as_secs_f64();
        let baseline = (floor.len() * floor_per) as f64 / floor_total.as_secs_f64();
        self.rate(figure, value, baseline);
    }

    /// Mutations a second, beside the baseline's; the ratio says how many times slower.
    fn rate(&mut self, figure: &str, value: f64, baseline: f64) {
        self.0.row(
            &format!("{figure}: throughput"),
            &format!("{value:.0} mutations/s"),
            "-",
            &format!("{baseline:.0} mutations/s"),
            &format!("{:.1}x", baseline / value),
        );
    }

    fn median_row(&mut self, figure: &str, samples: &[Duration], floor: &[Duration]) {
        self.0.figure(
            figure,
            Figure::of(&millis(samples)),
            Some(Figure::of(&millis(floor))),
        );
    }

    fn print(mut self, quick: bool) {
        self.0.note(
            "Ratios are value / baseline (for throughput, baseline / value): how many times slower."
                .to_owned(),
        );
        let out = self.0.render(quick);
        print!("{out}");
        let dir = sync_tests::root().join("target/bench");
        if std::fs::create_dir_all(&dir).is_ok() {
            std::fs::write(dir.join("server.md"), &out).ok();
        }
    }
}
