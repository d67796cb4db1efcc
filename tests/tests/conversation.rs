//! The conversation against the real worker on a local D1 (schema version 4): reactions and their
//! rules, mentions recorded beside the text, and a member's private rows (subscriptions, inbox read
//! marks) reaching that member's clients only, in pulls, snapshots and pokes.

use std::time::Duration;

use serde_json::{Value, json};
use sync_tests::live::Socket;
use sync_tests::{Member, Server, create, numbered};
use uuid::Uuid;

const SOON: Duration = Duration::from_secs(5);

fn push(s: &Server, by: &Member, client: &Uuid, first: u64, mutations: Vec<Value>) -> Value {
    s.push_as(by, client, &numbered(first, mutations)).ok()
}

/// Every entry `by` pulls from the start of the log, and the cookie it ends at.
fn pulled(s: &Server, by: &Member) -> (Vec<Value>, u64) {
    let reply = s.pull_as(by, &Uuid::new_v4(), Some(0)).ok();
    let entries = reply["mutations"].as_array().cloned().unwrap_or_default();
    (entries, reply["cookie"].as_u64().expect("a cookie"))
}

fn names(entries: &[Value]) -> Vec<&str> {
    entries.iter().filter_map(|e| e["name"].as_str()).collect()
}

#[test]
fn reactions_keep_their_rules_on_the_server() {
    let s = Server::start(true);
    let owner = s.setup("Reactions", "Olive", None);
    let bea = s.join(&owner, "Bea");
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let comment = Uuid::new_v4();
    push(
        &s,
        &owner,
        &client,
        1,
        vec![
            create(&issue, "Reacted to"),
            json!({"name": "addComment", "args": {"id": comment, "issueId": issue, "body": "hi", "createdAt": 2}}),
        ],
    );
    // Bea's on and Olive's, twice each: one row each.
    let heart = |on: bool| json!({"name": "setReaction", "args": {"issueId": issue, "commentId": comment, "emoji": "heart", "on": on, "at": 3}});
    let bea_client = Uuid::new_v4();
    let answer = push(&s, &bea, &bea_client, 1, vec![heart(true), heart(true)]);
    assert_eq!(answer["rejected"], json!([]));
    push(&s, &owner, &client, 3, vec![heart(true)]);
    let rows = s.sql(&format!(
        "SELECT member_id, emoji FROM reaction WHERE comment_id = '{comment}' ORDER BY member_id"
    ));
    assert_eq!(rows.len(), 2, "{rows:?}");

    // Refused with their codes, nothing written: a reaction to a comment that is not there, to an
    // issue that is not there; an emoji that is not one of the set, or no emoji at all.
    let before = s.sql("SELECT COUNT(*) AS n FROM reaction");
    let answer = push(
        &s,
        &bea,
        &bea_client,
        3,
        vec![
            json!({"name": "setReaction", "args": {"issueId": issue, "commentId": Uuid::new_v4(), "emoji": "eyes", "on": true, "at": 4}}),
            json!({"name": "setReaction", "args": {"issueId": Uuid::new_v4(), "emoji": "eyes", "on": true, "at": 4}}),
            json!({"name": "setReaction", "args": {"issueId": issue, "emoji": "party", "on": true, "at": 4}}),
            json!({"name": "setReaction", "args": {"issueId": issue, "on": true, "at": 4}}),
        ],
    );
    let rejected: Vec<(u64, &str)> = answer["rejected"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| (r["id"].as_u64().unwrap(), r["error"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [
            (3, "StatementFailed"),
            (4, "StatementFailed"),
            (5, "InvalidArgs"),
            (6, "InvalidArgs")
        ]
    );
    assert!(
        answer["rejected"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the comment does not exist"),
        "{answer}"
    );
    assert!(
        answer["rejected"][2]["message"]
            .as_str()
            .unwrap()
            .contains("emoji must be one of"),
        "{answer}"
    );
    assert_eq!(s.sql("SELECT COUNT(*) AS n FROM reaction"), before);

    // Taking one back removes only one's own; deleting the comment takes the rest with it.
    push(&s, &bea, &bea_client, 7, vec![heart(false)]);
    let left = s.sql(&format!(
        "SELECT member_id FROM reaction WHERE comment_id = '{comment}'"
    ));
    assert_eq!(left, [json!({"member_id": owner.id.to_string()})]);
    push(
        &s,
        &owner,
        &client,
        4,
        vec![json!({"name": "deleteComment", "args": {"id": comment, "issueId": issue}})],
    );
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM reaction"),
        [json!({"n": 0})]
    );
}

#[test]
fn mentions_follow_the_text_that_makes_them() {
    let s = Server::start(true);
    let owner = s.setup("Mentions", "Olive", None);
    let ada = s.join(&owner, "Ada");
    let bob = s.join(&owner, "Bob");
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    let comment = Uuid::new_v4();
    let mention = |m: &Member| format!("[@x](mention:{})", m.id);
    push(
        &s,
        &owner,
        &client,
        1,
        vec![
            json!({"name": "createIssue", "args": {"id": issue, "title": "t", "description": format!("for {}", mention(&ada)), "owner": "o", "createdAt": 10}}),
            json!({"name": "addComment", "args": {"id": comment, "issueId": issue, "body": format!("{} and {}", mention(&ada), mention(&bob)), "createdAt": 20}}),
            json!({"name": "editComment", "args": {"id": comment, "issueId": issue, "body": format!("only {}", mention(&bob)), "editedAt": 30}}),
        ],
    );
    let rows = s.sql(
        "SELECT comment_id = '' AS description, member_id, at FROM mention ORDER BY description, member_id",
    );
    assert_eq!(
        rows,
        [
            json!({"description": 0, "member_id": bob.id.to_string(), "at": 20}),
            json!({"description": 1, "member_id": ada.id.to_string(), "at": 10}),
        ],
        "the edit dropped Ada's mention and kept Bob's first time"
    );
}

#[test]
fn a_members_private_rows_reach_their_clients_only() {
    let s = Server::start(true);
    let owner = s.setup("Private", "Olive", None);
    let ada = s.join(&owner, "Ada");
    let carl = s.join(&owner, "Carl");
    let issue = Uuid::new_v4();
    push(
        &s,
        &owner,
        &Uuid::new_v4(),
        1,
        vec![create(&issue, "Shared")],
    );

    // Carl's socket is open before Ada reads her inbox.
    let mut carls = s
        .live_as(&carl, &Uuid::new_v4(), &[])
        .expect("Carl's socket opens");
    let mut adas = s.live_as(&ada, &Uuid::new_v4(), &[]).expect("Ada's opens");

    let ada_client = Uuid::new_v4();
    push(
        &s,
        &ada,
        &ada_client,
        1,
        vec![
            json!({"name": "setSubscription", "args": {"issueId": issue, "subscribed": true, "at": 5}}),
            json!({"name": "markInboxRead", "args": {"issueId": issue, "at": 6}}),
        ],
    );
    let poke = |socket: &mut Socket| socket.poke(SOON).expect("a poke");
    let to_ada = poke(&mut adas);
    let to_carl = poke(&mut carls);
    assert_eq!(to_ada.cookie, to_carl.cookie, "both hear where the log is");
    let poked_names = |poke: &shared::live::Poke| -> Vec<String> {
        poke.mutations.iter().map(|e| e.name.clone()).collect()
    };
    assert!(poked_names(&to_ada).contains(&"markInboxRead".to_owned()));
    assert_eq!(
        poked_names(&to_carl),
        ["createIssue"],
        "Carl's poke carries the workspace's entries and none of Ada's"
    );
    assert_eq!(
        poked_names(&to_ada),
        ["createIssue", "setSubscription", "markInboxRead"]
    );
    let wire = serde_json::to_string(&to_carl).unwrap();
    assert!(!wire.contains("markInboxRead") && !wire.contains("setSubscription"));

    // Pulls: Ada gets her entries; Carl's page moves past them without them.
    let (mine, ada_cookie) = pulled(&s, &ada);
    let (theirs, carl_cookie) = pulled(&s, &carl);
    assert_eq!(
        names(&mine),
        ["createIssue", "setSubscription", "markInboxRead"]
    );
    assert_eq!(names(&theirs), ["createIssue"]);
    assert_eq!(
        carl_cookie, ada_cookie,
        "Carl's cookie is past Ada's entries"
    );
    let carl_wire = s.pull_as(&carl, &Uuid::new_v4(), Some(0)).text;
    assert!(!carl_wire.contains(&ada_client.to_string()) && !carl_wire.contains("mark"));
    // The owner reads no one's either.
    assert_eq!(names(&pulled(&s, &owner).0), ["createIssue"]);

    // Snapshots: each member's own rows only.
    let snapshot = |by: &Member| s.pull_as(by, &Uuid::new_v4(), None).ok()["snapshot"].clone();
    let adas_snapshot = snapshot(&ada);
    assert_eq!(
        adas_snapshot["subscriptions"],
        json!([{"issueId": issue, "subscribed": true, "at": 5}])
    );
    assert_eq!(
        adas_snapshot["inboxRead"],
        json!([{"issueId": issue, "readAt": 6}])
    );
    let carls_snapshot = snapshot(&carl);
    assert_eq!(carls_snapshot["issues"].as_array().map(Vec::len), Some(1));
    assert!(carls_snapshot.get("subscriptions").is_none());
    assert!(carls_snapshot.get("inboxRead").is_none());

    // Marking everything read keeps one row, the mark.
    push(
        &s,
        &ada,
        &ada_client,
        3,
        vec![json!({"name": "markInboxRead", "args": {"at": 9}})],
    );
    assert_eq!(
        s.sql("SELECT issue_id, read_at FROM inbox_read"),
        [json!({"issue_id": "", "read_at": 9})]
    );
    // A private mutation for an issue that is not there is refused, nothing written.
    let answer = push(
        &s,
        &ada,
        &ada_client,
        4,
        vec![
            json!({"name": "setSubscription", "args": {"issueId": Uuid::new_v4(), "subscribed": true, "at": 10}}),
        ],
    );
    assert_eq!(answer["rejected"][0]["error"], json!("StatementFailed"));
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM subscription"),
        [json!({"n": 1})]
    );
}

#[test]
fn a_version_3_client_syncs_until_the_workspace_logs_a_version_4_change() {
    let s = Server::start(true);
    let owner = s.setup("Upgrading", "Olive", None);
    let old = Uuid::new_v4();
    let issue = Uuid::new_v4();
    // Markdown, a mention and an issue reference are text: nothing of version 4 yet.
    let mentioned = json!({"name": "addComment", "args": {"id": Uuid::new_v4(), "issueId": issue,
        "body": format!("**see** #1, [@Olive](mention:{})", owner.id), "createdAt": 2}});
    s.push_at_version(
        3,
        &owner,
        &old,
        &numbered(1, [create(&issue, "v3"), mentioned]),
    )
    .ok();
    let pulled = s.pull_at_version(3, &owner, &old, Some(0)).ok();
    assert_eq!(
        names(pulled["mutations"].as_array().unwrap()),
        ["createIssue", "addComment"]
    );
    // A version-4 name from it is unknown, nothing changed.
    let reaction = json!({"name": "setReaction", "args": {"issueId": issue, "emoji": "eyes", "on": true, "at": 3}});
    let answer = s
        .push_at_version(3, &owner, &old, &numbered(3, [reaction.clone()]))
        .ok();
    assert_eq!(answer["rejected"][0]["error"], json!("UnknownMutation"));
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM reaction"),
        [json!({"n": 0})]
    );
    // A version-4 client reacts: version 3 may no longer pull, but still pushes.
    s.push_as(&owner, &Uuid::new_v4(), &numbered(1, [reaction]))
        .ok();
    for cookie in [pulled["cookie"].as_u64(), None] {
        s.pull_at_version(3, &owner, &old, cookie)
            .assert_error(409, "VersionNotSupported");
    }
    let answer = s
        .push_at_version(
            3,
            &owner,
            &old,
            &numbered(4, [create(&Uuid::new_v4(), "offline")]),
        )
        .ok();
    assert_eq!(answer["rejected"], json!([]));
}
