//! Schema version 2 through the real worker: its mutations apply and come back in pulls, its rules
//! refuse with their messages, a version-1 client keeps pushing, and its pulls are refused once the
//! workspace has logged a version-2 change (and only that workspace).

use serde_json::{Value, json};
use sync_tests::{Member, Server, create, numbered};
use uuid::Uuid;

/// The workspace's `schema_version` as D1 holds it.
fn workspace_version(s: &Server, by: &Member) -> u64 {
    s.sql(&format!(
        "SELECT schema_version FROM workspace WHERE id = '{}'",
        by.workspace
    ))[0]["schema_version"]
        .as_u64()
        .expect("a version")
}

fn names(pulled: &Value) -> Vec<String> {
    pulled["mutations"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["name"].as_str().expect("a name").to_owned())
        .collect()
}

#[test]
fn a_version_1_client_keeps_pushing_and_may_pull_until_the_workspace_has_version_2_changes() {
    let s = Server::start(true);
    let owner = s.setup("Upgrading", "Ada", None);
    let elsewhere = s.setup("Elsewhere", "Ada", Some(&owner));
    let old_client = Uuid::new_v4();
    let issue = Uuid::new_v4();

    // Version 1 pushes and pulls as it always did.
    let pushed = s
        .push_at_version(
            1,
            &owner,
            &old_client,
            &numbered(1, [create(&issue, "from v1")]),
        )
        .ok();
    assert_eq!(pushed, json!({"lastMutationId": 1, "rejected": []}));
    // A version-2 mutation is not version 1's: rejected as unknown, nothing changed.
    let priority = json!({"name": "setIssuePriority",
                          "args": {"id": issue, "priority": "high", "updatedAt": 2}});
    let pushed = s
        .push_at_version(1, &owner, &old_client, &numbered(2, [priority.clone()]))
        .ok();
    assert_eq!(pushed["rejected"][0]["error"], json!("UnknownMutation"));
    assert_eq!(workspace_version(&s, &owner), 1);
    let pulled = s.pull_at_version(1, &owner, &old_client, Some(0)).ok();
    assert_eq!(names(&pulled), ["createIssue"]);

    // A version-2 client sets a priority: the workspace is at version 2 from that batch on.
    let new_client = Uuid::new_v4();
    s.push_as(&owner, &new_client, &numbered(1, [priority]))
        .ok();
    assert_eq!(workspace_version(&s, &owner), 2);
    assert_eq!(
        s.sql(&format!("SELECT priority FROM issue WHERE id = '{issue}'")),
        [json!({"priority": "high"})]
    );

    // Version 1 may no longer pull it, from its cookie or as a new device...
    for cookie in [Some(pulled["cookie"].as_u64().expect("a cookie")), None] {
        let message = s
            .pull_at_version(1, &owner, &old_client, cookie)
            .assert_error(409, "VersionNotSupported");
        assert!(
            message.contains("a new version of the app is available"),
            "{message}"
        );
    }
    // ... but its pushes are still taken: what it changed offline is not lost.
    let renamed = json!({"name": "updateIssue",
                         "args": {"id": issue, "title": "renamed by v1", "updatedAt": 3}});
    let pushed = s
        .push_at_version(1, &owner, &old_client, &numbered(3, [renamed]))
        .ok();
    assert_eq!(pushed, json!({"lastMutationId": 3, "rejected": []}));
    let pulled = s.pull_as(&owner, &new_client, Some(0)).ok();
    assert_eq!(
        names(&pulled),
        ["createIssue", "setIssuePriority", "updateIssue"]
    );

    // Another workspace has logged nothing of version 2: version 1 pulls it as before.
    s.pull_at_version(1, &elsewhere, &Uuid::new_v4(), None).ok();
    assert_eq!(workspace_version(&s, &elsewhere), 1);
    // A version the server does not speak at all is refused before anything else.
    s.pull_at_version(5, &owner, &new_client, Some(0))
        .assert_error(409, "VersionNotSupported");
}

