//! Random mutations as a person's client makes them, on a small shared set of issues: most valid,
//! some refused by the replica's own rules, some valid here and refused by the server when what they
//! touch is gone by then. The convergence test and the soak run share them.

use serde_json::{Value, json};
use shared::replica::{Replica, ReplicaError};
use uuid::Uuid;

use crate::fixtures::numbered;
use crate::members::Member;
use crate::server::Server;

/// What a valid mutation meets when its issue is gone (deleted, here or by someone else first).
pub const ISSUE_MISSING: &str = "the issue does not exist (it may have been deleted)";
pub const COMMENT_MISSING: &str = "the comment does not exist (it may have been deleted)";
pub const CHANGED_SINCE: &str =
    "someone changed this since: undoing would overwrite their change, so nothing was undone";

/// The mutations [`random_mutation`] makes that are valid here but may be refused by the server:
/// what they touch (an issue, a comment, a field's value) may be gone or changed by then.
const REFUSED_WHEN_GONE: [&str; 5] = [
    "addComment",
    "restoreIssue",
    "revertIssue",
    "setSubscription",
    "setReaction",
];

/// Whether `message` is a rejection a mutation the replica accepted may meet at the server: its
/// issue or comment deleted meanwhile, a field an undo reverts changed since, or, when the push's
/// answer was lost, the pull that acknowledges it saying only that one of those did not apply.
pub fn server_may_reject(message: &str) -> bool {
    [ISSUE_MISSING, COMMENT_MISSING, CHANGED_SINCE].contains(&message)
        || REFUSED_WHEN_GONE
            .iter()
            .any(|name| message == format!("the server did not apply {name}"))
}

/// What a random mutation should meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Valid,
    Invalid,
    /// Valid, but refused if its issue is gone (locally, or by the time the server sees it).
    UnlessIssueGone,
    /// An undo: refused if its issue is gone or a field it reverts changed since.
    UnlessChangedSince,
    /// A reaction to a comment: refused if the issue or the comment is gone.
    UnlessCommentGone,
}

/// What a client has made so far that later mutations pick from.
#[derive(Default)]
pub struct Made {
    /// Every issue any client created (shared: the clients meet on the same rows).
    pub issues: Vec<Uuid>,
    pub labels: Vec<Uuid>,
    /// Whom comments mention.
    pub people: Vec<Uuid>,
}

/// Three labels the replicas put on and take off issues (and recolour), pushed by `owner` from a
/// client of its own before the replicas start: that client and how many it logged.
pub fn make_labels(
    s: &Server,
    owner: &Member,
    rng: &mut fastrand::Rng,
    made: &mut Made,
) -> (Uuid, u64) {
    made.labels = (0..3).map(|_| new_id(rng)).collect();
    let mutations = made.labels.iter().enumerate().map(|(n, id)| {
        json!({"name": "createLabel", "args": {"id": id, "name": format!("label {n}"), "color": "#336699", "createdAt": n}})
    });
    let client = Uuid::new_v4();
    let reply = s.push_as(owner, &client, &numbered(1, mutations));
    assert_eq!(reply.status, 200, "the labels: {}", reply.text);
    (client, made.labels.len() as u64)
}

/// Makes one random mutation on `replica` at `now`: its id when the replica accepted it. A refusal
/// must be the one its kind expects, and queue nothing.
pub fn mutate_at_random(
    replica: &mut Replica,
    rng: &mut fastrand::Rng,
    made: &mut Made,
    comments: &mut Vec<(Uuid, Uuid)>,
    now: u64,
) -> Option<u64> {
    let (name, args, expect) = random_mutation(
        rng,
        &mut made.issues,
        &made.labels,
        comments,
        &made.people,
        now,
    );
    let before = replica.pending_count().expect("pending count");
    match replica.mutate(name, &args, now) {
        Ok(m) => {
            assert_ne!(
                expect,
                Expect::Invalid,
                "an invalid mutation was accepted: {name} {args}"
            );
            Some(m.id)
        }
        Err(err) => {
            check_refusal(expect, name, &args, &err);
            assert_eq!(
                replica.pending_count().expect("pending count"),
                before,
                "nothing queued"
            );
            None
        }
    }
}

