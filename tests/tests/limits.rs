//! What one caller may spend, against the real worker with its rate limits on: a member's burst of
//! requests is cut off with `429 RateLimited` and `Retry-After` (others go on), a member's changes
//! (applied or rejected) past the day's budget are refused whole with `429 QuotaExceeded` and `Retry-After` until the next
//! UTC day (others go on), and requests before anyone signs in are counted by address. One test, in
//! order: the address bucket is shared by every sign-in this binary makes.

use serde_json::json;
use sync_tests::{Member, Server, create, numbered};
use uuid::Uuid;

/// The day's budget this server runs with.
const BUDGET: u64 = 30;

fn creates(n: u64) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| create(&Uuid::new_v4(), &format!("budgeted {i}")))
        .collect()
}

#[test]
fn bursts_and_budgets_are_cut_off_per_member_and_say_when_to_retry() {
    let s = Server::start_limited(&["MEMBER_DAILY_MUTATIONS:30"]);
    let owner = s.owner().clone();
    let members: Vec<Member> = (0..3)
        .map(|i| s.join(&owner, &format!("Member {i}")))
        .collect();
    let [busy, thrifty, other] = [&members[0], &members[1], &members[2]];

    // A burst of one member's requests: cut off within the binding's 150 per 10 seconds, and a push
    // right after it refused. The binding counts in fixed windows: a burst cut off at the very end
    // of one lets the push into the next, so the burst is tried again (at most three times).
    let client = Uuid::new_v4();
    let mut refused = None;
    for _ in 0..3 {
        let limited = (0..400)
            .map(|_| s.pull_as(busy, &client, None))
            .find(|reply| reply.status != 200)
            .expect("a burst of 400 pulls is cut off");
        limited.assert_error(429, "RateLimited");
        assert_eq!(limited.retry_after.as_deref(), Some("10"));
        let issue = Uuid::new_v4();
        let push = s.push_as(
            busy,
            &Uuid::new_v4(),
            &numbered(1, [create(&issue, "in a burst")]),
        );
        if push.status != 200 {
            refused = Some((push, issue));
            break;
        }
    }
    let (push, issue) = refused.expect("a push in a burst is refused");
    push.assert_error(429, "RateLimited");
    assert!(
        s.issues_in(&owner.workspace)
            .iter()
            .all(|row| row["id"] != json!(issue)),
        "a refused push wrote nothing"
    );
    // Another member is not slowed down by it.
    s.pull_as(other, &Uuid::new_v4(), None).ok();

    // The day's budget: 30 applied mutations, then a push that would go over is refused whole.
    let client = Uuid::new_v4();
    s.push_as(thrifty, &client, &numbered(1, creates(BUDGET - 2)))
        .ok();
    let over = s.push_as(thrifty, &client, &numbered(BUDGET - 1, creates(3)));
    let message = over.assert_error(429, "QuotaExceeded");
    assert!(message.contains("after midnight UTC"), "{message}");
    let wait: u64 = over
        .retry_after
        .as_deref()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");
    assert!(
        (1..=86_400).contains(&wait),
        "until the next UTC day: {wait}"
    );
    let page = s.pull_as(thrifty, &client, None).ok();
    assert_eq!(
        page["lastMutationId"],
        json!(BUDGET - 2),
        "nothing of it was processed"
    );
    // Rejected mutations count too: each one still writes its client's row.
    let bad = || json!({"name": "createIssue", "args": {"id": "not a uuid"}});
    let reply = s
        .push_as(thrifty, &client, &numbered(BUDGET - 1, [bad()]))
        .ok();
    assert_eq!(reply["lastMutationId"], json!(BUDGET - 1));
    assert_eq!(reply["rejected"][0]["error"], json!("InvalidArgs"));
    s.push_as(thrifty, &client, &numbered(BUDGET, [bad(), bad()]))
        .assert_error(429, "QuotaExceeded");
    let reply = s.push_as(thrifty, &client, &numbered(BUDGET, [bad()])).ok();
    assert_eq!(
        reply["lastMutationId"],
        json!(BUDGET),
        "the budget's last one"
    );
    // At the budget, nothing more is processed, whatever it is: a rejection found while parsing,
    // one found by a statement (a comment on an issue that does not exist, the careful path), or
    // a change that would apply.
    let missing = json!({"name": "addComment", "args": {"id": Uuid::new_v4(),
        "issueId": Uuid::new_v4(), "body": "on nothing", "createdAt": 1}});
    for attempt in [vec![bad()], vec![missing], creates(1)] {
        s.push_as(thrifty, &client, &numbered(BUDGET + 1, attempt))
            .assert_error(429, "QuotaExceeded");
    }
    let page = s.pull_as(thrifty, &client, None).ok();
    assert_eq!(
        page["lastMutationId"],
        json!(BUDGET),
        "nothing past the budget was processed"
    );
    let used = s.sql(&format!(
        "SELECT SUM(mutations) AS used FROM member_usage WHERE member_id = '{}'",
        thrifty.id
    ));
    assert_eq!(
        used[0]["used"],
        json!(BUDGET),
        "every processed mutation counted, no more"
    );
    // Someone else's budget is their own.
    s.push_as(other, &Uuid::new_v4(), &numbered(1, creates(BUDGET)))
        .ok();

    // Before signing in, requests count against the address.
    let limited = (0..100)
        .map(|_| {
            s.send_as(
                None,
                "POST",
                "/api/invites/preview",
                &json!({"token": "inv_unknown"}),
            )
        })
        .find(|reply| reply.status != 404)
        .expect("a burst of invite lookups is cut off");
    limited.assert_error(429, "RateLimited");
}