#[test]
fn version_2_mutations_apply_through_push_come_back_in_pull_and_keep_their_rules() {
    let s = Server::start(true);
    let owner = s.setup("Labels", "Ada", None);
    let member = s.join(&owner, "Grace");
    let (issue, label, comment, theirs) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let owners = Uuid::new_v4();
    let mutations = numbered(
        1,
        [
            create(&issue, "labelled"),
            json!({"name": "createLabel", "args": {"id": label, "name": "Bug", "color": "#D73A4A", "createdAt": 1}}),
            json!({"name": "addIssueLabel", "args": {"issueId": issue, "labelId": label, "updatedAt": 2}}),
            json!({"name": "assignIssue", "args": {"id": issue, "assignee": member.id, "updatedAt": 3}}),
            json!({"name": "addComment", "args": {"id": comment, "issueId": issue, "body": "Seen on prod", "createdAt": 4}}),
        ],
    );
    assert_eq!(
        s.push_as(&owner, &owners, &mutations).ok(),
        json!({"lastMutationId": 5, "rejected": []})
    );
    assert_eq!(
        s.sql(&format!(
            "SELECT i.assignee, l.name, l.color, c.body, c.author FROM issue i \
             JOIN issue_label il ON il.issue_id = i.id JOIN label l ON l.id = il.label_id \
             JOIN comment c ON c.issue_id = i.id WHERE i.id = '{issue}'"
        )),
        [
            json!({"assignee": member.id, "name": "Bug", "color": "#d73a4a",
                "body": "Seen on prod", "author": owner.id})
        ]
    );

    // The member comments, then may not touch the owner's comment: rejected with the rule's words.
    let members = Uuid::new_v4();
    let reply = s
        .push_as(
            &member,
            &members,
            &numbered(
                1,
                [
                    json!({"name": "addComment", "args": {"id": theirs, "issueId": issue, "body": "Me too", "createdAt": 5}}),
                    json!({"name": "editComment", "args": {"id": comment, "issueId": issue, "body": "hijacked", "editedAt": 6}}),
                    json!({"name": "createLabel", "args": {"id": Uuid::new_v4(), "name": "bug", "color": "#000000", "createdAt": 7}}),
                    json!({"name": "deleteComment", "args": {"id": theirs, "issueId": issue}}),
                ],
            ),
        )
        .ok();
    assert_eq!(
        reply["rejected"],
        json!([
            {"id": 2, "error": "StatementFailed",
             "message": "only the comment's author or the workspace's owner may change or delete it"},
            {"id": 3, "error": "StatementFailed", "message": "another label already has this name"},
        ])
    );
    assert_eq!(reply["lastMutationId"], json!(4));
    // The owner may edit anyone's comment.
    let edit = json!({"name": "editComment", "args": {"id": comment, "issueId": issue, "body": "Seen on prod (twice)", "editedAt": 8}});
    s.push_as(&owner, &owners, &numbered(6, [edit])).ok();
    assert_eq!(
        s.sql("SELECT id, body, edited_at FROM comment ORDER BY created_at"),
        [json!({"id": comment, "body": "Seen on prod (twice)", "edited_at": 8})]
    );

    // Everything applied comes back in a pull, as the member who made it.
    let pulled = s.pull_as(&member, &members, Some(0)).ok();
    assert_eq!(
        names(&pulled),
        [
            "createIssue",
            "createLabel",
            "addIssueLabel",
            "assignIssue",
            "addComment",
            "addComment",
            "deleteComment",
            "editComment",
        ]
    );
    // A new device gets the rows: the labels on the first page, each issue's links and comments.
    let snapshot = s.pull_as(&member, &Uuid::new_v4(), None).ok();
    let page = &snapshot["snapshot"];
    assert_eq!(page["labels"][0]["name"], json!("Bug"));
    assert_eq!(
        page["issueLabels"],
        json!([{"issueId": issue, "labelId": label}])
    );
    assert_eq!(page["comments"][0]["body"], json!("Seen on prod (twice)"));
    assert_eq!(page["comments"][0]["editedAt"], json!(8));
    assert_eq!(page["issues"][0]["assignee"], json!(member.id));

    // Deleting the issue takes its comments and links with it.
    s.push_as(
        &owner,
        &owners,
        &numbered(7, [json!({"name": "deleteIssue", "args": {"id": issue}})]),
    )
    .ok();
    assert_eq!(
        s.sql(
            "SELECT (SELECT COUNT(*) FROM comment) AS comments, \
               (SELECT COUNT(*) FROM issue_label) AS links, (SELECT COUNT(*) FROM label) AS labels"
        ),
        [json!({"comments": 0, "links": 0, "labels": 1})]
    );
}
