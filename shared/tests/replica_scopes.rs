//! The replica with schema version 2's rows: it refuses locally what the server would, with the same
//! message, and its targeted rebase resets and replays whole scopes (an issue with its comments and
//! label links; the labels), following a pending mutation into every scope it names.

mod common;

use common::{Server, by, create_args};
use serde_json::json;
use shared::api::Role;
use shared::replica::{Replica, ReplicaError, Storage};
use shared::server::applied_batch;
use uuid::Uuid;

fn replica_of(actor: shared::Actor, role: Role) -> Replica {
    let mut replica = Replica::open(&Storage::Memory, actor).expect("open a replica");
    replica.set_role(role).expect("the role");
    replica
}

/// Someone made an issue and a label; the owner's replica pulled them and put the label on the
/// issue, not pushed yet (mutation 1).
fn labelled_here() -> (Server, Replica, Uuid, Uuid) {
    let mut server = Server::new();
    let issue = Uuid::new_v4();
    let label = Uuid::new_v4();
    server.someone_does("createIssue", create_args(&issue.to_string(), "t"));
    server.someone_does(
        "createLabel",
        json!({"id": label, "name": "Bug", "color": "#ff0000", "createdAt": 1}),
    );
    let mut replica = replica_of(by(), Role::Owner);
    server.catch_up(&mut replica);
    replica
        .mutate(
            "addIssueLabel",
            &json!({"issueId": issue, "labelId": label, "updatedAt": 5}),
            1,
        )
        .expect("labelled");
    (server, replica, issue, label)
}

/// `by()` (the owner) pushes `name(args)` from a client of their own, as the server applies it.
fn owner_does(
    server: &mut Server,
    client: &Uuid,
    next: &mut u64,
    name: &str,
    args: serde_json::Value,
) {
    let mutation = shared::Mutation::parse(name, &args).expect("valid");
    let batch = applied_batch(&by(), client, *next, &mutation);
    common::run_batch(&mut server.conn, &batch).expect("applies");
    *next += 1;
}

fn refused_message(result: Result<shared::replica::Mutated, ReplicaError>) -> String {
    match result {
        Err(ReplicaError::Mutation(err)) => err.to_string(),
        other => panic!("expected a local refusal, got {other:?}"),
    }
}

#[test]
fn a_member_is_refused_locally_what_the_server_would_refuse_with_the_same_message() {
    let mut server = Server::new();
    let issue = Uuid::new_v4();
    let comment = Uuid::new_v4();
    let owners_client = Uuid::new_v4();
    let mut next = 1;
    owner_does(
        &mut server,
        &owners_client,
        &mut next,
        "createIssue",
        create_args(&issue.to_string(), "t"),
    );
    owner_does(
        &mut server,
        &owners_client,
        &mut next,
        "addComment",
        json!({"id": comment, "issueId": issue, "body": "the owner's", "createdAt": 1}),
    );
    let mut member = replica_of(server.someone, Role::Member);
    server.catch_up(&mut member);
    assert_eq!(member.comments(issue).expect("comments").len(), 1);

    let edit = json!({"id": comment, "issueId": issue, "body": "changed", "editedAt": 2});
    let local = refused_message(member.mutate("editComment", &edit, 2));
    let server_says = shared::sqlite::apply(
        &mut server.conn,
        &shared::Mutation::parse("editComment", &edit).expect("valid"),
        &server.someone,
    )
    .expect_err("the server refuses it too")
    .to_string();
    assert_eq!(local, server_says);
    assert_eq!(
        local,
        "only the comment's author or the workspace's owner may change or delete it"
    );
    assert_eq!(
        member.pending_count().expect("count"),
        0,
        "nothing was queued"
    );

    // The owner's replica may, and the server agrees.
    let mut owner = replica_of(by(), Role::Owner);
    server.catch_up(&mut owner);
    owner
        .mutate("editComment", &edit, 3)
        .expect("the owner may");
    assert_eq!(owner.comments(issue).expect("comments")[0].body, "changed");
    server.push(&mut owner);
    server.catch_up(&mut owner);
    server.catch_up(&mut member);
    assert_eq!(member.comments(issue).expect("comments")[0].body, "changed");
    assert_eq!(
        member.comments(issue).expect("comments")[0].edited_at,
        Some(2)
    );
}

