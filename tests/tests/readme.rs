//! The command blocks the README presents as runnable, run as written: the `curl` walkthrough (the
//! block between its `walkthrough` markers) against a fresh server, from the setup token to a
//! workspace, an API token, a push and a pull; and the run command (`runnable: dev`), which must
//! serve the tracker without building again what the test command built. (`runnable: test` is the
//! test command itself, which CI runs.) If the docs and the code part ways, this fails.

use std::process::Command;

use sync_tests::members::SETUP_TOKEN;
use sync_tests::{root, server};

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// The first `sh` block after `marker`.
fn block_after(marker: &str) -> String {
    let readme = readme();
    let start = readme
        .find(marker)
        .unwrap_or_else(|| panic!("the README has {marker}"));
    readme[start..]
        .lines()
        .skip_while(|line| !line.starts_with("```sh"))
        .skip(1)
        .take_while(|line| !line.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn walkthrough() -> String {
    let readme = readme();
    let end = readme
        .find("<!-- /walkthrough -->")
        .expect("the walkthrough's end marker");
    let script = block_after("<!-- walkthrough -->");
    assert!(
        readme.find(&script).is_some_and(|at| at < end),
        "the walkthrough's block is between its markers"
    );
    script
}

#[test]
fn the_readmes_curl_walkthrough_runs_as_written() {
    let s = server();
    let dir = s.persist.join("walkthrough");
    std::fs::create_dir_all(&dir).expect("a folder for the cookie jar");
    let script = walkthrough();
    assert!(
        script.contains("/api/setup") && script.contains("/pull"),
        "{script}"
    );
    let output = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env("U", &s.url)
        .env("SETUP_TOKEN", SETUP_TOKEN)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(r#"{"lastMutationId":2,"rejected":[]}"#),
        "{stdout}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    let entry: serde_json::Value = serde_json::from_str(last).expect("the pull's line is JSON");
    assert_eq!(entry["id"], serde_json::json!(1), "{last}");
    assert_eq!(entry["title"], serde_json::json!("Made by a script"));
    assert_eq!(
        entry["number"],
        serde_json::json!(1),
        "the server numbered it: {last}"
    );
    assert!(entry["memberId"].as_str().is_some_and(|id| id.len() == 36));
}

#[test]
fn the_readmes_run_command_serves_the_tracker_without_building_again() {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let block = block_after("<!-- runnable: dev -->");
    let command = block
        .split('#')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert_eq!(command, "bash scripts/dev.sh", "{block}");
    // Its own port (the README says arguments pass through to wrangler dev); the test command has
    // built everything, so the run command must build nothing.
    let port = 20_000 + (uuid::Uuid::new_v4().as_u128() % 12_000) as u16;
    let log = root().join(format!(".tmp/dev-{port}.log"));
    let started = Instant::now();
    let mut dev = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{command} --ip 127.0.0.1 --port {port} --inspector-port {} > '{}' 2>&1",
            port + 1,
            log.display()
        ))
        .current_dir(root())
        // As a person runs it: the build's own check, not the test command's skip, decides.
        .env_remove("TRACKER_SKIP_BUILD")
        .env("CI", "true")
        .env("WRANGLER_SEND_METRICS", "false")
        .process_group(0)
        .spawn()
        .expect("run the README's run command");
    let group = dev.id() as i32;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let url = format!("http://127.0.0.1:{port}");
    let mut answered = None;
    while started.elapsed() < Duration::from_secs(240) && answered.is_none() {
        if let Ok(response) = agent.get(&format!("{url}/")).call()
            && response.status() == 200
        {
            answered = Some(started.elapsed());
        } else {
            std::thread::sleep(Duration::from_millis(250));
        }
    }
    let session = agent.get(&format!("{url}/api/session")).call();
    // Stop it and its children (wrangler, workerd, the source watcher).
    let _ = Command::new("kill")
        .arg("--")
        .arg(format!("-{group}"))
        .status();
    let _ = dev.wait();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let served = answered.unwrap_or_else(|| panic!("the tracker was not served:\n{output}"));
    eprintln!("the run command served the tracker after {served:?}");
    assert_eq!(
        session.map(|r| r.status().as_u16()).ok(),
        Some(401),
        "the API answers, asking who is there"
    );
    assert!(
        output.contains("/setup?token="),
        "it prints the setup link:\n{output}"
    );
    assert!(
        output.contains("the worker is up to date") && output.contains("the app is up to date"),
        "it built nothing again:\n{output}"
    );
    assert!(
        !output.contains("restarting build"),
        "wrangler did not build a second time:\n{output}"
    );
}
