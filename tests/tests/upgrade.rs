//! A deployment from before workspaces keeps everything through the upgrade: its database had only
//! the first migration when two issues were made; after the second, the first workspace set up takes
//! its issues, its log (as the owner's) and its clients, whose next pushes carry on in order.

use serde_json::json;
use sync_tests::{Server, create, numbered, update_status};
use uuid::Uuid;

const CLIENT: &str = "3b0f8a1e-6c2d-4e5f-9a7b-1c2d3e4f5a6b";
const FIRST: &str = "11111111-2222-4333-8444-555555555555";
const SECOND: &str = "66666666-7777-4888-8999-aaaaaaaaaaaa";

fn seed() -> String {
    let create = |id: &str, title: &str| {
        format!(
            "{{\"id\":\"{id}\",\"title\":\"{title}\",\"description\":\"\",\"owner\":\"ada\",\"createdAt\":1}}"
        )
    };
    format!(
        "INSERT INTO issue (id, title, description, owner, status, created_at, updated_at) VALUES \
           ('{FIRST}', 'From before', '', 'ada', 'not started', 1, 1), \
           ('{SECOND}', 'Also from before', '', 'ada', 'not started', 1, 1); \
         INSERT INTO mutation_log (client_id, mutation_id, name, args) VALUES \
           ('{CLIENT}', 1, 'createIssue', '{}'), ('{CLIENT}', 2, 'createIssue', '{}'); \
         INSERT INTO client (id, last_mutation_id) VALUES ('{CLIENT}', 2);",
        create(FIRST, "From before"),
        create(SECOND, "Also from before")
    )
}

#[test]
fn the_first_workspace_takes_what_the_deployment_held_and_its_clients_carry_on() {
    let s = Server::start_upgraded_from_v1(&seed());
    let client = Uuid::parse_str(CLIENT).unwrap();
    // Until someone signs in, nothing is readable.
    s.pull_as(
        &sync_tests::Member::minted(Uuid::new_v4(), Uuid::new_v4(), "not the key", u64::MAX / 2),
        &client,
        None,
    )
    .assert_error(401, "Unauthenticated");

    let owner = s.setup("Upgraded", "Ada", None);
    let session = s
        .send_as(Some(&owner), "GET", "/api/session", &json!(null))
        .ok();
    assert_eq!(session["workspaces"][0]["legacy"], json!(true));
    let issues = s.issues_in(&owner.workspace);
    assert_eq!(issues.len(), 2, "both issues are the first workspace's");
    assert!(
        issues
            .iter()
            .all(|row| row["created_by"] == json!(owner.id))
    );

    // The old client pulls its own history back, as the owner's, and pushes on from 3.
    let (entries, _) = s.pull_all_as(&owner, &client, None);
    let seen: Vec<_> = entries
        .iter()
        .map(|e| (e["memberId"].clone(), e["id"].clone()))
        .collect();
    assert_eq!(
        seen,
        [(json!(owner.id), json!(1)), (json!(owner.id), json!(2))]
    );
    let first = Uuid::parse_str(FIRST).unwrap();
    let pushed = s
        .push_as(
            &owner,
            &client,
            &numbered(3, [update_status(&first, "done", 2)]),
        )
        .ok();
    assert_eq!(pushed["lastMutationId"], json!(3));
    assert_eq!(s.issues_in(&owner.workspace)[0]["status"], json!("done"));

    // A later workspace starts empty, and is not the one that took the old data.
    let later = s.setup("Later", "Bea", None);
    let (entries, _) = s.pull_all_as(&later, &Uuid::new_v4(), None);
    assert!(entries.is_empty());
    s.push_as(
        &later,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "new")]),
    )
    .ok();
    let session = s
        .send_as(Some(&later), "GET", "/api/session", &json!(null))
        .ok();
    assert_eq!(session["workspaces"][0]["legacy"], json!(false));
}
