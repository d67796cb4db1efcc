//! Each mutation, run on SQLite with the migrations applied, and each way its args can be invalid.

mod common;

use common::{ISSUE, MEMBER, OTHER_ISSUE, by, create_args, issues, open};
use serde_json::{Value, json};
use shared::sqlite::apply;
use shared::{ErrorCode, Mutation, MutationError};

fn parse(name: &str, args: Value) -> Mutation {
    Mutation::parse(name, &args).expect("valid args")
}

/// Parses and applies a mutation that must succeed.
fn run(conn: &mut rusqlite::Connection, name: &str, args: Value) {
    apply(conn, &parse(name, args), &by()).expect("the mutation applies");
}

fn invalid(name: &str, args: Value) -> String {
    match Mutation::parse(name, &args) {
        Err(err @ MutationError::InvalidArgs { .. }) => {
            assert_eq!(err.code(), ErrorCode::InvalidArgs);
            err.to_string()
        }
        other => panic!("expected InvalidArgs, got {other:?}"),
    }
}

#[test]
fn create_issue_inserts_a_row_with_the_default_status() {
    let mut conn = open();
    let args = json!({"id": ISSUE, "title": "Fix login", "description": "It 500s", "owner": "ada",
                      "createdAt": 1_764_000_000_000u64});
    run(&mut conn, "createIssue", args);
    assert_eq!(
        issues(&conn),
        vec![json!([
            ISSUE,
            "Fix login",
            "It 500s",
            "ada",
            "not started",
            1_764_000_000_000u64,
            1_764_000_000_000u64,
            MEMBER,
            MEMBER
        ])]
    );
}

#[test]
fn create_issue_takes_a_status_and_trims_title_and_owner() {
    let mut conn = open();
    let args = json!({"id": ISSUE, "title": "  Fix login\n", "description": "  kept as is  ",
                      "owner": " ada ", "status": "in progress", "createdAt": 7});
    run(&mut conn, "createIssue", args);
    assert_eq!(
        issues(&conn),
        vec![json!([
            ISSUE,
            "Fix login",
            "  kept as is  ",
            "ada",
            "in progress",
            7,
            7,
            MEMBER,
            MEMBER
        ])]
    );
}

#[test]
fn create_issue_with_an_existing_id_fails_and_changes_nothing() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "first"));
    let before = issues(&conn);
    let err = apply(
        &mut conn,
        &parse("createIssue", create_args(ISSUE, "second")),
        &by(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::StatementFailed);
    // In the domain's words, not SQLite's: this reaches the person who made the change.
    assert_eq!(
        err.to_string(),
        format!("an issue with the id {ISSUE} already exists")
    );
    assert_eq!(issues(&conn), before);
}

#[test]
fn update_issue_changes_only_the_fields_given() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "first"));
    run(
        &mut conn,
        "updateIssue",
        json!({"id": ISSUE, "title": "renamed", "updatedAt": 9}),
    );
    assert_eq!(
        issues(&conn),
        vec![json!([
            ISSUE,
            "renamed",
            "",
            "ada",
            "not started",
            1_764_000_000_000u64,
            9,
            MEMBER,
            MEMBER
        ])]
    );
    run(
        &mut conn,
        "updateIssue",
        json!({"id": ISSUE, "description": "more", "owner": "grace", "updatedAt": 10}),
    );
    assert_eq!(
        issues(&conn),
        vec![json!([
            ISSUE,
            "renamed",
            "more",
            "grace",
            "not started",
            1_764_000_000_000u64,
            10,
            MEMBER,
            MEMBER
        ])]
    );
}

#[test]
fn update_issue_with_null_fields_keeps_them() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "first"));
    let args =
        json!({"id": ISSUE, "title": null, "description": null, "owner": null, "updatedAt": 3});
    run(&mut conn, "updateIssue", args);
    assert_eq!(
        issues(&conn),
        vec![json!([
            ISSUE,
            "first",
            "",
            "ada",
            "not started",
            1_764_000_000_000u64,
            3,
            MEMBER,
            MEMBER
        ])]
    );
}

