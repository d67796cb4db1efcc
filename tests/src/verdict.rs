//! The verdict of a run of many replicas against the real server (the convergence test, the soak):
//! every replica equals D1 row for row, every issue has its own number, and every mutation a
//! replica accepted was logged exactly once, as its member's, however often it was sent.
//!
//! "Exactly once" is checked against every entry the log ever held: compaction deletes entries, so
//! a run reads the log ([`read_log`]) before each compaction, and once at the end.

use serde_json::Value;
use shared::replica::{IssueFilter, Replica};
use uuid::Uuid;

use crate::fixtures::replica_rows;
use crate::members::Member;
use crate::random::server_may_reject;
use crate::server::Server;

/// Every entry of the workspace's log, by log id: `(client id, mutation id, member id)`.
pub type Logged = std::collections::BTreeMap<u64, (Uuid, u64, Uuid)>;

/// Rejections reported to the replicas: `(client id, mutation id)` and the message.
pub type Rejected = std::collections::BTreeSet<(Uuid, u64, String)>;

/// A mutation a replica accepted: `(client id, mutation id, member id)`.
pub type Accepted = (Uuid, u64, Uuid);

/// Adds what the workspace's log holds now to `seen`: the clients' entries, not compaction's own
/// (`deleteIssue` of what it removed from the trash, checked by the rows).
pub fn read_log(s: &Server, workspace: &Uuid, seen: &mut Logged) {
    let rows = s.sql(&format!(
        "SELECT id, client_id, mutation_id, member_id FROM mutation_log WHERE workspace_id = '{workspace}' \
         AND client_id <> '{}'",
        shared::compaction::COMPACTION_CLIENT
    ));
    let uuid = |value: &Value| {
        value
            .as_str()
            .and_then(|text| Uuid::parse_str(text).ok())
            .expect("a UUID in the log")
    };
    for row in rows {
        let entry = (
            uuid(&row["client_id"]),
            row["mutation_id"].as_u64().expect("a mutation id"),
            uuid(&row["member_id"]),
        );
        seen.insert(row["id"].as_u64().expect("a log id"), entry);
    }
}

/// How many rows of `table` are the workspace's.
pub fn count(s: &Server, table: &str, workspace: &Uuid) -> u64 {
    s.sql(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE workspace_id = '{workspace}'"
    ))[0]["n"]
        .as_u64()
        .unwrap_or(0)
}

/// Equal tables, or a short account of the first difference.
pub fn assert_same_rows(actual: Vec<Value>, expected: &[Value], what: &str) {
    if actual == expected {
        return;
    }
    let first = actual
        .iter()
        .zip(expected)
        .find(|(a, e)| a != e)
        .map(|(a, e)| format!("first difference:\n  has  {a}\n  want {e}"))
        .unwrap_or_default();
    panic!(
        "{what} differs from the server: {} rows against {}; {first}",
        actual.len(),
        expected.len()
    );
}

/// The server's issues, having checked their numbers: every create got one, in the order the server
/// applied them, none twice, none skipped, whichever client made it and however its pushes raced
/// (issues deleted for good took theirs with them). `creates`: the issues the clients created.
pub fn numbered_issues(s: &Server, workspace: &Uuid, creates: usize) -> Vec<Value> {
    let server_issues = s.issues_in(workspace);
    assert!(!server_issues.is_empty());
    let next = s.sql(&format!(
        "SELECT next_issue_number AS n FROM workspace WHERE id = '{workspace}'"
    ))[0]["n"]
        .as_u64()
        .expect("the next number");
    assert_eq!(next - 1, creates as u64, "one number a create, no gaps");
    let mut numbers: Vec<u64> = server_issues
        .iter()
        .map(|row| row["number"].as_u64().expect("every issue has its number"))
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), server_issues.len(), "no number twice");
    assert!(numbers.iter().all(|n| (1..next).contains(n)));
    server_issues
}

