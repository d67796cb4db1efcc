//! The `tracker` binary against the real worker under `wrangler dev` (the harness of `tests/`): login,
//! changes made offline then synced, the live watch, an import killed half-way, GitHub and JSON
//! imports, exports, and what bad input does. Each test has its own `TRACKER_HOME`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sync_tests::members::Auth;
use sync_tests::{Member, Server, server};
use uuid::Uuid;

const GITHUB_FIXTURE: &str = "tests/fixtures/github-issues.json";

/// One person's CLI: their own folder for the login and the replica.
struct Cli {
    home: PathBuf,
    member: Member,
    token: String,
}

impl Cli {
    /// A new workspace called `workspace` owned by `name`, logged in from a fresh folder.
    fn new_workspace(server: &Server, workspace: &str, name: &str) -> Cli {
        let owner = server.setup(workspace, name, None);
        Cli::logged_in(server, &owner)
    }

    /// `member`'s CLI, logged in with a new API token.
    fn logged_in(server: &Server, member: &Member) -> Cli {
        let (bearer, _) = server.token(member, "cli");
        let Auth::Bearer(token) = bearer.auth else {
            unreachable!("a token")
        };
        let home = std::env::temp_dir().join(format!("tracker-cli-{}", Uuid::new_v4()));
        let cli = Cli {
            home,
            member: member.clone(),
            token,
        };
        let out = cli.run(&["login", &cli.workspace_url(server), "--token", &cli.token]);
        out.assert_ok();
        cli
    }

    fn workspace_url(&self, server: &Server) -> String {
        format!("{}/w/{}", server.url, self.member.workspace)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tracker"));
        command
            .args(args)
            .env("TRACKER_HOME", &self.home)
            .env_remove("TRACKER_TOKEN")
            .env("EDITOR", "false")
            .env_remove("VISUAL")
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        command
    }