#[test]
fn update_issue_status_sets_status_and_time() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "first"));
    for status in ["in progress", "done", "not started"] {
        run(
            &mut conn,
            "updateIssueStatus",
            json!({"id": ISSUE, "status": status, "updatedAt": 11}),
        );
        assert_eq!(issues(&conn)[0][4], json!(status));
    }
}

#[test]
fn delete_issue_removes_only_that_issue() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "one"));
    run(&mut conn, "createIssue", create_args(OTHER_ISSUE, "two"));
    run(&mut conn, "deleteIssue", json!({"id": ISSUE}));
    let rows = issues(&conn);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], json!(OTHER_ISSUE));
}

#[test]
fn updates_and_deletes_of_a_missing_issue_change_nothing() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(OTHER_ISSUE, "two"));
    let before = issues(&conn);
    run(
        &mut conn,
        "updateIssue",
        json!({"id": ISSUE, "title": "x", "updatedAt": 1}),
    );
    run(
        &mut conn,
        "updateIssueStatus",
        json!({"id": ISSUE, "status": "done", "updatedAt": 1}),
    );
    run(&mut conn, "deleteIssue", json!({"id": ISSUE}));
    assert_eq!(issues(&conn), before);
}

#[test]
fn hostile_and_unicode_text_is_stored_byte_for_byte() {
    let mut conn = open();
    let title = "'); DROP TABLE issue; -- \"quoted\" 🐛 مرحبا بالعالم";
    let description = "line\nbreak\ttab \\ backslash \u{202E}rtl-override ‏עברית‏ 👩‍💻";
    let args = json!({"id": ISSUE, "title": title, "description": description, "owner": "Zoë 🦀",
                      "createdAt": 1});
    run(&mut conn, "createIssue", args);
    let row = &issues(&conn)[0];
    assert_eq!(row[1], json!(title));
    assert_eq!(row[2], json!(description));
    assert_eq!(row[3], json!("Zoë 🦀"));
}

#[test]
fn ids_are_stored_in_canonical_lowercase_form() {
    let mut conn = open();
    let upper = ISSUE.to_uppercase();
    run(&mut conn, "createIssue", create_args(&upper, "x"));
    assert_eq!(issues(&conn)[0][0], json!(ISSUE));
}

#[test]
fn title_length_is_counted_in_characters_after_trimming() {
    let at_limit = "é".repeat(200);
    let m = parse(
        "createIssue",
        create_args(ISSUE, &format!("  {at_limit}  ")),
    );
    let Mutation::CreateIssue(create) = m else {
        panic!("not a create")
    };
    assert_eq!(create.title.as_str(), at_limit);

    let msg = invalid("createIssue", create_args(ISSUE, &"a".repeat(201)));
    assert_eq!(
        msg,
        "invalid args for createIssue: title must be 1 to 200 characters after trimming, got 201"
    );
    let msg = invalid("createIssue", create_args(ISSUE, ""));
    assert_eq!(
        msg,
        "invalid args for createIssue: title must be 1 to 200 characters after trimming, got 0"
    );
    let msg = invalid("createIssue", create_args(ISSUE, " \t\n "));
    assert!(msg.ends_with("got 0"), "{msg}");
    let msg = invalid(
        "updateIssue",
        json!({"id": ISSUE, "title": "", "updatedAt": 1}),
    );
    assert!(
        msg.starts_with("invalid args for updateIssue: title must be"),
        "{msg}"
    );
}

#[test]
fn description_and_owner_limits() {
    let mut args = create_args(ISSUE, "t");
    args["description"] = json!("d".repeat(10_000));
    parse("createIssue", args.clone());
    args["description"] = json!("d".repeat(10_001));
    assert_eq!(
        invalid("createIssue", args),
        "invalid args for createIssue: description must be at most 10000 characters, got 10001"
    );

    let mut args = create_args(ISSUE, "t");
    args["owner"] = json!("o".repeat(100));
    parse("createIssue", args.clone());
    args["owner"] = json!("o".repeat(101));
    assert!(invalid("createIssue", args.clone()).contains("owner must be 1 to 100 characters"));
    args["owner"] = json!("   ");
    assert!(
        invalid("createIssue", args)
            .contains("owner must be 1 to 100 characters after trimming, got 0")
    );
}