/// Replica `i`, of `member`, holds what the server holds: base row for row (issues, labels and their
/// links, comments, history, reactions, mentions, and the member's own follows and inbox), nothing
/// pending, and its list, trash, labels and comments show it.
pub fn assert_replica_matches(
    s: &Server,
    i: usize,
    replica: &Replica,
    member: &Member,
    server_issues: &[Value],
) {
    assert_eq!(
        replica.pending_count().expect("pending count"),
        0,
        "replica {i} has nothing pending"
    );
    assert_same_rows(
        replica_rows(replica.base_issues().expect("base issues")),
        server_issues,
        &format!("replica {i}'s base"),
    );
    let live: Vec<Value> = server_issues
        .iter()
        .filter(|row| row["deleted_at"].is_null())
        .cloned()
        .collect();
    assert_same_rows(
        replica_rows(
            replica
                .issues(&IssueFilter::default())
                .expect("the replica's list"),
        ),
        &live,
        &format!("replica {i}'s list, the trash left out"),
    );
    assert_eq!(
        replica.trash(0, u32::MAX).expect("the trash").len(),
        server_issues.len() - live.len(),
        "replica {i}'s trash"
    );

    // The private tables: the replica's member's rows, and no one else's.
    for (table, mine) in [
        ("label", false),
        ("issue_label", false),
        ("comment", false),
        ("issue_event", false),
        ("reaction", false),
        ("mention", false),
        ("subscription", true),
        ("inbox_read", true),
    ] {
        let mut on_server = Vec::new();
        let member_filter = if mine {
            " AND member_id = ?2"
        } else {
            " AND ?2 = ?2"
        };
        s.with_d1(|conn| {
            let mut statement = conn
                .prepare(&format!(
                    "SELECT * FROM {table} WHERE workspace_id = ?1{member_filter} ORDER BY 1, 2"
                ))
                .expect("prepare");
            let columns = statement.column_count();
            on_server = statement
                .query_map(
                    [member.workspace.to_string(), member.id.to_string()],
                    |row| {
                        (0..columns)
                            .map(|i| row.get(i))
                            .collect::<Result<Vec<_>, _>>()
                    },
                )
                .expect("query")
                .collect::<Result<Vec<Vec<rusqlite::types::Value>>, _>>()
                .expect("rows");
        });
        assert_eq!(
            replica.base_rows(table).expect("base rows"),
            on_server,
            "replica {i}'s base {table}"
        );
    }
    let ids: Vec<Uuid> = server_issues
        .iter()
        .map(|row| {
            row["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .expect("an issue id")
        })
        .collect();
    let shown = replica.issue_labels(&ids).expect("labels").len();
    assert_eq!(
        shown as u64,
        count(s, "issue_label", &member.workspace),
        "replica {i} shows every label on its issue"
    );
    let comments: usize = ids
        .iter()
        .map(|id| replica.comments(*id).expect("comments").len())
        .sum();
    assert_eq!(
        comments,
        replica.base_rows("comment").expect("base comments").len(),
        "replica {i} shows every comment"
    );
}

/// Takes the rejected mutations out of `accepted`, having checked each was one a valid mutation may
/// meet: each was accepted by its replica, and is not in the log.
pub fn drop_rejected(accepted: &mut Vec<Accepted>, rejected: &Rejected) {
    for (client, id, message) in rejected {
        assert!(
            server_may_reject(message),
            "no other valid mutation was rejected: {message}"
        );
        accepted.retain(|(c, i, _)| (c, i) != (client, id));
    }
}

/// Every accepted mutation was logged exactly once, as its member's, and nothing else was: the
/// entries compaction deleted (in `seen`, read before each run) and those still there. A pull from
/// the horizon by a new client of `member` gives the rest of the log but for the other members'
/// private entries, with no client's ids.
pub fn assert_logged_once(s: &Server, member: &Member, mut seen: Logged, accepted: Vec<Accepted>) {
    let horizon = s.horizon_of(&member.workspace);
    let (entries, _) = s.pull_all_as(member, &Uuid::new_v4(), Some(horizon));
    // Another member's private entries (their follows, their inbox read) are not sent to this one.
    let rows = s.sql(&format!(
        "SELECT id, name, private_to, client_id, mutation_id, member_id FROM mutation_log \
         WHERE workspace_id = '{}' AND (private_to IS NULL OR private_to = '{}')",
        member.workspace, member.id
    ));
    if entries.len() != rows.len() {
        let pulled: std::collections::BTreeSet<u64> = entries
            .iter()
            .filter_map(|entry| entry["logId"].as_u64())
            .collect();
        let missing: Vec<&Value> = rows
            .iter()
            .filter(|row| !row["id"].as_u64().is_some_and(|id| pulled.contains(&id)))
            .collect();
        panic!(
            "a pull from the horizon {horizon} gives the rest of the log: {} entries pulled, {} logged; not pulled: {missing:?}",
            entries.len(),
            rows.len()
        );
    }
    read_log(s, &member.workspace, &mut seen);
    for entry in &entries {
        assert!(
            entry.get("clientId").is_none(),
            "no client ids leave the server: {entry}"
        );
        assert!(
            entry.get("id").is_none(),
            "a new client owns none of them: {entry}"
        );
    }
    let mut logged: Vec<Accepted> = seen.into_values().collect();
    let mut accepted = accepted;
    logged.sort();
    accepted.sort();
    if logged != accepted {
        let not_logged: Vec<&Accepted> = accepted.iter().filter(|a| !logged.contains(a)).collect();
        let mut twice = logged.clone();
        twice.dedup();
        let not_accepted: Vec<&Accepted> =
            logged.iter().filter(|l| !accepted.contains(l)).collect();
        panic!(
            "{} log entries for {} accepted mutations: accepted, not logged: {not_logged:?}; \
             logged, not accepted: {not_accepted:?}; logged twice: {}",
            logged.len(),
            accepted.len(),
            logged.len() - twice.len()
        );
    }
}
