//! Issue numbers against the real worker on a local D1 (schema version 3): several clients' pushes
//! racing each other number their issues uniquely and without gaps, compaction changes none of it,
//! a pull carries the number in the create's entry, and the workspace's key is its owner's to set.

use serde_json::{Value, json};
use sync_tests::{Server, create, numbered};
use uuid::Uuid;

/// This binary's server, with compaction taking every entry logged before it runs.
fn server() -> &'static Server {
    static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| Server::start_with_vars(&["LOG_RETENTION_DAYS:0"]))
}

fn numbers(s: &Server, workspace: &Uuid) -> Vec<u64> {
    s.sql(&format!(
        "SELECT number FROM issue WHERE workspace_id = '{workspace}' ORDER BY number"
    ))
    .iter()
    .map(|row| row["number"].as_u64().expect("numbered"))
    .collect()
}

#[test]
fn racing_pushes_from_several_clients_number_issues_once_each_without_gaps_through_compaction() {
    let s = server();
    let owner = s.setup("Racing numbers", "Olive", None);
    let members: Vec<_> = (0..3)
        .map(|i| s.join(&owner, &format!("Member {i}")))
        .chain([owner.clone()])
        .collect();
    // Four members, each a client pushing ten creates one push at a time, all at once.
    std::thread::scope(|scope| {
        for member in &members {
            scope.spawn(move || {
                let client = Uuid::new_v4();
                for i in 0..10u64 {
                    let mutation = numbered(i + 1, [create(&Uuid::new_v4(), "raced")]);
                    let reply = s.push_as(member, &client, &mutation);
                    assert_eq!(reply.status, 200, "{}", reply.text);
                }
            });
        }
    });
    assert_eq!(numbers(s, &owner.workspace), (1..=40).collect::<Vec<_>>());
    // A pull's create entries carry the numbers the rows have.
    let (entries, _) = s.pull_all_as(&owner, &Uuid::new_v4(), Some(0));
    let mut logged: Vec<u64> = entries
        .iter()
        .filter(|e| e["name"] == "createIssue")
        .map(|e| e["number"].as_u64().expect("the entry's number"))
        .collect();
    logged.sort();
    assert_eq!(logged, (1..=40).collect::<Vec<_>>());

    // Compaction deletes the log: the numbers stay, the counter goes on, a snapshot carries them.
    s.compact();
    assert!(s.horizon_of(&owner.workspace) > 0, "the log was compacted");
    s.push_as(
        &owner,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "after compaction")]),
    )
    .ok();
    assert_eq!(numbers(s, &owner.workspace), (1..=41).collect::<Vec<_>>());
    let snapshot = s.pull_as(&owner, &Uuid::new_v4(), None).ok();
    let mut carried: Vec<u64> = snapshot["snapshot"]["issues"]
        .as_array()
        .expect("a snapshot page")
        .iter()
        .map(|i| i["number"].as_u64().expect("the row's number"))
        .collect();
    carried.sort();
    assert_eq!(carried.len(), 41);
    assert_eq!(carried.last(), Some(&41));
    // Another workspace counts from 1.
    let other = s.setup("Other numbers", "Oscar", None);
    s.push_as(
        &other,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "first")]),
    )
    .ok();
    assert_eq!(numbers(s, &other.workspace), [1]);
}

#[test]
fn a_client_cannot_choose_a_number_and_only_the_trash_moves_a_workspace_to_version_3() {
    let s = server();
    let owner = s.setup("Chosen numbers", "Olive", None);
    let client = Uuid::new_v4();
    let mut chosen = create(&Uuid::new_v4(), "mine is 7");
    chosen["args"]["number"] = json!(7);
    let reply = s.push_as(&owner, &client, &numbered(1, [chosen])).ok();
    assert_eq!(reply["rejected"][0]["error"], "InvalidArgs", "{reply}");
    assert!(
        reply["rejected"][0]["message"]
            .as_str()
            .unwrap()
            .contains("number is given by the server")
    );
    assert!(numbers(s, &owner.workspace).is_empty(), "nothing applied");
    // A number travels beside its entry: a client of version 2 still reads the log (without
    // numbers); once an issue goes to the trash, the workspace is at version 3 and it must reload.
    let issue = Uuid::new_v4();
    s.push_as(&owner, &client, &numbered(2, [create(&issue, "numbered")]))
        .ok();
    let old = s.pull_at_version(2, &owner, &Uuid::new_v4(), Some(0)).ok();
    assert_eq!(old["mutations"][0]["args"].get("number"), None, "{old}");
    assert_eq!(old["mutations"][0]["number"], 1, "{old}");
    s.push_as(
        &owner,
        &client,
        &numbered(
            3,
            [json!({"name": "deleteIssue", "args": {"id": issue, "deletedAt": 1_764_000_000_000u64}})],
        ),
    )
    .ok();
    s.pull_at_version(2, &owner, &Uuid::new_v4(), Some(0))
        .assert_error(409, "VersionNotSupported");
    let trashed = s.sql(&format!(
        "SELECT deleted_at FROM issue WHERE id = '{issue}'"
    ));
    assert_eq!(
        trashed[0]["deleted_at"], 1_764_000_000_000u64,
        "in the trash, not gone"
    );
}

#[test]
fn the_issue_key_is_chosen_at_setup_or_made_from_the_name_and_changed_by_the_owner_only() {
    let s = server();
    let key_of = |member: &sync_tests::Member| -> Value {
        let session = s
            .send_as(Some(member), "GET", "/api/session", &json!(null))
            .ok();
        session["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == json!(member.workspace))
            .map(|w| w["issueKey"].clone())
            .unwrap()
    };
    let named = s.setup("Acme web team", "Olive", None);
    assert_eq!(key_of(&named), "AWT");
    let token = sync_tests::members::SETUP_TOKEN;
    let chosen = s.send_as(
        None,
        "POST",
        "/api/setup",
        &json!({"token": token, "workspaceName": "Chosen", "name": "Ada", "issueKey": "ops"}),
    );
    assert_eq!(chosen.status, 201, "{}", chosen.text);
    assert_eq!(
        chosen.json()["workspaces"][0]["issueKey"],
        "OPS",
        "{}",
        chosen.text
    );
    for bad in ["T", "TOOLONG", "T1", "", "ÄBC"] {
        s.send_as(
            None,
            "POST",
            "/api/setup",
            &json!({"token": token, "workspaceName": "Bad key", "name": "Eve", "issueKey": bad}),
        )
        .assert_error(400, "InvalidRequest");
    }
    assert!(
        s.sql("SELECT id FROM workspace WHERE name = 'Bad key'")
            .is_empty()
    );

    let member = s.join(&named, "Mo");
    s.send_as(
        Some(&member),
        "POST",
        &member.api("issue-key"),
        &json!({"issueKey": "MO"}),
    )
    .assert_error(403, "Forbidden");
    for bad in [
        json!({"issueKey": "X"}),
        json!({"issueKey": 5}),
        json!({"key": "ABC"}),
        json!({"issueKey": "ABC", "more": 1}),
    ] {
        s.send_as(Some(&named), "POST", &named.api("issue-key"), &bad)
            .assert_error(400, "InvalidRequest");
    }
    assert_eq!(key_of(&named), "AWT", "nothing changed");
    let set = s
        .send_as(
            Some(&named),
            "POST",
            &named.api("issue-key"),
            &json!({"issueKey": "web"}),
        )
        .ok();
    assert_eq!(set["issueKey"], "WEB");
    assert_eq!(key_of(&named), "WEB");
    assert_eq!(key_of(&member), "WEB", "every member reads the new key");
}