#[test]
fn a_bad_status_is_invalid() {
    let msg = invalid(
        "updateIssueStatus",
        json!({"id": ISSUE, "status": "blocked", "updatedAt": 1}),
    );
    assert!(msg.contains("unknown variant `blocked`"), "{msg}");
    let mut args = create_args(ISSUE, "t");
    args["status"] = json!("Done");
    assert!(invalid("createIssue", args).contains("unknown variant `Done`"));
}

#[test]
fn missing_fields_are_invalid() {
    for (name, args, field) in [
        (
            "createIssue",
            json!({"title": "t", "description": "", "owner": "o", "createdAt": 1}),
            "id",
        ),
        (
            "createIssue",
            json!({"id": ISSUE, "description": "", "owner": "o", "createdAt": 1}),
            "title",
        ),
        (
            "createIssue",
            json!({"id": ISSUE, "title": "t", "owner": "o", "createdAt": 1}),
            "description",
        ),
        (
            "createIssue",
            json!({"id": ISSUE, "title": "t", "description": "", "createdAt": 1}),
            "owner",
        ),
        (
            "createIssue",
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o"}),
            "createdAt",
        ),
        ("updateIssue", json!({"id": ISSUE}), "updatedAt"),
        ("updateIssue", json!({"updatedAt": 1}), "id"),
        (
            "updateIssueStatus",
            json!({"id": ISSUE, "updatedAt": 1}),
            "status",
        ),
        (
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "done"}),
            "updatedAt",
        ),
        ("deleteIssue", json!({}), "id"),
    ] {
        let msg = invalid(name, args);
        assert!(
            msg.contains(&format!("missing field `{field}`")),
            "{name}: {msg}"
        );
    }
}

#[test]
fn wrong_types_are_invalid() {
    for (args, needle) in [
        (
            json!({"id": ISSUE, "title": 5, "description": "", "owner": "o", "createdAt": 1}),
            "invalid type: integer `5`",
        ),
        (
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o", "createdAt": "now"}),
            "invalid type: string \"now\"",
        ),
        (
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o", "createdAt": 1.5}),
            "invalid type: floating point",
        ),
        (
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o", "createdAt": -1}),
            "invalid value: integer `-1`",
        ),
        (
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o", "createdAt": 9_007_199_254_740_992u64}),
            "at most 2^53 - 1",
        ),
        (
            json!({"id": "not-a-uuid", "title": "t", "description": "", "owner": "o", "createdAt": 1}),
            "UUID",
        ),
        (
            json!({"id": 42, "title": "t", "description": "", "owner": "o", "createdAt": 1}),
            "invalid type",
        ),
        (
            json!({"id": ISSUE, "title": "t", "description": "", "owner": "o", "createdAt": 1, "priority": 1}),
            "unknown field `priority`",
        ),
        (
            json!(["not", "an", "object"]),
            "args must be a JSON object, got an array",
        ),
        (Value::Null, "args must be a JSON object, got null"),
        (json!("text"), "args must be a JSON object, got a string"),
    ] {
        let msg = invalid("createIssue", args);
        assert!(msg.contains(needle), "expected {needle:?} in {msg:?}");
    }
    let msg = invalid(
        "updateIssue",
        json!({"id": ISSUE, "status": "done", "updatedAt": 1}),
    );
    assert!(msg.contains("unknown field `status`"), "{msg}");
}

#[test]
fn an_unknown_name_is_its_own_error() {
    let err = Mutation::parse("dropTables", &json!({})).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownMutation);
    assert_eq!(err.to_string(), "unknown mutation `dropTables`");
    let long = "x".repeat(10_000);
    let err = Mutation::parse(&long, &json!({})).unwrap_err();
    assert_eq!(
        err.to_string().chars().count(),
        "unknown mutation ``…".chars().count() + shared::error::MAX_QUOTED_CHARS,
        "the name is cut in the message"
    );
}