#[test]
fn a_pending_label_on_an_issue_is_replayed_when_the_label_is_deleted_under_it() {
    let (mut server, mut replica, issue, label) = labelled_here();
    // ... and a comment on the same issue, not pushed yet...
    replica
        .mutate(
            "addComment",
            &json!({"id": Uuid::new_v4(), "issueId": issue, "body": "why it is a bug", "createdAt": 6}),
            2,
        )
        .expect("commented");
    assert_eq!(replica.issue_labels(&[issue]).expect("links").len(), 1);
    // ... while someone deletes the label. The pull touches only the labels, but the pending
    // label reads them: its issue is reset and its mutations replayed, and the label stays off.
    server.someone_does("deleteLabel", json!({"id": label}));
    server.catch_up(&mut replica);
    assert!(replica.labels().expect("labels").is_empty());
    assert!(replica.issue_labels(&[issue]).expect("links").is_empty());
    assert_eq!(
        replica.comments(issue).expect("comments").len(),
        1,
        "the comment replayed on the reset issue stays"
    );
    assert_eq!(replica.pending_count().expect("count"), 2);

    // The server refuses the label and takes the comment; the pull after says so.
    server.push(&mut replica);
    let response = server.pull(&mut replica).expect("a pull");
    assert_eq!(response.last_mutation_id, 2);
    assert_eq!(replica.pending_count().expect("count"), 0);
    assert_eq!(
        replica.base_rows("comment").expect("base"),
        server.rows("comment")
    );
    assert!(replica.base_rows("issue_label").expect("base").is_empty());
}

#[test]
fn a_comment_pulled_onto_an_issue_with_a_pending_edit_keeps_both() {
    let mut server = Server::new();
    let issue = Uuid::new_v4();
    server.someone_does("createIssue", create_args(&issue.to_string(), "before"));
    let mut replica = replica_of(by(), Role::Owner);
    server.catch_up(&mut replica);
    replica
        .mutate(
            "setIssuePriority",
            &json!({"id": issue, "priority": "high", "updatedAt": 9}),
            1,
        )
        .expect("prioritised");
    let theirs = Uuid::new_v4();
    server.someone_does(
        "addComment",
        json!({"id": theirs, "issueId": issue, "body": "from elsewhere", "createdAt": 3}),
    );
    server.someone_does(
        "updateIssue",
        json!({"id": issue, "title": "renamed elsewhere", "updatedAt": 4}),
    );
    server.catch_up(&mut replica);
    let shown = replica.issue(issue).expect("read").expect("the issue");
    assert_eq!(
        (shown.title.as_str(), shown.priority),
        (
            "renamed elsewhere",
            shared::mutations::fields::Priority::High
        )
    );
    assert_eq!(replica.comments(issue).expect("comments")[0].id, theirs);
}

#[test]
fn a_pending_mutation_that_reads_a_pulled_scope_is_replayed_with_everything_after_it_on_its_issue()
{
    let (mut server, mut replica, issue, label) = labelled_here();
    replica
        .mutate(
            "updateIssue",
            &json!({"id": issue, "title": "later", "updatedAt": 7}),
            2,
        )
        .expect("renamed");
    // Only the labels move in base; the label's pending link reads them, so its issue is reset and
    // both of its pending changes replayed in order: the later time stays the issue's.
    server.someone_does("updateLabel", json!({"id": label, "name": "Defect"}));
    server.catch_up(&mut replica);
    let shown = replica.issue(issue).expect("read").expect("the issue");
    assert_eq!((shown.title.as_str(), shown.updated_at), ("later", 7));
    assert_eq!(replica.labels().expect("labels")[0].name, "Defect");
    assert_eq!(replica.issue_labels(&[issue]).expect("links").len(), 1);
}