    fn run(&self, args: &[&str]) -> Ran {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("the CLI runs");
        Ran::from(args, output)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        out.assert_ok();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|err| panic!("{args:?} printed no JSON ({err}): {}", out.stdout))
    }

    fn login_file(&self) -> PathBuf {
        self.home.join("config").join("login.json")
    }

    /// Points the login at a port nothing listens on: the server is unreachable.
    fn go_offline(&self) -> String {
        let path = self.login_file();
        let text = std::fs::read_to_string(&path).expect("the login");
        let mut login: Value = serde_json::from_str(&text).expect("JSON");
        let url = login["url"].as_str().expect("url").to_owned();
        login["url"] = json!("http://127.0.0.1:9");
        std::fs::write(&path, login.to_string()).expect("write the login");
        url
    }

    fn go_online(&self, url: &str) {
        let path = self.login_file();
        let mut login: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the login"))
                .expect("JSON");
        login["url"] = json!(url);
        std::fs::write(&path, login.to_string()).expect("write the login");
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

#[derive(Debug)]
struct Ran {
    args: String,
    status: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn from(args: &[&str], output: Output) -> Ran {
        Ran {
            args: args.join(" "),
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn assert_ok(&self) {
        assert_eq!(
            self.status, 0,
            "tracker {}: {}{}",
            self.args, self.stdout, self.stderr
        );
    }

    /// Failed with this exit status and an `error[Code]` line.
    fn assert_failed(&self, status: i32, code: &str) {
        assert_eq!(
            self.status, status,
            "tracker {}: {}{}",
            self.args, self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(&format!("error[{code}]")),
            "tracker {}: {}",
            self.args,
            self.stderr
        );
    }
}

fn issues_in(server: &Server, workspace: &Uuid) -> Vec<Value> {
    server.sql(&format!(
        "SELECT id, number, title, status, priority, assignee, deleted_at FROM issue \
         WHERE workspace_id = '{workspace}' ORDER BY number"
    ))
}

fn count(server: &Server, sql: &str) -> u64 {
    server.sql(sql)[0]["n"].as_u64().expect("a count")
}

#[test]
fn login_keeps_the_token_private_and_changes_made_offline_sync_on_the_next_command() {
    let server = server();
    let ann = Cli::new_workspace(server, "Command Line", "Ann");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ann.login_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the login holds a token: its owner's only"
        );
        for folder in ["config", "data"] {
            let mode = std::fs::metadata(ann.home.join(folder))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o700,
                "{folder}: the workspace's, its owner's only"
            );
        }
    }
    let me = ann.json(&["whoami"]);
    assert_eq!(me["member"]["name"], "Ann");
    assert_eq!(me["workspace"]["name"], "Command Line");

    let made = ann.json(&[
        "new",
        "Ship the CLI",
        "-d",
        "From a terminal",
        "--label",
        "cli",
        "--priority",
        "high",
        "--assignee",
        "me",
    ]);
    assert_eq!(made["key"], "CL-1");
    assert_eq!(made["labels"], json!(["cli"]));
    assert_eq!(made["assignee"]["name"], "Ann");
    assert_eq!(made["priority"], "high");
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(
        issues_in(server, &ann.member.workspace)[0]["title"],
        "Ship the CLI"
    );

    // Offline: the changes apply to the replica at once and wait in its pending queue.
    let url = ann.go_offline();
    let done = ann.run(&["status", "CL-1", "done"]);
    done.assert_ok();
    assert!(
        done.stderr.contains("saved on this device"),
        "{}",
        done.stderr
    );
    ann.run(&["comment", "CL-1", "Written on a train"])
        .assert_ok();
    let offline_new = ann.json(&["new", "Made offline"]);
    assert_eq!(
        offline_new["key"],
        Value::Null,
        "no number until the server gives one"
    );
    let listed = ann.json(&["ls", "--status", "done"]);
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the replica shows it done already"
    );
    ann.run(&["sync"]).assert_failed(5, "Offline");
    assert_eq!(ann.json(&["whoami"])["pending"], 3);
    let on_server = issues_in(server, &ann.member.workspace);
    assert_eq!(on_server.len(), 1, "nothing reached the server");
    assert_eq!(on_server[0]["status"], "not started");

    // Back online: the next command (any command) pushes the queue, once.
    ann.go_online(&url);
    let listed = ann.json(&["ls"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(ann.json(&["whoami"])["pending"], 0);
    let on_server = issues_in(server, &ann.member.workspace);
    assert_eq!(on_server.len(), 2);
    assert_eq!(on_server[0]["status"], "done");
    assert_eq!(on_server[1]["title"], "Made offline");
    assert_eq!(on_server[1]["number"], 2);
    let shown = ann.json(&["show", "CL-1"]);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["comments"][0]["body"], "Written on a train");
    assert_eq!(shown["comments"][0]["author"]["name"], "Ann");
    assert_eq!(
        count(
            server,
            &format!("SELECT COUNT(*) AS n FROM comment WHERE issue_id = '{id}'")
        ),
        1,
        "applied once"
    );

    // Filters as in the web app, and the text listing.
    assert_eq!(
        ann.json(&["ls", "--label", "cli"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ann.json(&["ls", "--assignee", "none"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        ann.json(&["ls", "--search", "offline"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let text = ann.run(&["ls"]);
    text.assert_ok();
    assert!(
        text.stdout.contains("CL-1") && text.stdout.contains("Ship the CLI"),
        "{}",
        text.stdout
    );
    let edited = ann.json(&[
        "edit",
        "CL-2",
        "--title",
        "Made on a train",
        "--add-label",
        "Cli",
    ]);
    assert_eq!(edited["title"], "Made on a train");
    assert_eq!(
        edited["labels"],
        json!(["cli"]),
        "the label found by name, whatever its case"
    );
}

#[test]
fn watch_prints_another_members_change_as_it_arrives() {
    let server = server();
    let ann = Cli::new_workspace(server, "Watched", "Ann");
    let bea = server.join(&ann.member, "Bea");
    let mut watch: Child = ann
        .command(&["watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watch starts");
    let (lines, heard) = mpsc::channel::<String>();
    let stdout = watch.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    // Bea, in her browser: her change reaches Ann's terminal.
    let issue = Uuid::new_v4();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = None;
    let mut pushed = false;
    while seen.is_none() && Instant::now() < deadline {
        if !pushed {
            // Give the socket a moment to open before the change.
            std::thread::sleep(Duration::from_secs(2));
            let reply = server.push_as(
                &bea,
                &Uuid::new_v4(),
                &[json!({"id": 1, "name": "createIssue", "timestamp": 1,
                    "args": {"id": issue, "title": "From Bea's browser", "description": "",
                             "owner": "Bea", "createdAt": 1}})],
            );
            assert_eq!(reply.status, 200, "{}", reply.text);
            pushed = true;
        }
        if let Ok(line) = heard.recv_timeout(Duration::from_millis(500)) {
            seen = Some(line);
        }
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let line = seen.expect("the watch printed the change within 30 s");
    let entry: Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(entry["name"], "createIssue");
    assert_eq!(entry["member"]["name"], "Bea");
    assert_eq!(entry["issue"]["title"], "From Bea's browser");
    assert_eq!(entry["issue"]["key"], "WAT-1");
}

#[test]
fn a_killed_import_loses_nothing_applies_once_and_running_it_again_changes_nothing() {
    let server = server();
    let ann = Cli::new_workspace(server, "Rocket", "Ann");
    server.join(&ann.member, "Bea Baker");
    ann.run(&["members"]).assert_ok();
    let fixture: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(GITHUB_FIXTURE).unwrap()).unwrap();
    let comments: usize = fixture
        .iter()
        .map(|i| i["comments"].as_array().unwrap().len())
        .sum();
    let workspace = ann.member.workspace;

    // Killed once the server has some of it: a push may be in flight.
    let mut import = ann
        .command(&["import", "github", GITHUB_FIXTURE])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the import starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = count(
            server,
            &format!("SELECT COUNT(*) AS n FROM issue WHERE workspace_id = '{workspace}'"),
        );
        if n > 0 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    import.kill().expect("kill the import");
    let _ = import.wait();
    let partial = count(
        server,
        &format!("SELECT COUNT(*) AS n FROM issue WHERE workspace_id = '{workspace}'"),
    );
    assert!(
        partial > 0,
        "the import reached the server before it was killed"
    );
    eprintln!(
        "killed with {partial} of {} issues on the server",
        fixture.len()
    );

    // The same import again finishes it: nothing twice, nothing lost.
    let again = ann.run(&["import", "github", GITHUB_FIXTURE, "--json"]);
    again.assert_ok();
    let issues = issues_in(server, &workspace);
    assert_eq!(issues.len(), fixture.len());
    let numbers: Vec<u64> = issues
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect();
    assert_eq!(
        numbers,
        (1..=fixture.len() as u64).collect::<Vec<_>>(),
        "gapless"
    );
    let on_server_comments = count(
        server,
        &format!(
            "SELECT COUNT(*) AS n FROM comment c JOIN issue i ON i.id = c.issue_id WHERE i.workspace_id = '{workspace}'"
        ),
    );
    assert_eq!(on_server_comments as usize, comments);
    let creates = count(
        server,
        &format!(
            "SELECT COUNT(*) AS n FROM mutation_log WHERE workspace_id = '{workspace}' AND name = 'createIssue'"
        ),
    );
    assert_eq!(creates as usize, fixture.len(), "each create applied once");
    assert_eq!(ann.json(&["whoami"])["pending"], 0);

    // What came in: statuses, labels with colours, assignees who are members, comments' authors.
    let closed = fixture.iter().filter(|i| i["state"] == "CLOSED").count();
    assert_eq!(
        issues.iter().filter(|i| i["status"] == "done").count(),
        closed
    );
    let bug = server.sql(&format!(
        "SELECT color FROM label WHERE workspace_id = '{workspace}' AND name = 'bug'"
    ));
    assert_eq!(bug[0]["color"], "#d73a4a");
    assert_eq!(
        server.sql(&format!(
            "SELECT COUNT(*) AS n FROM label WHERE workspace_id = '{workspace}'"
        ))[0]["n"],
        8
    );
    let assigned = issues.iter().filter(|i| !i["assignee"].is_null()).count();
    let assignable = fixture
        .iter()
        .filter(|i| {
            i["assignees"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["login"] == "ann" || a["login"] == "bea-baker")
        })
        .count();
    assert_eq!(
        assigned, assignable,
        "assigned when a member has the login or name"
    );
    let thirteen = ann.json(&["show", "13"]);
    assert_eq!(
        thirteen["title"],
        fixture.iter().find(|i| i["number"] == 13).unwrap()["title"]
    );
    let long = ann.json(&["show", "77"]);
    let description = long["description"].as_str().unwrap();
    assert_eq!(description.chars().count(), 10_000);
    assert!(description.ends_with("characters)"), "cut with a note");
    let with_comments = fixture
        .iter()
        .find(|i| {
            i["comments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["author"]["login"] != "ann")
        })
        .unwrap();
    let shown = ann.json(&["show", &with_comments["number"].to_string()]);
    let first_other = with_comments["comments"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["author"]["login"] != "ann")
        .unwrap();
    let author = with_comments["comments"][first_other]["author"]["login"]
        .as_str()
        .unwrap();
    assert!(
        shown["comments"][first_other]["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("**{author}** wrote:")),
        "{}",
        shown["comments"][first_other]
    );

    // A third run: nothing new, nothing sent.
    let log_end = server.log_end();
    let third = ann.run(&["import", "github", GITHUB_FIXTURE, "--json"]);
    third.assert_ok();
    let summary: Value = serde_json::from_str(&third.stdout).unwrap();
    assert_eq!(summary["newIssues"], 0);
    assert_eq!(summary["newComments"], 0);
    assert_eq!(summary["changes"], 0);
    assert_eq!(server.log_end(), log_end, "nothing logged");
}

/// Ids and times replaced by their order of appearance, history left out (an import starts its
/// own): what must survive export → import → export.
fn normalised(export: &Value) -> Value {
    fn walk(value: &Value, ids: &mut Vec<String>) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(key, _)| {
                        !matches!(key.as_str(), "history" | "workspace" | "exportedAt")
                    })
                    .map(|(key, v)| {
                        let v = if key.ends_with("At") && v.is_u64() {
                            json!("time")
                        } else {
                            walk(v, ids)
                        };
                        (key.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, ids)).collect()),
            Value::String(text) if Uuid::parse_str(text).is_ok() => {
                let at = ids.iter().position(|id| id == text).unwrap_or_else(|| {
                    ids.push(text.clone());
                    ids.len() - 1
                });
                json!(format!("id{at}"))
            }
            other => other.clone(),
        }
    }
    walk(export, &mut Vec::new())
}

#[test]
fn an_export_imports_into_a_new_workspace_and_exports_the_same() {
    let server = server();
    let ann = Cli::new_workspace(server, "Origin", "Ann");
    ann.run(&["import", "github", GITHUB_FIXTURE]).assert_ok();
    ann.run(&["edit", "5", "--priority", "urgent", "--assignee", "me"])
        .assert_ok();
    ann.run(&["status", "6", "in-progress"]).assert_ok();
    let trashed = ann.json(&["delete", "7"]);
    assert!(trashed["deletedAt"].is_u64(), "{trashed}");
    assert_eq!(ann.json(&["ls", "--trash"]).as_array().unwrap().len(), 1);
    ann.run(&["delete", "8"]).assert_ok();
    assert!(ann.json(&["restore", "8"])["deletedAt"].is_null());
    let dir = ann.home.clone();
    let first = dir.join("first.json");
    ann.run(&["export", "--format", "json", "-o", first.to_str().unwrap()])
        .assert_ok();
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    assert_eq!(exported["format"], "tracker-export");
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["issues"].as_array().unwrap().len(), 200);
    assert!(
        exported["issues"][6]["deletedAt"].is_u64(),
        "the trash is exported"
    );
    assert!(
        exported["issues"][0]["history"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
    );

    // Into a new workspace, by someone of the same name.
    let copy = Cli::new_workspace(server, "Copy", "Ann");
    let imported = copy.run(&["import", "json", first.to_str().unwrap(), "--json"]);
    imported.assert_ok();
    let second = dir.join("second.json");
    copy.run(&["export", "--format", "json", "-o", second.to_str().unwrap()])
        .assert_ok();
    let again: Value = serde_json::from_str(&std::fs::read_to_string(&second).unwrap()).unwrap();
    let (a, b) = (normalised(&exported), normalised(&again));
    assert_eq!(
        serde_json::to_string_pretty(&a).unwrap(),
        serde_json::to_string_pretty(&b).unwrap(),
        "export → import → export changes nothing but ids and times"
    );
    // Importing it again changes nothing.
    let log_end = server.log_end();
    let summary: Value = serde_json::from_str(
        &copy
            .run(&["import", "json", first.to_str().unwrap(), "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(summary["changes"], 0);
    assert_eq!(server.log_end(), log_end);

    // CSV: a header row and one row an issue, read back by `import csv`.
    let csv = copy.run(&["export", "--format", "csv"]);
    csv.assert_ok();
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        shared::export::CSV_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 200);
    assert_eq!(&rows[0][0], "COP-1");
    let third = Cli::new_workspace(server, "From a spreadsheet", "Cy");
    let file = dir.join("issues.csv");
    std::fs::write(&file, &csv.stdout).unwrap();
    let summary: Value = serde_json::from_str(
        &third
            .run(&["import", "csv", file.to_str().unwrap(), "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(summary["newIssues"], 200);
    let first_row = third.json(&["show", "1"]);
    assert_eq!(first_row["title"], &rows[0][1]);
    assert_eq!(first_row["status"], &rows[0][3]);
}

#[test]
fn bad_input_is_refused_with_a_code_and_changes_nothing() {
    let server = server();
    let ann = Cli::new_workspace(server, "Careful", "Ann");
    ann.run(&["new", "Keep me"]).assert_ok();
    let workspace = ann.member.workspace;
    let log_end = server.log_end();
    let bad = ann.home.join("bad.json");
    for (file, contents) in [
        ("bad.json", "not json at all"),
        (
            "issues.json",
            r#"[{"number": 1, "title": "t", "state": "MERGED", "createdAt": "2024-01-01T00:00:00Z"}]"#,
        ),
    ] {
        let path = ann.home.join(file);
        std::fs::write(&path, contents).unwrap();
        ann.run(&["import", "github", path.to_str().unwrap()])
            .assert_failed(2, "Usage");
    }
    std::fs::write(
        &bad,
        r#"{"format": "tracker-export", "version": 99, "members": [], "labels": [], "issues": []}"#,
    )
    .unwrap();
    let newer = ann.run(&["import", "json", bad.to_str().unwrap()]);
    newer.assert_failed(2, "Usage");
    assert!(newer.stderr.contains("version 99"), "{}", newer.stderr);
    std::fs::write(&bad, "title,status\nx,finished\n").unwrap();
    ann.run(&["import", "csv", bad.to_str().unwrap()])
        .assert_failed(2, "Usage");
    ann.run(&["import", "csv", "/no/such/file.csv"])
        .assert_failed(1, "Failed");
    ann.run(&["show", "CAR-99"]).assert_failed(4, "NotFound");
    ann.run(&["show", "what"]).assert_failed(2, "Usage");
    ann.run(&["new", &"x".repeat(201)])
        .assert_failed(2, "Usage");
    ann.run(&["new", "bell \u{7} in a title"])
        .assert_failed(6, "Refused");
    let unknown = ann.run(&["status", "CAR-1", "finished"]);
    assert_eq!(unknown.status, 2, "clap's usage error: {}", unknown.stderr);
    assert!(
        unknown.stderr.contains("not-started"),
        "lists the statuses: {}",
        unknown.stderr
    );
    ann.run(&["edit", "CAR-1", "--assignee", "Nobody Here"])
        .assert_failed(4, "NotFound");
    assert_eq!(server.log_end(), log_end, "nothing logged");
    assert_eq!(ann.json(&["whoami"])["pending"], 0, "nothing queued");
    assert_eq!(issues_in(server, &workspace).len(), 1);

    // Logins that cannot work.
    let stranger = Cli {
        home: std::env::temp_dir().join(format!("tracker-cli-{}", Uuid::new_v4())),
        member: ann.member.clone(),
        token: String::new(),
    };
    let url = ann.workspace_url(server);
    stranger
        .run(&["login", &url, "--token", "trk_not-a-real-token"])
        .assert_failed(3, "NotSignedIn");
    stranger
        .run(&["login", &url, "--token", "password"])
        .assert_failed(2, "Usage");
    stranger
        .run(&[
            "login",
            "http://tracker.example.com/w/x",
            "--token",
            "trk_x",
        ])
        .assert_failed(2, "Usage");
    let insecure = format!("http://tracker.example.com/w/{workspace}");
    let refused = stranger.run(&["login", &insecure, "--token", "trk_x"]);
    refused.assert_failed(2, "Usage");
    assert!(
        refused.stderr.contains("in the clear"),
        "{}",
        refused.stderr
    );
    stranger.run(&["ls"]).assert_failed(3, "NotSignedIn");
    assert!(!stranger.login_file().exists());

    // A revoked token: refused at the next command, the local change kept for a new login.
    let tokens = server.send_as(
        Some(&ann.member),
        "GET",
        &ann.member.api("members"),
        &json!({}),
    );
    let token_id = tokens.json()["tokens"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = server.send_as(
        Some(&ann.member),
        "POST",
        &ann.member.api("tokens/revoke"),
        &json!({"id": token_id}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let refused = ann.run(&["new", "After the revocation"]);
    refused.assert_failed(3, "NotSignedIn");
    assert_eq!(ann.json(&["whoami"])["pending"], 1, "kept for later");
    assert_eq!(issues_in(server, &workspace).len(), 1);
    let (bearer, _) = server.token(&ann.member, "again");
    let Auth::Bearer(token) = bearer.auth else {
        unreachable!()
    };
    ann.run(&["login", &url, "--token", &token]).assert_ok();
    assert_eq!(
        issues_in(server, &workspace).len(),
        2,
        "sent by the next login's sync"
    );
}

#[test]
fn an_import_past_the_daily_budget_stops_keeps_everything_and_goes_on_once_the_owner_gives_more() {
    // Rate limits and the daily budget on, as deployed, with a budget of 60 changes a day.
    let server = Server::start_limited(&["MEMBER_DAILY_MUTATIONS:60"]);
    let olive = Cli::new_workspace(&server, "Budget", "Olive");
    let bea_member = server.join(&olive.member, "Bea");
    let bea = Cli::logged_in(&server, &bea_member);
    let workspace = olive.member.workspace;
    let file = bea.home.join("issues.csv");
    let rows: String = (1..=100).map(|i| format!("Imported {i},done,\n")).collect();
    std::fs::write(&file, format!("title,status,labels\n{rows}")).unwrap();

    let stopped = bea.run(&["import", "csv", file.to_str().unwrap()]);
    stopped.assert_failed(7, "HeldBack");
    assert!(
        stopped.stderr.contains("100 changes are queued"),
        "{}",
        stopped.stderr
    );
    assert_eq!(
        issues_in(&server, &workspace).len(),
        0,
        "a push over the budget writes nothing"
    );
    assert_eq!(bea.json(&["whoami"])["pending"], 100, "everything kept");

    // Only the owner gives more; what the route refuses changes nothing.
    bea.run(&["budget", "Bea", "100"])
        .assert_failed(6, "Refused");
    let usage = |member: &Member| {
        server.sql(&format!(
            "SELECT mutations, budget, granted FROM member_usage WHERE member_id = '{}'",
            member.id
        ))
    };
    let before = usage(&bea_member);
    for (body, status, code) in [
        (
            json!({"memberId": bea_member.id, "extra": 100_001}),
            400,
            "InvalidRequest",
        ),
        (
            json!({"memberId": bea_member.id, "extra": -1}),
            400,
            "InvalidRequest",
        ),
        (json!({"memberId": bea_member.id}), 400, "InvalidRequest"),
        (
            json!({"memberId": Uuid::new_v4(), "extra": 10}),
            404,
            "NotFound",
        ),
    ] {
        server
            .send_as(
                Some(&olive.member),
                "POST",
                &olive.member.api("members/budget"),
                &body,
            )
            .assert_error(status, code);
    }
    let outsider = server.setup("Elsewhere", "Oscar", None);
    server
        .send_as(
            Some(&outsider),
            "POST",
            &outsider.api("members/budget"),
            &json!({"memberId": bea_member.id, "extra": 100}),
        )
        .assert_error(404, "NotFound");
    assert_eq!(usage(&bea_member), before, "nothing granted");

    let granted = olive.json(&["budget", "Bea", "100"]);
    assert_eq!(granted["budget"], 160);
    assert_eq!(granted["used"], 0);
    bea.run(&["sync"]).assert_ok();
    assert_eq!(issues_in(&server, &workspace).len(), 100);
    assert_eq!(bea.json(&["whoami"])["pending"], 0);
    assert_eq!(usage(&bea_member)[0]["mutations"], 100);
}