/// A refusal is the one `expect` allows.
fn check_refusal(expect: Expect, name: &str, args: &Value, err: &ReplicaError) {
    let message = err.to_string();
    match expect {
        Expect::Valid => panic!("a valid mutation was refused: {name} {args}: {err}"),
        Expect::Invalid => assert_eq!(err.code(), Some(shared::ErrorCode::InvalidArgs)),
        Expect::UnlessIssueGone => assert_eq!(message, ISSUE_MISSING),
        Expect::UnlessChangedSince => {
            assert!(
                [ISSUE_MISSING, CHANGED_SINCE].contains(&message.as_str()),
                "{err}"
            )
        }
        Expect::UnlessCommentGone => {
            assert!(
                [ISSUE_MISSING, COMMENT_MISSING].contains(&message.as_str()),
                "{err}"
            )
        }
    }
}

pub fn random_mutation(
    rng: &mut fastrand::Rng,
    issues: &mut Vec<Uuid>,
    labels: &[Uuid],
    comments: &mut Vec<(Uuid, Uuid)>,
    people: &[Uuid],
    now: u64,
) -> (&'static str, Value, Expect) {
    let statuses = ["not started", "in progress", "done"];
    let priorities = ["none", "low", "medium", "high", "urgent"];
    // Half the time one of the first ten issues: many mutations meet on the same rows.
    let pick = |rng: &mut fastrand::Rng, issues: &[Uuid]| {
        let hot = if rng.bool() {
            issues.len().min(10)
        } else {
            issues.len()
        };
        issues[rng.usize(0..hot)]
    };
    let valid = |name, args| (name, args, Expect::Valid);
    match rng.u32(0..100) {
        _ if issues.len() < 3 => create(rng, issues, now),
        0..12 => create(rng, issues, now),
        12..27 => {
            let id = pick(rng, issues);
            let mut args = json!({"id": id, "updatedAt": now});
            if rng.bool() {
                args["title"] = json!(format!("title {}", rng.u32(..)));
            }
            if rng.bool() {
                args["description"] = json!("x".repeat(rng.usize(0..50)));
            }
            if rng.u32(0..4) == 0 {
                args["owner"] = json!(format!("owner {}", rng.u32(0..5)));
            }
            valid("updateIssue", args)
        }
        27..42 => {
            let id = pick(rng, issues);
            let status = statuses[rng.usize(0..3)];
            valid(
                "updateIssueStatus",
                json!({"id": id, "status": status, "updatedAt": now}),
            )
        }
        // Half to the trash, half for good (as a client of schema version 2 deletes).
        42..50 if rng.bool() => valid(
            "deleteIssue",
            json!({"id": pick(rng, issues), "deletedAt": now}),
        ),
        42..50 => valid("deleteIssue", json!({"id": pick(rng, issues)})),
        50..56 => valid(
            "setIssuePriority",
            json!({"id": pick(rng, issues), "priority": priorities[rng.usize(0..5)], "updatedAt": now}),
        ),
        56..61 => valid(
            "assignIssue",
            json!({"id": pick(rng, issues), "assignee": if rng.bool() { json!(new_id(rng)) } else { json!(null) }, "updatedAt": now}),
        ),
        61..68 => valid(
            "addIssueLabel",
            json!({"issueId": pick(rng, issues), "labelId": labels[rng.usize(0..labels.len())], "updatedAt": now}),
        ),
        68..73 => valid(
            "removeIssueLabel",
            json!({"issueId": pick(rng, issues), "labelId": labels[rng.usize(0..labels.len())], "updatedAt": now}),
        ),
        73..76 => valid(
            "updateLabel",
            json!({"id": labels[rng.usize(0..labels.len())], "color": format!("#{:06x}", rng.u32(0..0x100_0000))}),
        ),
        76..83 => {
            let (id, issue) = (new_id(rng), pick(rng, issues));
            comments.push((id, issue));
            // Some mention someone: the mention rows follow the text.
            let body = match rng.u32(0..3) {
                0 => format!(
                    "comment {} [@someone](mention:{})",
                    rng.u32(..),
                    people[rng.usize(0..people.len())]
                ),
                _ => format!("comment {}", rng.u32(..)),
            };
            (
                "addComment",
                json!({"id": id, "issueId": issue, "body": body, "createdAt": now}),
                Expect::UnlessIssueGone,
            )
        }
        83..88 if !comments.is_empty() => {
            let (id, issue) = comments[rng.usize(0..comments.len())];
            if rng.bool() {
                valid(
                    "editComment",
                    json!({"id": id, "issueId": issue, "body": format!("edited {}", rng.u32(..)), "editedAt": now}),
                )
            } else {
                valid("deleteComment", json!({"id": id, "issueId": issue}))
            }
        }
        88..90 => (
            "restoreIssue",
            json!({"id": pick(rng, issues), "restoredAt": now}),
            Expect::UnlessIssueGone,
        ),
        // Reactions, on an issue or a comment, on and off; now and then a name that is not one.
        90..93 => {
            let emoji = ["+1", "heart", "rocket", "eyes"][rng.usize(0..4)];
            let on = rng.bool();
            match rng.u32(0..8) {
                0 => (
                    "setReaction",
                    json!({"issueId": pick(rng, issues), "emoji": "party", "on": true, "at": now}),
                    Expect::Invalid,
                ),
                1..4 if !comments.is_empty() => {
                    let (id, issue) = comments[rng.usize(0..comments.len())];
                    (
                        "setReaction",
                        json!({"issueId": issue, "commentId": id, "emoji": emoji, "on": on, "at": now}),
                        if on {
                            Expect::UnlessCommentGone
                        } else {
                            Expect::Valid
                        },
                    )
                }
                _ => (
                    "setReaction",
                    json!({"issueId": pick(rng, issues), "emoji": emoji, "on": on, "at": now}),
                    if on {
                        Expect::UnlessIssueGone
                    } else {
                        Expect::Valid
                    },
                ),
            }
        }
        // The member's own: following an issue, and reading their inbox.
        93 => (
            "setSubscription",
            json!({"issueId": pick(rng, issues), "subscribed": rng.bool(), "at": now}),
            Expect::UnlessIssueGone,
        ),
        94 if rng.bool() => valid("markInboxRead", json!({"at": now})),
        94 => valid(
            "markInboxRead",
            json!({"issueId": pick(rng, issues), "at": now}),
        ),
        95 => {
            // An undo as the app makes them: often refused, as someone changed the field since.
            let status = |rng: &mut fastrand::Rng| statuses[rng.usize(0..3)];
            let mut args = json!({"id": pick(rng, issues), "updatedAt": now,
                                  "status": {"from": status(rng), "to": status(rng)}});
            if rng.bool() {
                args["priority"] = json!({"from": priorities[rng.usize(0..5)], "to": "high"});
            }
            ("revertIssue", args, Expect::UnlessChangedSince)
        }
        96..98 => (
            "updateIssue",
            json!({"id": pick(rng, issues), "title": "   ", "updatedAt": now}),
            Expect::Invalid,
        ),
        _ => (
            "updateIssueStatus",
            json!({"id": pick(rng, issues), "status": "blocked", "updatedAt": now}),
            Expect::Invalid,
        ),
    }
}

/// A random v4 UUID from the test's generator, so a run replays.
pub fn new_id(rng: &mut fastrand::Rng) -> Uuid {
    let id = Uuid::from_u64_pair(rng.u64(..), rng.u64(..));
    uuid::Builder::from_random_bytes(*id.as_bytes()).into_uuid()
}

pub fn create(
    rng: &mut fastrand::Rng,
    issues: &mut Vec<Uuid>,
    now: u64,
) -> (&'static str, Value, Expect) {
    let id = new_id(rng);
    issues.push(id);
    let args = json!({"id": id, "title": format!("issue {}", issues.len()), "description": "",
                      "owner": "tester", "createdAt": now});
    ("createIssue", args, Expect::Valid)
}