#[test]
fn the_list_filters_by_priority_assignee_creator_and_labels_and_sorts() {
    use shared::issue::{IssueFilter, Sort};
    use shared::mutations::fields::Priority;
    let mut server = Server::new();
    let ids: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        let mut args = create_args(&id.to_string(), &format!("issue {n}"));
        args["createdAt"] = json!(1_764_000_000_000u64 + n as u64);
        server.someone_does("createIssue", args);
    }
    let (bug, ui) = (Uuid::new_v4(), Uuid::new_v4());
    for (label, name) in [(bug, "Bug"), (ui, "UI")] {
        server.someone_does(
            "createLabel",
            json!({"id": label, "name": name, "color": "#000000", "createdAt": 1}),
        );
    }
    let someone = server.someone.member_id;
    for (issue, label) in [(0, bug), (1, bug), (1, ui), (2, ui)] {
        server.someone_does(
            "addIssueLabel",
            json!({"issueId": ids[issue], "labelId": label, "updatedAt": 1_764_000_000_010u64}),
        );
    }
    for (issue, priority, at) in [(0, "low", 20), (2, "urgent", 21), (3, "high", 22)] {
        server.someone_does(
            "setIssuePriority",
            json!({"id": ids[issue], "priority": priority, "updatedAt": 1_764_000_000_000u64 + at}),
        );
    }
    server.someone_does(
        "assignIssue",
        json!({"id": ids[1], "assignee": someone, "updatedAt": 1_764_000_000_030u64}),
    );
    let mut replica = replica_of(by(), Role::Owner);
    server.catch_up(&mut replica);
    // One made here, by the replica's member, not pushed: filters see optimistic rows.
    let mine = Uuid::new_v4();
    let mut args = create_args(&mine.to_string(), "mine");
    args["createdAt"] = json!(1_764_000_000_100u64);
    replica.mutate("createIssue", &args, 1).expect("made");
    let names = |filter: IssueFilter| -> Vec<String> {
        replica
            .issues(&filter)
            .expect("the list")
            .into_iter()
            .map(|issue| issue.title)
            .collect()
    };
    assert_eq!(
        names(IssueFilter {
            labels: vec!["bug".into()],
            ..Default::default()
        }),
        ["issue 1", "issue 0"],
        "a label, by name in any case"
    );
    assert_eq!(
        names(IssueFilter {
            labels: vec!["Bug".into(), "UI".into()],
            ..Default::default()
        }),
        ["issue 1"],
        "every label given"
    );
    assert_eq!(
        names(IssueFilter {
            priorities: vec![Priority::Urgent, Priority::High],
            ..Default::default()
        }),
        ["issue 3", "issue 2"],
        "any of the priorities"
    );
    assert_eq!(
        names(IssueFilter {
            assignees: vec![Some(someone)],
            ..Default::default()
        }),
        ["issue 1"]
    );
    assert_eq!(
        names(IssueFilter {
            assignees: vec![None],
            creators: vec![someone],
            ..Default::default()
        }),
        ["issue 3", "issue 2", "issue 0"],
        "no one assigned, and made by someone"
    );
    assert_eq!(
        names(IssueFilter {
            creators: vec![by().member_id],
            ..Default::default()
        }),
        ["mine"]
    );
    assert_eq!(
        names(IssueFilter {
            sort: Sort::Priority,
            ..Default::default()
        }),
        ["issue 2", "issue 3", "issue 0", "mine", "issue 1"],
        "most urgent first, then newest"
    );
    assert_eq!(
        names(IssueFilter {
            sort: Sort::Updated,
            ..Default::default()
        })[..2],
        ["mine", "issue 1"],
        "most recently changed first"
    );
}