#[test]
fn normalised_args_replay_to_the_same_rows() {
    // The log stores args_json(); parsing it again must give the same mutation (trimmed once, stable).
    for (name, args) in [
        (
            "createIssue",
            json!({"id": ISSUE.to_uppercase(), "title": " t ", "description": " d ", "owner": " o ", "status": "done", "createdAt": 5}),
        ),
        (
            "updateIssue",
            json!({"id": ISSUE, "owner": "x ", "updatedAt": 6}),
        ),
        (
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "in progress", "updatedAt": 7}),
        ),
        ("deleteIssue", json!({"id": ISSUE})),
    ] {
        let mutation = parse(name, args);
        let again = parse(name, serde_json::from_str(&mutation.args_json()).unwrap());
        assert_eq!(again, mutation);
        assert_eq!(again.args_json(), mutation.args_json());
        assert_eq!(mutation.name(), name);
    }
    assert_eq!(
        parse("createIssue", create_args(ISSUE, " t ")).args_json(),
        format!(
            r#"{{"id":"{ISSUE}","title":"t","description":"","owner":"ada","createdAt":1764000000000}}"#
        )
    );
}

#[test]
fn every_mutation_reads_and_writes_only_the_row_it_names() {
    // The client's rebase resets and replays only the rows that can be stale; it relies on this.
    let mutations = [
        parse("createIssue", create_args(ISSUE, "t")),
        parse(
            "updateIssue",
            json!({"id": ISSUE, "title": "u", "updatedAt": 1}),
        ),
        parse(
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "done", "updatedAt": 1}),
        ),
        parse("deleteIssue", json!({"id": ISSUE})),
    ];
    for mutation in &mutations {
        use shared::mutations::Scope;
        let mut named = vec![Scope::Issue(ISSUE.parse().unwrap())];
        if mutation.name() == "deleteIssue" {
            // For good: its read marks go too, and those are in the member's inbox.
            named.push(Scope::Inbox);
        }
        assert_eq!(mutation.scopes(), named);
        assert_eq!(
            mutation.issue_id().map(|id| id.to_string()).as_deref(),
            Some(ISSUE)
        );
    }
    // And in effect: another row comes through every one of them unchanged.
    let mut conn = open();
    run(
        &mut conn,
        "createIssue",
        create_args(OTHER_ISSUE, "bystander"),
    );
    let bystander = issues(&conn);
    for mutation in &mutations {
        apply(&mut conn, mutation, &by()).unwrap();
    }
    assert_eq!(issues(&conn), bystander);
}

#[test]
fn no_mutation_reaches_another_workspaces_issue() {
    let mut conn = open();
    run(&mut conn, "createIssue", create_args(ISSUE, "theirs"));
    let before = issues(&conn);
    let stranger = shared::Actor::new(uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for (name, args) in [
        (
            "updateIssue",
            json!({"id": ISSUE, "title": "mine now", "updatedAt": 9}),
        ),
        (
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "done", "updatedAt": 9}),
        ),
        ("deleteIssue", json!({"id": ISSUE})),
    ] {
        apply(&mut conn, &parse(name, args), &stranger).unwrap();
        assert_eq!(
            issues(&conn),
            before,
            "{name} from another workspace changes nothing"
        );
    }
    let taken = apply(
        &mut conn,
        &parse("createIssue", create_args(ISSUE, "same id")),
        &stranger,
    )
    .unwrap_err();
    assert_eq!(taken.code(), ErrorCode::StatementFailed);
    assert_eq!(issues(&conn), before);
}

/// An issue as `common::issues` reads a row.
fn as_row(issue: &shared::issue::Issue) -> Value {
    json!([
        issue.id.to_string(),
        issue.title,
        issue.description,
        issue.owner,
        issue.status.as_str(),
        issue.created_at,
        issue.updated_at,
        issue.created_by,
        issue.updated_by
    ])
}

