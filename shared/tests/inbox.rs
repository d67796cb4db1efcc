//! The inbox derived by a replica (schema version 4): what concerns its member and what does not,
//! read marks, subscriptions, and another member's private entries never reaching it.

mod common;

use common::{Server, by};
use serde_json::{Value, json};
use shared::inbox::{Activity, InboxItem};
use shared::replica::{Replica, Storage};
use uuid::Uuid;

fn replica() -> Replica {
    Replica::open(&Storage::Memory, by()).expect("an in-memory replica")
}

fn create(id: Uuid, title: &str, at: u64) -> Value {
    json!({"id": id, "title": title, "description": "", "owner": "o", "createdAt": at})
}

fn summary(items: &[InboxItem]) -> Vec<(String, Activity, bool)> {
    items
        .iter()
        .map(|i| (i.title.clone(), i.activity, i.unread))
        .collect()
}

#[test]
fn the_inbox_holds_what_concerns_its_member_and_their_read_marks() {
    let mut server = Server::new();
    let mut mine = replica();
    let me = by().member_id;
    let (made, theirs, followed, quiet) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    // Mine, made here; three of someone else's.
    mine.mutate("createIssue", &create(made, "Mine", 10), 10)
        .unwrap();
    server.push(&mut mine);
    for (id, title) in [(theirs, "Theirs"), (followed, "Followed"), (quiet, "Quiet")] {
        server.someone_does("createIssue", create(id, title, 11));
    }
    server.catch_up(&mut mine);
    mine.mutate(
        "setSubscription",
        &json!({"issueId": followed, "subscribed": true, "at": 12}),
        12,
    )
    .unwrap();
    server.push(&mut mine);
    assert_eq!(mine.inbox().unwrap(), [], "nothing has happened yet");

    // Someone comments on mine, assigns me theirs, changes the followed one's status, mentions me
    // on the quiet one, and talks among themselves elsewhere (nothing of mine).
    let mention = format!("look [@me](mention:{me})");
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": made, "body": "a question", "createdAt": 20}),
    );
    server.someone_does(
        "assignIssue",
        json!({"id": theirs, "assignee": me, "updatedAt": 21}),
    );
    server.someone_does(
        "updateIssueStatus",
        json!({"id": followed, "status": "done", "updatedAt": 22}),
    );
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": quiet, "body": mention, "createdAt": 23}),
    );
    let elsewhere = Uuid::new_v4();
    server.someone_does("createIssue", create(elsewhere, "Elsewhere", 24));
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": elsewhere, "body": "not for me", "createdAt": 25}),
    );
    server.catch_up(&mut mine);
    let items = mine.inbox().unwrap();
    assert_eq!(
        summary(&items),
        [
            ("Quiet".into(), Activity::Mentioned, true),
            ("Followed".into(), Activity::Status, true),
            ("Theirs".into(), Activity::Assigned, true),
            ("Mine".into(), Activity::Commented, true),
        ]
    );
    assert_eq!(items[1].value, "done");
    assert!(items[0].comment_id.is_some() && items[0].value.starts_with("look"));

    // What I do myself is not news; reading one marks it; a later comment makes it unread again.
    mine.mutate(
        "addComment",
        &json!({"id": Uuid::new_v4(), "issueId": made, "body": "my answer", "createdAt": 30}),
        30,
    )
    .unwrap();
    mine.mutate("markInboxRead", &json!({"issueId": made, "at": 20}), 31)
        .unwrap();
    let unread = |r: &Replica| {
        r.inbox()
            .unwrap()
            .into_iter()
            .filter(|i| i.unread)
            .map(|i| i.title)
            .collect::<Vec<_>>()
    };
    assert_eq!(unread(&mine), ["Quiet", "Followed", "Theirs"]);
    server.push(&mut mine);
    server.someone_does(
        "addComment",
        json!({"id": Uuid::new_v4(), "issueId": made, "body": "and another", "createdAt": 40}),
    );
    server.catch_up(&mut mine);
    assert_eq!(unread(&mine), ["Mine", "Quiet", "Followed", "Theirs"]);

    // Unsubscribing from my own issue takes its comments out (a mention would still come).
    mine.mutate(
        "setSubscription",
        &json!({"issueId": made, "subscribed": false, "at": 41}),
        41,
    )
    .unwrap();
    assert!(!mine.watching(made).unwrap());
    assert_eq!(unread(&mine), ["Quiet", "Followed", "Theirs"]);
    // Everything read, up to now: nothing unread, the items stay.
    mine.mutate("markInboxRead", &json!({"at": 50}), 50)
        .unwrap();
    assert_eq!(unread(&mine), Vec::<String>::new());
    assert_eq!(mine.inbox().unwrap().len(), 3);
    server.push(&mut mine);

    // Another replica of mine, new, gets my read marks and subscriptions by snapshot.
    let mut again = replica();
    server.catch_up(&mut again);
    assert_eq!(unread(&again), Vec::<String>::new());
    assert_eq!(again.inbox().unwrap().len(), 3);
    assert!(!again.watching(made).unwrap() && again.watching(followed).unwrap());
    assert_eq!(server.rows("inbox_read").len(), 1, "one mark: everything");
}
