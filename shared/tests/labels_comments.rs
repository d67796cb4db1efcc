//! Schema version 2's mutations (priority, assignee, labels, comments), run on SQLite with the
//! migrations applied: their effects, each way their args can be invalid, the rules that refuse them
//! (with the message the server and the replica both give), and that each touches only the rows its
//! scopes name.

mod common;

use common::{ISSUE, MEMBER, OTHER_ISSUE, by, create_args, join, open};
use rusqlite::Connection;
use serde_json::{Value, json};
use shared::mutations::Scope;
use shared::sqlite::apply;
use shared::{Actor, ErrorCode, Mutation, MutationError};
use uuid::Uuid;

const LABEL: &str = "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5";
const OTHER_LABEL: &str = "2e3f4051-6b7c-4d8e-9fa0-b1c2d3e4f506";
const COMMENT: &str = "3f405162-7c8d-4e9f-a0b1-c2d3e4f50617";
const OTHER_COMMENT: &str = "40516273-8d9e-4fa0-b1c2-d3e4f5061728";

fn parse(name: &str, args: Value) -> Mutation {
    Mutation::parse(name, &args).unwrap_or_else(|err| panic!("{name} {args}: {err}"))
}

fn run_as(conn: &mut Connection, who: &Actor, name: &str, args: Value) {
    apply(conn, &parse(name, args), who).expect("the mutation applies");
}

fn run(conn: &mut Connection, name: &str, args: Value) {
    run_as(conn, &by(), name, args);
}

/// The message a mutation that must be refused is refused with; nothing changed.
fn refused_as(conn: &mut Connection, who: &Actor, name: &str, args: Value) -> String {
    let before = everything(conn);
    let err = apply(conn, &parse(name, args), who).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::StatementFailed);
    assert_eq!(everything(conn), before, "a refused {name} changed nothing");
    err.to_string()
}

fn invalid(name: &str, args: Value) -> String {
    match Mutation::parse(name, &args) {
        Err(err @ MutationError::InvalidArgs { .. }) => err.to_string(),
        other => panic!("expected InvalidArgs for {name} {args}, got {other:?}"),
    }
}

