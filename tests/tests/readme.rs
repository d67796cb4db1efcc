//! The README's `curl` walkthrough, run as written (the block between its `walkthrough` markers)
//! against a fresh server: from the setup token to a workspace, an API token, a push and a pull. If
//! the API changes and the README does not, this fails.

use std::process::Command;

use sync_tests::members::SETUP_TOKEN;
use sync_tests::{root, server};

fn walkthrough() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- walkthrough -->")
        .expect("the walkthrough's start marker");
    let end = readme
        .find("<!-- /walkthrough -->")
        .expect("the walkthrough's end marker");
    readme[start..end]
        .lines()
        .skip_while(|line| !line.starts_with("```sh"))
        .skip(1)
        .take_while(|line| !line.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
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
    assert!(entry["memberId"].as_str().is_some_and(|id| id.len() == 36));
}
