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
    // Labelled here, and a comment on the same issue, not pushed yet...
    replica
        .mutate(
            "addIssueLabel",
            &json!({"issueId": issue, "labelId": label, "updatedAt": 5}),
            1,
        )
        .expect("labelled");
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
        replica_of_server_rows(&server, "comment")
    );
    assert!(replica.base_rows("issue_label").expect("base").is_empty());
}

fn replica_of_server_rows(server: &Server, table: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let mut statement = server
        .conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
        .expect("prepare");
    let columns = statement.column_count();
    statement
        .query_map([], |row| (0..columns).map(|i| row.get(i)).collect())
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
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