#[test]
fn a_mutations_preview_is_what_its_statements_do_to_the_row() {
    // The UI shows previews of the changes it holds while the engine starts; they must not lie.
    let steps = [
        parse(
            "updateIssue",
            json!({"id": ISSUE, "title": "x", "updatedAt": 1}),
        ),
        parse("createIssue", create_args(ISSUE, " first ")),
        parse("createIssue", create_args(ISSUE, "the id is taken")),
        parse(
            "updateIssue",
            json!({"id": ISSUE, "title": " t ", "updatedAt": 2}),
        ),
        parse(
            "updateIssue",
            json!({"id": ISSUE, "description": " d ", "owner": " o ", "updatedAt": 3}),
        ),
        parse("updateIssue", json!({"id": ISSUE, "updatedAt": 4})),
        parse(
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "done", "updatedAt": 5}),
        ),
        parse("deleteIssue", json!({"id": ISSUE})),
        parse(
            "updateIssueStatus",
            json!({"id": ISSUE, "status": "in progress", "updatedAt": 6}),
        ),
        parse("deleteIssue", json!({"id": ISSUE})),
        parse(
            "createIssue",
            json!({"id": ISSUE, "title": "again", "description": "", "owner": "o", "status": "in progress", "createdAt": 7}),
        ),
    ];
    let mut conn = open();
    let mut preview = None;
    // Two members take turns, so the preview must say who changed the row last.
    let second = shared::Actor::new(by().workspace_id, uuid::Uuid::new_v4());
    for (i, mutation) in steps.iter().enumerate() {
        let who = if i % 2 == 0 { by() } else { second };
        // A failing statement changes nothing, as a rejected mutation does.
        let _ = apply(&mut conn, mutation, &who);
        preview = mutation.preview(preview, &who);
        let expected: Vec<Value> = preview.iter().map(as_row).collect();
        assert_eq!(issues(&conn), expected, "after {mutation:?}");
    }
}

#[test]
fn a_mutation_travels_as_name_and_args_and_validates_on_arrival() {
    let mutation = parse(
        "updateIssueStatus",
        json!({"id": ISSUE, "status": "done", "updatedAt": 5}),
    );
    let wire = serde_json::to_value(&mutation).unwrap();
    assert_eq!(
        wire,
        json!({"name": "updateIssueStatus", "args": {"id": ISSUE, "status": "done", "updatedAt": 5}})
    );
    assert_eq!(serde_json::from_value::<Mutation>(wire).unwrap(), mutation);

    for bad in [
        json!({"name": "updateIssueStatus", "args": {"id": ISSUE, "status": "later", "updatedAt": 5}}),
        json!({"name": "dropTable", "args": {}}),
        json!({"name": "deleteIssue"}),
        json!({"name": "deleteIssue", "args": {"id": ISSUE}, "extra": 1}),
    ] {
        assert!(
            serde_json::from_value::<Mutation>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn control_characters_other_than_line_breaks_and_tabs_are_refused_naming_the_field() {
    for (field, value) in [
        ("title", "a\u{0}b"),
        ("description", "bell\u{7}"),
        ("owner", "x\u{1b}[31m"),
    ] {
        let mut args = create_args(ISSUE, "t");
        args[field] = json!(value);
        let message = match Mutation::parse_new("createIssue", &args) {
            Err(err @ MutationError::InvalidArgs { .. }) => err.to_string(),
            other => panic!("expected InvalidArgs, got {other:?}"),
        };
        assert!(
            message.contains(&format!("{field} must not contain control characters")),
            "{message}"
        );
        // An entry logged before the rule existed still replays.
        assert!(Mutation::parse("createIssue", &args).is_ok(), "{field}");
    }
    let mut fine = create_args(ISSUE, "a title");
    fine["description"] = json!("line one\r\nline two\ttabbed\n");
    let mut conn = open();
    run(&mut conn, "createIssue", fine);
    assert_eq!(issues(&conn)[0][2], json!("line one\r\nline two\ttabbed\n"));
}
