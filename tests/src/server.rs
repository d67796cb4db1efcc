//! The real worker in workerd under `wrangler dev`, on a fresh local D1 that has had the migrations
//! applied, and a small HTTP client for the protocol.
//!
//! Each test binary starts its own server on a free port with its own `--persist-to` folder, so runs
//! and binaries never share state. The worker and the app must be built already (the test command
//! does that); the server runs from `wrangler.local.toml`, which scripts/build.sh writes from
//! wrangler.toml without its `[build]`, so it neither rebuilds them nor watches the sources.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{ISSUES_SQL, rows};
use crate::members::{Member, SESSION_KEY, SETUP_TOKEN};
use crate::reply::Reply;

pub struct Server {
    pub url: String,
    pub persist: PathBuf,
    log: PathBuf,
    /// The shell that owns `wrangler dev`, and what it runs (again, on a restart).
    watchdog: Mutex<Child>,
    script: String,
    /// The owner of the workspace most tests share, made on first use.
    owner: OnceLock<Member>,
    migrated: bool,
}

/// The server shared by the tests of one binary, with migrations applied.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(true))
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Server {
    /// Starts `wrangler dev` on a free port. `migrate: false` leaves the database without tables, to
    /// see what the worker answers when D1 fails.
    pub fn start(migrate: bool) -> Server {
        Self::start_with(if migrate {
            Schema::Latest
        } else {
            Schema::None
        })
    }

    /// Starts `wrangler dev` with the rate limits on (the other servers run without them, as their
    /// tests push as fast as they can as one member) and `vars` (`NAME:value`) set.
    pub fn start_limited(vars: &[&str]) -> Server {
        Self::start_with_options(Schema::Latest, true, vars)
    }

    /// Starts `wrangler dev` (rate limits off, as usual) with `vars` (`NAME:value`) set.
    pub fn start_with_vars(vars: &[&str]) -> Server {
        Self::start_with_options(Schema::Latest, false, vars)
    }

    /// Starts `wrangler dev` on a database that had only the first migration when `seed` (SQL) ran,
    /// then got every later one: a deployment from before workspaces, upgraded.
    pub fn start_upgraded_from_v1(seed: &str) -> Server {
        Self::start_with(Schema::UpgradedFromV1(seed.to_owned()))
    }

    fn start_with(schema: Schema) -> Server {
        Self::start_with_options(schema, false, &[])
    }

    fn start_with_options(schema: Schema, limited: bool, vars: &[&str]) -> Server {
        for built in [
            "worker/build/index.js",
            "app/dist/index.html",
            "wrangler.local.toml",
        ] {
            assert!(
                root().join(built).exists(),
                "{built} is missing: build first with `bash scripts/build.sh` (scripts/test.sh does)"
            );
        }
        let name = format!(
            "{}-{}-{}",
            std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .unwrap_or_default(),
            std::process::id(),
            Uuid::new_v4().simple()
        );
        let persist = root().join(".tmp/tests").join(name);
        std::fs::create_dir_all(&persist).expect("create the persist folder");
        if let Schema::UpgradedFromV1(seed) = &schema {
            apply_v1_then_seed(&persist, seed);
        }
        let migrate = !matches!(schema, Schema::None);
        if migrate {
            wrangler(&[
                "d1",
                "migrations",
                "apply",
                "DB",
                "--local",
                "--persist-to",
                &persist.to_string_lossy(),
            ]);
        }
        let port = free_port();
        let inspector = free_port();
        let log = persist.join("wrangler-dev.log");
        let limits = if limited {
            ""
        } else {
            "--var RATE_LIMITS:off "
        };
        let vars: String = vars.iter().map(|var| format!("--var '{var}' ")).collect();
        // A watchdog shell owns wrangler and its workerd: when this test process exits, however it
        // exits, the shell notices within half a second and kills its whole process group.
        let script = format!(
            "trap 'kill 0' EXIT; npx wrangler dev --config wrangler.local.toml --ip 127.0.0.1 --port {port} --inspector-port {inspector} \
             --persist-to '{}' --show-interactive-dev-session=false --test-scheduled --var TRACKER_TEST_ROUTES:1 \
             --var SETUP_TOKEN:{SETUP_TOKEN} --var SESSION_KEY:{SESSION_KEY} {limits}{vars} \
             >> '{}' 2>&1 & while kill -0 {} 2>/dev/null; do sleep 0.5; done",
            persist.display(),
            log.display(),
            std::process::id()
        );
        let watchdog = shell(&script)
            .spawn()
            .expect("start wrangler dev under its watchdog");
        let server = Server {
            url: format!("http://127.0.0.1:{port}"),
            persist,
            log,
            watchdog: Mutex::new(watchdog),
            script,
            owner: OnceLock::new(),
            migrated: migrate,
        };
        server.wait_until_ready(Duration::from_secs(120));
        server
    }

    /// Stops workerd (wrangler, its workerd and the watchdog, at once, as a crash or a deploy
    /// would), keeps it down for `down`, and starts it again on the same port and local state. The
    /// Durable Objects and the isolate's memory (the faults set) start anew; D1 keeps its data.
    pub fn restart(&self, down: Duration) {
        let mut watchdog = self.watchdog.lock().unwrap_or_else(|e| e.into_inner());
        let group = format!("-{}", watchdog.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .expect("run kill");
        assert!(killed.success(), "the server's process group was killed");
        watchdog.wait().expect("the watchdog ended");
        let port: u16 = self
            .url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("the server's port");
        let freed = Instant::now();
        while TcpListener::bind(("127.0.0.1", port)).is_err() {
            assert!(
                freed.elapsed() < Duration::from_secs(30),
                "port {port} is free again"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(down);
        *watchdog = shell(&self.script)
            .spawn()
            .expect("start wrangler dev under its watchdog again");
        drop(watchdog);
        self.wait_until_ready(Duration::from_secs(120));
    }

    fn wait_until_ready(&self, timeout: Duration) {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Ok(response) = agent().get(&format!("{}/", self.url)).call()
                && response.status() == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!(
            "wrangler dev did not answer within {timeout:?}; its log:\n{}",
            self.log_tail()
        );
    }

    /// How many lines of the server's log (all its runs) hold `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(needle))
            .count()
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs a query on the local D1's SQLite file, read-only: not through the worker (no test-only
    /// endpoint), and never blocking it (the file is in WAL mode, where readers do not block writers).
    pub fn sql(&self, sql: &str) -> Vec<Value> {
        let conn = rusqlite::Connection::open_with_flags(
            self.d1_file(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .expect("open the local D1 file");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        rows(&conn, sql)
    }

    /// Changes the local D1's SQLite file behind the worker's back: a change the worker was never
    /// told of, as when what should have followed it (closing a removed member's sockets) was lost.
    pub fn write_behind(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.d1_file()).expect("open the local D1 file");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        conn.execute_batch(sql).expect("the write applies");
    }

    /// Runs `write` on the local D1's SQLite file behind the worker's back: a benchmark's data, written
    /// natively with the server's own statements rather than pushed.
    pub fn with_d1(&self, write: impl FnOnce(&mut rusqlite::Connection)) {
        let mut conn = rusqlite::Connection::open(self.d1_file()).expect("open the local D1 file");
        conn.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        write(&mut conn);
    }

    /// The SQLite file behind the `DB` binding in `--persist-to` (miniflare keeps one per database).
    fn d1_file(&self) -> PathBuf {
        let dir = self.persist.join("v3/d1/miniflare-D1DatabaseObject");
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("no local D1 in {}: {err}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "sqlite")
                    && path.file_stem().is_some_and(|stem| stem != "metadata")
            })
            .collect();
        assert_eq!(
            files.len(),
            1,
            "expected one D1 database file in {}",
            dir.display()
        );
        files[0].clone()
    }

    /// The whole issue table, ordered by id, as JSON rows.
    pub fn issues(&self) -> Vec<Value> {
        self.sql(ISSUES_SQL)
    }

    /// One workspace's issues, ordered by id, with their authors.
    pub fn issues_in(&self, workspace: &Uuid) -> Vec<Value> {
        crate::fixtures::issues_in(self, workspace)
    }

    /// The owner of the workspace most tests share, signed in by a session cookie. On a server
    /// without tables (nothing can be set up), a member the test signs in itself.
    pub fn owner(&self) -> &Member {
        self.owner.get_or_init(|| {
            if self.migrated {
                self.setup("Tests", "Owner", None)
            } else {
                Member::minted(Uuid::new_v4(), Uuid::new_v4(), SESSION_KEY, u64::MAX / 2)
            }
        })
    }

    /// `/api/workspaces/{the owner's workspace}/{action}`.
    pub fn api(&self, action: &str) -> String {
        self.owner().api(action)
    }

    /// A JSON POST as the owner, with extra `headers` (a `Cookie` given joins the session's).
    pub fn post(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Reply {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.post_with(path, body, &all)
    }

    /// A POST as the owner with exactly these other `headers` (no `Content-Type` unless given). A
    /// body of bytes goes with its `Content-Length`; a `ureq::SendBody::from_reader` streams
    /// chunked, with none.
    pub fn post_with(
        &self,
        path: &str,
        body: impl ureq::AsSendBody,
        headers: &[(&str, &str)],
    ) -> Reply {
        let cookie = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("cookie"))
            .map(|(_, value)| *value);
        let auth = self.owner().headers(cookie);
        let mut all: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("cookie"))
            .copied()
            .collect();
        all.extend(auth.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        self.post_raw(path, body, &all)
    }

    /// A POST with exactly these `headers`, credentials included or not.
    pub fn post_raw(
        &self,
        path: &str,
        body: impl ureq::AsSendBody,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.try_post_raw(path, body, headers)
            .unwrap_or_else(|err| panic!("the request reaches the server: {err}"))
    }

    /// [`Server::post_raw`], or why no answer came (the server is down or went away).
    pub fn try_post_raw(
        &self,
        path: &str,
        body: impl ureq::AsSendBody,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let mut request = agent().post(&format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send(body).map_err(|err| err.to_string())?;
        Reply::try_from(response)
    }

    /// Fires the Cron Trigger (compaction) as the platform would (`wrangler dev --test-scheduled`),
    /// and answers the run it recorded: `ran_at, cutoff, deleted_through, entries_deleted,
    /// clients_deleted, d1_calls, finished`.
    pub fn compact(&self) -> Value {
        let before = self.sql("SELECT COUNT(*) AS runs FROM compaction_run")[0]["runs"].clone();
        let reply = self.get("/__scheduled?cron=17+3+*+*+*");
        assert_eq!(reply.status, 200, "the scheduled event ran: {}", reply.text);
        let runs = self.sql(shared::compaction::SELECT_RUNS);
        assert_eq!(
            Some(runs.len() as u64),
            before.as_u64().map(|n| n + 1),
            "the run was recorded; the server's log:\n{}",
            self.log_tail()
        );
        runs[0].clone()
    }

    /// The shared workspace's compaction horizon.
    pub fn horizon_of(&self, workspace: &Uuid) -> u64 {
        self.sql(&format!(
            "SELECT horizon FROM workspace WHERE id = '{workspace}'"
        ))[0]["horizon"]
            .as_u64()
            .expect("a horizon")
    }

    /// A GET with no credentials.
    pub fn get(&self, path: &str) -> Reply {
        self.get_with(path, &[])
    }

    /// A GET with exactly these `headers`.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.try_get_with(path, headers)
            .unwrap_or_else(|err| panic!("the request reaches the server: {err}"))
    }

    /// [`Server::get_with`], or why no answer came (the server is down or went away).
    pub fn try_get_with(&self, path: &str, headers: &[(&str, &str)]) -> Result<Reply, String> {
        let mut request = agent().get(&format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::try_from(request.call().map_err(|err| err.to_string())?)
    }

    /// A push as the owner, in the shared workspace.
    pub fn push(&self, client: &Uuid, mutations: &[Value]) -> Reply {
        self.push_as(self.owner(), client, mutations)
    }

    /// A pull as the owner, in the shared workspace.
    pub fn pull(&self, client: &Uuid, cookie: Option<u64>) -> Reply {
        self.pull_as(self.owner(), client, cookie)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.post(path, &serde_json::to_vec(body).expect("serialise"), &[])
    }

    /// The log cursor as of now: where a new client's pull would end.
    pub fn log_end(&self) -> u64 {
        let mut cookie = Some(0);
        loop {
            let page = self.pull(&Uuid::new_v4(), cookie).ok();
            cookie = Some(page["cookie"].as_u64().expect("cookie"));
            if page["hasMore"] == json!(false) {
                return cookie.unwrap_or(0);
            }
        }
    }

    /// Every log entry of the shared workspace after `cookie` (`None`: from the log's start, cookie 0,
    /// while nothing is compacted; a pull with no cookie at all gets a snapshot), following `hasMore`;
    /// also the number of pages it took.
    pub fn pull_all(&self, client: &Uuid, cookie: Option<u64>) -> (Vec<Value>, usize) {
        self.pull_all_as(self.owner(), client, cookie)
    }

    /// [`Server::pull_all`] as `by`, in their workspace; a `429` is waited out as its `Retry-After` says.
    pub fn pull_all_as(
        &self,
        by: &Member,
        client: &Uuid,
        cookie: Option<u64>,
    ) -> (Vec<Value>, usize) {
        let mut entries = Vec::new();
        let mut cookie = Some(cookie.unwrap_or(0));
        let mut pages = 0;
        loop {
            let reply = self.pull_as(by, client, cookie);
            if reply.status == 429 {
                // A server with the rate limits on (the convergence run's) may have just counted a
                // burst of this member's requests: wait as it says, as every client does.
                let seconds: u64 = reply
                    .retry_after
                    .as_deref()
                    .and_then(|s| s.parse().ok())
                    .expect("a 429 says when to retry");
                std::thread::sleep(std::time::Duration::from_secs(seconds));
                continue;
            }
            let page = reply.ok();
            pages += 1;
            entries.extend(page["mutations"].as_array().cloned().unwrap_or_default());
            cookie = page["cookie"].as_u64();
            if page["hasMore"] != json!(true) {
                return (entries, pages);
            }
        }
    }
}

enum Schema {
    None,
    Latest,
    UpgradedFromV1(String),
}

/// Applies `migrations/0001_*` alone through wrangler (with a config of its own whose migrations
/// folder holds only that file, on the same local database), then runs `seed`.
fn apply_v1_then_seed(persist: &Path, seed: &str) {
    let v1 = persist.join("v1");
    std::fs::create_dir_all(v1.join("migrations")).expect("a folder for version 1");
    std::fs::copy(
        root().join("migrations/0001_init.sql"),
        v1.join("migrations/0001_init.sql"),
    )
    .expect("copy the first migration");
    let main = std::fs::read_to_string(root().join("wrangler.toml")).expect("wrangler.toml");
    let database = main
        .split("[[d1_databases]]")
        .nth(1)
        .expect("the D1 binding in wrangler.toml");
    std::fs::write(
        v1.join("wrangler.toml"),
        format!(
            "name = \"tracker\"\ncompatibility_date = \"2026-04-20\"\n[[d1_databases]]{database}"
        ),
    )
    .expect("write the version 1 config");
    let config = v1.join("wrangler.toml").to_string_lossy().into_owned();
    let persist = persist.to_string_lossy().into_owned();
    let local = ["--local", "--persist-to", &persist, "--config", &config];
    let mut apply = vec!["d1", "migrations", "apply", "DB"];
    apply.extend(local);
    wrangler(&apply);
    let mut execute = vec!["d1", "execute", "DB", "--command", seed];
    execute.extend(local);
    wrangler(&execute);
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A port free now, below the kernel's ephemeral range (32768 and up): between this check and
/// wrangler's bind, no other process's connection or `bind(0)` (another server's workerd, say) can
/// be handed it, as a port from `bind(0)` could.
fn free_port() -> u16 {
    (0..200)
        .map(|_| 20_000 + (Uuid::new_v4().as_u128() % 12_000) as u16)
        .find(|port| TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port between 20000 and 32000")
}

fn shell(script: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(root())
        .env("TRACKER_SKIP_BUILD", "1")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CI", "true")
        .stdin(Stdio::null())
        .process_group(0);
    command
}

/// Runs a wrangler command to completion and returns its stdout.
fn wrangler(args: &[&str]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let output = shell(&format!("npx wrangler {}", quoted.join(" ")))
        .output()
        .expect("run wrangler");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "wrangler {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