fn query(conn: &Connection, sql: &str) -> Vec<Value> {
    let mut statement = conn.prepare(sql).expect("prepare");
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|i| {
                    Ok(match row.get::<_, rusqlite::types::Value>(i)? {
                        rusqlite::types::Value::Null => Value::Null,
                        rusqlite::types::Value::Integer(n) => json!(n),
                        rusqlite::types::Value::Text(text) => json!(text),
                        other => json!(format!("{other:?}")),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(Value::Array)
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Every row of every table a mutation can change, by table.
fn everything(conn: &Connection) -> Value {
    json!({
        "issue": query(conn, "SELECT * FROM issue ORDER BY id"),
        "label": query(conn, "SELECT * FROM label ORDER BY id"),
        "issue_label": query(conn, "SELECT * FROM issue_label ORDER BY issue_id, label_id"),
        "comment": query(conn, "SELECT * FROM comment ORDER BY id"),
    })
}

/// Two issues, two labels (one on each issue) and a comment on each, by [`by`].
fn populated() -> Connection {
    let mut conn = open();
    for (issue, label, name, comment) in [
        (ISSUE, LABEL, "Bug", COMMENT),
        (OTHER_ISSUE, OTHER_LABEL, "Feature", OTHER_COMMENT),
    ] {
        run(&mut conn, "createIssue", create_args(issue, "an issue"));
        run(
            &mut conn,
            "createLabel",
            json!({"id": label, "name": name, "color": "#AA0000", "createdAt": 5}),
        );
        run(
            &mut conn,
            "addIssueLabel",
            json!({"issueId": issue, "labelId": label, "updatedAt": 6}),
        );
        run(
            &mut conn,
            "addComment",
            json!({"id": comment, "issueId": issue, "body": " first! ", "createdAt": 7}),
        );
        run(
            &mut conn,
            "setReaction",
            json!({"issueId": issue, "commentId": comment, "emoji": "+1", "on": true, "at": 8}),
        );
        run(
            &mut conn,
            "markInboxRead",
            json!({"issueId": issue, "at": 8}),
        );
    }
    conn
}

#[test]
fn priority_and_assignee_are_set_and_cleared() {
    let mut conn = populated();
    run(
        &mut conn,
        "setIssuePriority",
        json!({"id": ISSUE, "priority": "urgent", "updatedAt": 10}),
    );
    let someone = Uuid::new_v4().to_string();
    run(
        &mut conn,
        "assignIssue",
        json!({"id": ISSUE, "assignee": someone, "updatedAt": 11}),
    );
    let row = |conn: &Connection| {
        query(
            conn,
            &format!("SELECT priority, assignee, updated_at FROM issue WHERE id = '{ISSUE}'"),
        )
    };
    assert_eq!(row(&conn), vec![json!(["urgent", someone, 11])]);
    run(
        &mut conn,
        "assignIssue",
        json!({"id": ISSUE, "assignee": null, "updatedAt": 12}),
    );
    assert_eq!(row(&conn), vec![json!(["urgent", null, 12])]);
    // A new issue has none; a version-1 create says nothing of them.
    assert_eq!(
        query(
            &conn,
            &format!("SELECT priority, assignee FROM issue WHERE id = '{OTHER_ISSUE}'")
        ),
        vec![json!(["none", null])]
    );
}

#[test]
fn labels_are_made_renamed_recoloured_and_deleted_and_their_names_stay_unique() {
    let mut conn = populated();
    assert_eq!(
        query(
            &conn,
            &format!("SELECT name, color FROM label WHERE id = '{LABEL}'")
        ),
        vec![json!(["Bug", "#aa0000"])],
        "the colour is stored in lowercase"
    );
    let fresh = Uuid::new_v4().to_string();
    let message = refused_as(
        &mut conn,
        &by(),
        "createLabel",
        json!({"id": fresh, "name": " bug ", "color": "#00ff00", "createdAt": 8}),
    );
    assert_eq!(message, "another label already has this name");
    let message = refused_as(
        &mut conn,
        &by(),
        "updateLabel",
        json!({"id": OTHER_LABEL, "name": "BUG"}),
    );
    assert_eq!(message, "another label already has this name");
    // Its own name in another case is fine.
    run(
        &mut conn,
        "updateLabel",
        json!({"id": LABEL, "name": "bug"}),
    );
    run(
        &mut conn,
        "updateLabel",
        json!({"id": LABEL, "color": "#123abc"}),
    );
    assert_eq!(
        query(
            &conn,
            &format!("SELECT name, color FROM label WHERE id = '{LABEL}'")
        ),
        vec![json!(["bug", "#123abc"])]
    );
    let message = refused_as(
        &mut conn,
        &by(),
        "updateLabel",
        json!({"id": fresh, "name": "Gone"}),
    );
    assert_eq!(
        message,
        "the label does not exist (it may have been deleted)"
    );
    let message = refused_as(
        &mut conn,
        &by(),
        "createLabel",
        json!({"id": LABEL, "name": "Other", "color": "#000000", "createdAt": 8}),
    );
    assert_eq!(
        message,
        format!("a label with the id {LABEL} already exists")
    );

    run(&mut conn, "deleteLabel", json!({"id": LABEL}));
    assert_eq!(
        query(&conn, "SELECT name FROM label"),
        vec![json!(["Feature"])]
    );
    // The name is free again; the deleted label's link stays behind, unseen by every read.
    run(
        &mut conn,
        "createLabel",
        json!({"id": fresh, "name": "Bug", "color": "#000000", "createdAt": 9}),
    );
    let message = refused_as(
        &mut conn,
        &by(),
        "addIssueLabel",
        json!({"issueId": ISSUE, "labelId": LABEL, "updatedAt": 9}),
    );
    assert_eq!(
        message,
        "the label does not exist (it may have been deleted)"
    );
}

#[test]
fn labels_go_on_and_off_issues() {
    let mut conn = populated();
    let links = |conn: &Connection| {
        query(
            conn,
            "SELECT issue_id, label_id FROM issue_label ORDER BY issue_id, label_id",
        )
    };
    run(
        &mut conn,
        "addIssueLabel",
        json!({"issueId": ISSUE, "labelId": OTHER_LABEL, "updatedAt": 20}),
    );
    // Twice is once.
    run(
        &mut conn,
        "addIssueLabel",
        json!({"issueId": ISSUE, "labelId": OTHER_LABEL, "updatedAt": 21}),
    );
    assert_eq!(
        links(&conn),
        vec![
            json!([OTHER_ISSUE, OTHER_LABEL]),
            json!([ISSUE, LABEL]),
            json!([ISSUE, OTHER_LABEL]),
        ]
    );
    assert_eq!(
        query(
            &conn,
            &format!("SELECT updated_at FROM issue WHERE id = '{ISSUE}'")
        ),
        vec![json!([21])],
        "a label added is a change to the issue"
    );
    run(
        &mut conn,
        "removeIssueLabel",
        json!({"issueId": ISSUE, "labelId": LABEL, "updatedAt": 22}),
    );
    assert_eq!(
        links(&conn),
        vec![
            json!([OTHER_ISSUE, OTHER_LABEL]),
            json!([ISSUE, OTHER_LABEL])
        ]
    );
    // On an issue that is gone, nothing happens (as for every change to an issue).
    let gone = Uuid::new_v4().to_string();
    run(
        &mut conn,
        "addIssueLabel",
        json!({"issueId": gone, "labelId": LABEL, "updatedAt": 23}),
    );
    assert_eq!(links(&conn).len(), 2);
}

#[test]
fn comments_are_added_edited_and_deleted_by_their_author_or_the_owner() {
    let mut conn = populated();
    let someone = Actor::new(by().workspace_id, Uuid::new_v4());
    join(&conn, &someone, "member");
    let comments = |conn: &Connection| {
        query(
            conn,
            "SELECT id, issue_id, author, body, created_at, edited_at FROM comment ORDER BY id",
        )
    };
    assert_eq!(
        comments(&conn)[0],
        json!([COMMENT, ISSUE, MEMBER, "first!", 7, null]),
        "the body is stored trimmed, by its author"
    );
    let theirs = Uuid::new_v4().to_string();
    run_as(
        &mut conn,
        &someone,
        "addComment",
        json!({"id": theirs, "issueId": ISSUE, "body": "mine", "createdAt": 30}),
    );
    // Another member may not touch the owner's comment...
    for (name, args) in [
        (
            "editComment",
            json!({"id": COMMENT, "issueId": ISSUE, "body": "hijacked", "editedAt": 31}),
        ),
        ("deleteComment", json!({"id": COMMENT, "issueId": ISSUE})),
    ] {
        assert_eq!(
            refused_as(&mut conn, &someone, name, args),
            "only the comment's author or the workspace's owner may change or delete it"
        );
    }
    // ... but their own, and the owner may touch anyone's.
    run_as(
        &mut conn,
        &someone,
        "editComment",
        json!({"id": theirs, "issueId": ISSUE, "body": "mine, edited", "editedAt": 32}),
    );
    run(
        &mut conn,
        "editComment",
        json!({"id": theirs, "issueId": ISSUE, "body": "moderated", "editedAt": 33}),
    );
    let edited = comments(&conn)
        .into_iter()
        .find(|row| row[0] == json!(theirs))
        .expect("their comment");
    assert_eq!(
        edited,
        json!([
            theirs,
            ISSUE,
            someone.member_id.to_string(),
            "moderated",
            30,
            33
        ])
    );
    run(
        &mut conn,
        "deleteComment",
        json!({"id": theirs, "issueId": ISSUE}),
    );
    assert_eq!(comments(&conn).len(), 2);
    // A comment that is gone: editing and deleting it change nothing, and break no rule.
    run_as(
        &mut conn,
        &someone,
        "editComment",
        json!({"id": theirs, "issueId": ISSUE, "body": "late", "editedAt": 34}),
    );
    run_as(
        &mut conn,
        &someone,
        "deleteComment",
        json!({"id": theirs, "issueId": ISSUE}),
    );
    assert_eq!(comments(&conn).len(), 2);
    // A comment on an issue that is gone is refused, not dropped without a word.
    let message = refused_as(
        &mut conn,
        &by(),
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": Uuid::new_v4(), "body": "hello?", "createdAt": 35}),
    );
    assert_eq!(
        message,
        "the issue does not exist (it may have been deleted)"
    );
}

#[test]
fn deleting_an_issue_deletes_its_comments_and_label_links() {
    let mut conn = populated();
    run(&mut conn, "deleteIssue", json!({"id": ISSUE}));
    let all = everything(&conn);
    assert_eq!(all["issue"].as_array().unwrap().len(), 1);
    assert_eq!(
        query(
            &conn,
            "SELECT issue_id FROM comment UNION ALL SELECT issue_id FROM issue_label"
        ),
        vec![json!([OTHER_ISSUE]), json!([OTHER_ISSUE])]
    );
    assert_eq!(all["label"].as_array().unwrap().len(), 2, "labels stay");
}

#[test]
fn no_version_2_mutation_reaches_another_workspace() {
    let mut conn = populated();
    let stranger = Actor::new(Uuid::new_v4(), Uuid::new_v4());
    join(&conn, &stranger, "owner");
    let before = everything(&conn);
    for (name, args) in [
        (
            "setIssuePriority",
            json!({"id": ISSUE, "priority": "high", "updatedAt": 1}),
        ),
        (
            "assignIssue",
            json!({"id": ISSUE, "assignee": null, "updatedAt": 1}),
        ),
        ("updateLabel", json!({"id": LABEL, "color": "#000000"})),
        ("deleteLabel", json!({"id": LABEL})),
        (
            "removeIssueLabel",
            json!({"issueId": ISSUE, "labelId": LABEL, "updatedAt": 1}),
        ),
        ("deleteComment", json!({"id": COMMENT, "issueId": ISSUE})),
    ] {
        let _ = apply(&mut conn, &parse(name, args), &stranger);
    }
    // Their own owner role does not reach into this workspace's comments either.
    let _ = apply(
        &mut conn,
        &parse(
            "editComment",
            json!({"id": COMMENT, "issueId": ISSUE, "body": "x", "editedAt": 1}),
        ),
        &stranger,
    );
    // Nor may they label this workspace's issue with this workspace's label.
    let err = apply(
        &mut conn,
        &parse(
            "addIssueLabel",
            json!({"issueId": ISSUE, "labelId": OTHER_LABEL, "updatedAt": 1}),
        ),
        &stranger,
    )
    .expect_err("not their label");
    assert_eq!(
        err.to_string(),
        "the label does not exist (it may have been deleted)"
    );
    assert_eq!(everything(&conn), before);
}

#[test]
fn version_2_args_are_checked_while_parsing() {
    let cases = [
        (
            "setIssuePriority",
            json!({"id": ISSUE, "priority": "critical", "updatedAt": 1}),
            "unknown variant `critical`",
        ),
        (
            "setIssuePriority",
            json!({"id": ISSUE, "updatedAt": 1}),
            "missing field `priority`",
        ),
        (
            "assignIssue",
            json!({"id": ISSUE, "assignee": "ada", "updatedAt": 1}),
            "UUID",
        ),
        (
            "assignIssue",
            json!({"id": ISSUE, "updatedAt": 1}),
            "missing field `assignee`",
        ),
        (
            "createLabel",
            json!({"id": LABEL, "name": "  ", "color": "#000000", "createdAt": 1}),
            "name must be 1 to 40 characters after trimming, got 0",
        ),
        (
            "createLabel",
            json!({"id": LABEL, "name": "x".repeat(41), "color": "#000000", "createdAt": 1}),
            "name must be 1 to 40 characters after trimming, got 41",
        ),
        (
            "createLabel",
            json!({"id": LABEL, "name": "Bug", "color": "red", "createdAt": 1}),
            "color must be #rrggbb (six hexadecimal digits), got \"red\"",
        ),
        (
            "createLabel",
            json!({"id": LABEL, "name": "Bug", "color": "#12345g", "createdAt": 1}),
            "color must be #rrggbb",
        ),
        (
            "updateLabel",
            json!({"id": LABEL, "name": "Bug", "colour": "#000000"}),
            "unknown field `colour`",
        ),
        (
            "addIssueLabel",
            json!({"issueId": ISSUE, "labelId": "nope", "updatedAt": 1}),
            "UUID",
        ),
        (
            "removeIssueLabel",
            json!({"issueId": ISSUE, "labelId": LABEL}),
            "missing field `updatedAt`",
        ),
        (
            "addComment",
            json!({"id": COMMENT, "issueId": ISSUE, "body": " \n ", "createdAt": 1}),
            "body must be 1 to 10000 characters after trimming, got 0",
        ),
        (
            "addComment",
            json!({"id": COMMENT, "issueId": ISSUE, "body": "x".repeat(10_001), "createdAt": 1}),
            "body must be 1 to 10000 characters after trimming, got 10001",
        ),
        (
            "editComment",
            json!({"id": COMMENT, "body": "x", "editedAt": 1}),
            "missing field `issueId`",
        ),
        (
            "deleteComment",
            json!({"id": COMMENT, "issueId": ISSUE, "editedAt": 1}),
            "unknown field `editedAt`",
        ),
        (
            "deleteLabel",
            json!([LABEL]),
            "args must be a JSON object, got an array",
        ),
    ];
    for (name, args, expected) in cases {
        let message = invalid(name, args.clone());
        assert!(
            message.starts_with(&format!("invalid args for {name}: "))
                && message.contains(expected),
            "{name} {args}: {message}"
        );
    }
    // Control characters are refused in new mutations, as for issues.
    let err = Mutation::parse_new(
        "addComment",
        &json!({"id": COMMENT, "issueId": ISSUE, "body": "a\u{7}b", "createdAt": 1}),
    )
    .expect_err("a bell");
    assert!(err.to_string().contains("U+0007"), "{err}");
}

#[test]
fn a_version_1_client_knows_only_the_version_1_mutations() {
    let args = json!({"id": ISSUE, "priority": "high", "updatedAt": 1});
    let err = Mutation::parse_for(1, "setIssuePriority", &args).expect_err("unknown to v1");
    assert_eq!(
        err,
        MutationError::UnknownMutation("setIssuePriority".into())
    );
    assert!(Mutation::parse_for(2, "setIssuePriority", &args).is_ok());
    assert!(Mutation::parse_for(1, "createIssue", &create_args(ISSUE, "t")).is_ok());
    let v1: Vec<_> = Mutation::NAMES
        .iter()
        .filter(|(_, since)| *since == 1)
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        v1,
        [
            "createIssue",
            "updateIssue",
            "updateIssueStatus",
            "deleteIssue"
        ]
    );
}

/// One of every mutation, on [`populated`]'s rows.
fn one_of_each() -> Vec<Mutation> {
    let fresh = Uuid::new_v4().to_string();
    vec![
        parse("createIssue", create_args(&fresh, "new")),
        parse(
            "updateIssue",
            json!({"id": ISSUE, "title": "u", "updatedAt": 40}),
        ),
        parse(
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "done", "updatedAt": 40}),
        ),
        parse(
            "setIssuePriority",
            json!({"id": ISSUE, "priority": "low", "updatedAt": 40}),
        ),
        parse(
            "assignIssue",
            json!({"id": ISSUE, "assignee": MEMBER, "updatedAt": 40}),
        ),
        parse(
            "createLabel",
            json!({"id": Uuid::new_v4(), "name": "New", "color": "#000000", "createdAt": 40}),
        ),
        parse("updateLabel", json!({"id": LABEL, "name": "Renamed"})),
        parse("deleteLabel", json!({"id": LABEL})),
        parse(
            "addIssueLabel",
            json!({"issueId": ISSUE, "labelId": OTHER_LABEL, "updatedAt": 40}),
        ),
        parse(
            "removeIssueLabel",
            json!({"issueId": ISSUE, "labelId": LABEL, "updatedAt": 40}),
        ),
        parse(
            "addComment",
            json!({"id": Uuid::new_v4(), "issueId": ISSUE, "body": "more", "createdAt": 40}),
        ),
        parse(
            "editComment",
            json!({"id": COMMENT, "issueId": ISSUE, "body": "edited", "editedAt": 40}),
        ),
        parse("deleteComment", json!({"id": COMMENT, "issueId": ISSUE})),
        parse("deleteIssue", json!({"id": ISSUE})),
        parse("deleteIssue", json!({"id": ISSUE, "deletedAt": 40})),
        parse("restoreIssue", json!({"id": ISSUE, "restoredAt": 40})),
        parse(
            "revertIssue",
            json!({"id": ISSUE, "updatedAt": 40, "status": {"from": "not started", "to": "done"},
                   "assignee": {"from": null, "to": MEMBER}}),
        ),
        parse(
            "setReaction",
            json!({"issueId": ISSUE, "emoji": "rocket", "on": true, "at": 40}),
        ),
        parse(
            "setReaction",
            json!({"issueId": ISSUE, "commentId": COMMENT, "emoji": "+1", "on": false, "at": 40}),
        ),
        parse(
            "setSubscription",
            json!({"issueId": ISSUE, "subscribed": false, "at": 40}),
        ),
        parse("markInboxRead", json!({"issueId": ISSUE, "at": 40})),
        parse("markInboxRead", json!({"at": 40})),
        parse(
            "addComment",
            json!({"id": Uuid::new_v4(), "issueId": ISSUE,
                   "body": format!("ping [@Ada](mention:{MEMBER})"), "createdAt": 40}),
        ),
    ]
}

/// `everything`'s rows grouped by the scope they are in.
fn by_scope(conn: &Connection) -> std::collections::BTreeMap<String, Value> {
    let mut scopes = std::collections::BTreeMap::new();
    let issue_of = |sql: &str| query(conn, sql);
    for row in issue_of("SELECT id, * FROM issue")
        .into_iter()
        .chain(issue_of("SELECT issue_id, * FROM comment"))
        .chain(issue_of("SELECT issue_id, * FROM issue_label"))
        .chain(issue_of("SELECT issue_id, * FROM issue_event"))
        .chain(issue_of("SELECT issue_id, * FROM reaction"))
        .chain(issue_of("SELECT issue_id, * FROM mention"))
        .chain(issue_of("SELECT issue_id, * FROM subscription"))
    {
        let key = format!("issue {}", row[0].as_str().unwrap());
        let rows = scopes.entry(key).or_insert_with(|| json!([]));
        rows.as_array_mut().unwrap().push(row);
    }
    scopes.insert(
        "labels".into(),
        json!(query(conn, "SELECT * FROM label ORDER BY id")),
    );
    scopes.insert(
        "inbox".into(),
        json!(query(conn, "SELECT * FROM inbox_read ORDER BY issue_id")),
    );
    for rows in scopes.values_mut() {
        rows.as_array_mut()
            .unwrap()
            .sort_by_key(|row| row.to_string());
    }
    scopes
}

#[test]
fn every_mutation_touches_only_the_scopes_it_names() {
    // The client's rebase resets and replays only the scopes that can be stale; it relies on this.
    let mutations = one_of_each();
    let mut names: Vec<_> = mutations.iter().map(Mutation::name).collect();
    let mut every: Vec<_> = Mutation::NAMES.iter().map(|(name, _)| *name).collect();
    names.sort();
    names.dedup();
    every.sort();
    assert_eq!(names, every, "one of each");
    for mutation in &mutations {
        let mut conn = populated();
        let before = by_scope(&conn);
        apply(&mut conn, mutation, &by()).expect("applies");
        let after = by_scope(&conn);
        let named: Vec<String> = mutation
            .scopes()
            .into_iter()
            .map(|scope| match scope {
                Scope::Issue(id) => format!("issue {id}"),
                Scope::Labels => "labels".to_owned(),
                Scope::Inbox => "inbox".to_owned(),
            })
            .collect();
        let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).collect();
        let mut changed = 0;
        for key in keys {
            if before.get(key) != after.get(key) {
                changed += 1;
                assert!(
                    named.contains(key),
                    "{} changed {key}, which its scopes {named:?} do not name",
                    mutation.name()
                );
            }
        }
        assert!(changed > 0, "{} changed something", mutation.name());
    }
}
