//! Who may do what, against the real worker on a fresh local D1: every route refuses a caller without
//! a valid session or token (401), and a member of another workspace (403); a removed member is out
//! at their next request; a client id is its first member's; invite links stop at their expiry or
//! revocation; API tokens act as their member in their workspace until revoked.

use serde_json::{Value, json};
use sync_tests::members::{SESSION_KEY, session_cookie};
use sync_tests::{Auth, Member, Server, create, numbered, server};
use uuid::Uuid;

const NOW: u64 = 1_764_000_000_000;

/// Every route that needs a caller, with a body it would accept.
fn routes(by: &Member) -> Vec<(&'static str, String, Value)> {
    let client = Uuid::new_v4();
    vec![
        ("GET", "/api/session".to_owned(), json!(null)),
        (
            "POST",
            by.api("push"),
            json!({"clientId": client, "schemaVersion": 1,
                   "mutations": numbered(1, [create(&Uuid::new_v4(), "refused")])}),
        ),
        (
            "POST",
            by.api("pull"),
            json!({"clientId": client, "schemaVersion": 1, "cookie": null}),
        ),
        ("GET", by.api("members"), json!(null)),
        (
            "GET",
            format!("{}?clientId={client}", by.api("live")),
            json!(null),
        ),
        (
            "POST",
            by.api("members/remove"),
            json!({"memberId": Uuid::new_v4()}),
        ),
        (
            "POST",
            by.api("members/budget"),
            json!({"memberId": by.id, "extra": 10}),
        ),
        ("POST", by.api("invites"), json!({})),
        (
            "POST",
            by.api("invites/revoke"),
            json!({"id": Uuid::new_v4()}),
        ),
        ("POST", by.api("tokens"), json!({"name": "script"})),
        (
            "POST",
            by.api("tokens/revoke"),
            json!({"id": Uuid::new_v4()}),
        ),
        ("POST", by.api("issue-key"), json!({"issueKey": "ABC"})),
        ("POST", by.api("name"), json!({"name": "Renamed"})),
        ("POST", by.api("owner"), json!({"memberId": Uuid::new_v4()})),
        ("POST", by.api("leave"), json!({})),
    ]
}

/// Every route of the signed-in member's own account, with a body it would accept: no workspace in
/// them, so they answer to sessions only.
fn account_routes() -> Vec<(&'static str, String, Value)> {
    vec![
        ("GET", "/api/account".to_owned(), json!(null)),
        ("POST", "/api/session/sign-out".to_owned(), json!({})),
        (
            "POST",
            "/api/sessions/revoke".to_owned(),
            json!({"id": Uuid::new_v4()}),
        ),
        ("POST", "/api/devices/link".to_owned(), json!({})),
        ("POST", "/api/profile".to_owned(), json!({"name": "New"})),
        ("POST", "/api/passkeys/register/begin".to_owned(), json!({})),
        (
            "POST",
            "/api/passkeys/register/finish".to_owned(),
            json!({"challengeId": Uuid::new_v4(), "name": "Laptop",
                   "clientDataJson": "e30", "attestationObject": "oA"}),
        ),
        (
            "POST",
            "/api/passkeys/remove".to_owned(),
            json!({"id": "abc"}),
        ),
    ]
}

fn issue_count(s: &Server) -> usize {
    s.issues().len()
}

#[test]
fn every_route_refuses_a_caller_without_a_valid_session() {
    let s = server();
    let owner = s.owner();
    let before = issue_count(s);
    let tampered = match &owner.auth {
        Auth::Cookie(value) => {
            let (payload, tag) = value.rsplit_once('.').unwrap();
            let other = payload.replace(&owner.id.to_string(), &Uuid::new_v4().to_string());
            Auth::Cookie(format!("{other}.{tag}"))
        }
        other => panic!("the owner signs in by cookie, not {other:?}"),
    };
    // A session of the owner's that was signed out, and one that never was (signed with the key).
    let signed_out = s.device(owner);
    s.send_as(
        Some(&signed_out),
        "POST",
        "/api/session/sign-out",
        &json!({}),
    )
    .ok();
    let callers = [
        ("a signed-out session", signed_out),
        (
            "a session the server never made",
            Member::minted(owner.id, owner.workspace, SESSION_KEY, u64::MAX / 2),
        ),
        ("no session", owner.with_auth(Auth::None)),
        ("a tampered cookie", owner.with_auth(tampered)),
        (
            "an expired cookie",
            Member::minted(owner.id, owner.workspace, SESSION_KEY, NOW),
        ),
        (
            "a cookie signed under another key",
            Member::minted(
                owner.id,
                owner.workspace,
                "another deployment's session key, long enough",
                u64::MAX / 2,
            ),
        ),
        (
            "a made-up API token",
            owner.with_auth(Auth::Bearer("trk_not-a-token".into())),
        ),
        ("a garbled Authorization header", {
            let mut m = owner.with_auth(Auth::None);
            m.auth = Auth::Bearer(String::new());
            m
        }),
    ];
    for (what, caller) in &callers {
        for (method, path, body) in routes(caller).into_iter().chain(account_routes()) {
            let reply = s.send_as(Some(caller), method, &path, &body);
            let message = reply.assert_error(401, "Unauthenticated");
            assert!(!message.is_empty(), "{what}: {method} {path}");
        }
    }
    assert_eq!(issue_count(s), before, "nothing was written");
}

#[test]
fn a_member_of_one_workspace_can_neither_read_nor_change_another() {
    let s = server();
    let a = s.setup("Workspace A", "Alice", None);
    let b = s.setup("Workspace B", "Bob", None);
    let issue = Uuid::new_v4();
    s.push_as(
        &a,
        &Uuid::new_v4(),
        &numbered(1, [create(&issue, "A's secret")]),
    )
    .ok();
    // Bob asks about A's workspace with his own session: refused, and nothing of A's comes back.
    let bob_in_a = b.in_workspace(a.workspace);
    for (method, path, body) in routes(&bob_in_a).into_iter().skip(1) {
        let reply = s.send_as(Some(&bob_in_a), method, &path, &body);
        reply.assert_error(403, "Forbidden");
        assert!(!reply.text.contains("A's secret"), "{path}");
    }
    // Bob's own workspace shows nothing of A's, and his mutation cannot reach A's issue.
    let (entries, _) = s.pull_all_as(&b, &Uuid::new_v4(), None);
    assert!(entries.is_empty(), "{entries:?}");
    let steal = json!({"name": "updateIssue",
                       "args": {"id": issue, "title": "Bob was here", "updatedAt": 2}});
    s.push_as(&b, &Uuid::new_v4(), &numbered(1, [steal])).ok();
    let row = s.issues_in(&a.workspace);
    assert_eq!(row[0]["title"], json!("A's secret"));
    assert_eq!(row[0]["updated_by"], json!(a.id));
}

#[test]
fn a_removed_member_is_refused_at_their_next_request_and_their_tokens_stop() {
    let s = server();
    let owner = s.setup("Removals", "Olive", None);
    let member = s.join(&owner, "Mallory");
    let (token, _) = s.token(&member, "laptop script");
    let client = Uuid::new_v4();
    s.push_as(
        &member,
        &client,
        &numbered(1, [create(&Uuid::new_v4(), "before")]),
    )
    .ok();
    s.pull_as(&token, &Uuid::new_v4(), None).ok();

    let removed = s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": member.id}),
    );
    assert_eq!(removed.status, 200, "{}", removed.text);
    let before = s.issues_in(&owner.workspace).len();
    s.push_as(
        &member,
        &client,
        &numbered(2, [create(&Uuid::new_v4(), "after")]),
    )
    .assert_error(403, "Forbidden");
    s.push_as(&member, &client, &[])
        .assert_error(403, "Forbidden");
    s.pull_as(&member, &client, None)
        .assert_error(403, "Forbidden");
    s.send_as(Some(&member), "GET", &member.api("members"), &json!(null))
        .assert_error(403, "Forbidden");
    s.pull_as(&token, &Uuid::new_v4(), None)
        .assert_error(401, "Unauthenticated");
    assert_eq!(s.issues_in(&owner.workspace).len(), before);
    // Still signed in, in no workspace.
    let session = s
        .send_as(Some(&member), "GET", "/api/session", &json!(null))
        .ok();
    assert_eq!(session["workspaces"], json!([]));
    // The owner cannot be removed, nor remove someone who is not there.
    s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": owner.id}),
    )
    .assert_error(403, "Forbidden");
    s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": member.id}),
    )
    .assert_error(404, "NotFound");
}

#[test]
fn a_client_id_belongs_to_the_member_who_first_used_it() {
    let s = server();
    let owner = s.setup("Clients", "Carol", None);
    let other = s.join(&owner, "Dave");
    let client = Uuid::new_v4();
    s.push_as(
        &owner,
        &client,
        &numbered(1, [create(&Uuid::new_v4(), "Carol's")]),
    )
    .ok();
    s.push_as(
        &other,
        &client,
        &numbered(2, [create(&Uuid::new_v4(), "Dave's")]),
    )
    .assert_error(403, "ClientNotOwned");
    s.pull_as(&other, &client, None)
        .assert_error(403, "ClientNotOwned");
    // Nor in another workspace of the same member.
    let second = s.setup("Clients 2", "", Some(&owner));
    s.push_as(
        &second,
        &client,
        &numbered(2, [create(&Uuid::new_v4(), "moved")]),
    )
    .assert_error(403, "ClientNotOwned");
    let (entries, _) = s.pull_all_as(&owner, &client, None);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["memberId"], json!(owner.id));
    assert_eq!(
        entries[0]["id"],
        json!(1),
        "the puller's own entry carries its id"
    );
    assert!(entries[0].get("clientId").is_none());
}

#[test]
fn invite_links_work_until_revoked_or_expired() {
    let s = server();
    let owner = s.setup("Invites", "Ivy", None);
    // A member may not invite.
    let member = s.join(&owner, "Jack");
    s.send_as(Some(&member), "POST", &member.api("invites"), &json!({}))
        .assert_error(403, "Forbidden");

    let revoked = s.invite(&owner, None);
    let preview = s.send_as(
        None,
        "POST",
        "/api/invites/preview",
        &json!({"token": revoked}),
    );
    assert_eq!(preview.ok()["workspaceName"], json!("Invites"));
    let listed = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .ok();
    let id = listed["invites"].as_array().unwrap().last().unwrap()["id"].clone();
    assert!(
        !listed.to_string().contains(&revoked),
        "secrets are never listed"
    );
    s.send_as(
        Some(&owner),
        "POST",
        &owner.api("invites/revoke"),
        &json!({"id": id}),
    )
    .ok();
    s.send_as(
        None,
        "POST",
        "/api/invites/preview",
        &json!({"token": revoked}),
    )
    .assert_error(404, "NotFound");
    s.accept(&revoked, "Kim", None)
        .assert_error(404, "NotFound");

    let short = s.invite(&owner, Some(1));
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    s.accept(&short, "Kim", None)
        .assert_error(410, "InviteExpired");
    s.send_as(
        None,
        "POST",
        "/api/invites/preview",
        &json!({"token": short}),
    )
    .assert_error(410, "InviteExpired");

    let members = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .ok();
    let names: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ivy", "Jack"], "no one joined through a dead link");
}

#[test]
fn one_person_in_two_workspaces_signs_in_once() {
    let s = server();
    let first = s.setup("First", "Pat", None);
    let second_owner = s.setup("Second", "Quinn", None);
    let invite = s.invite(&second_owner, None);
    // Pat, signed in, accepts: the same member joins (the name given is not used).
    let reply = s.accept(&invite, "ignored", Some(&first));
    let joined = reply.ok();
    assert_eq!(joined["member"], json!({"id": first.id, "name": "Pat"}));
    let workspaces: Vec<(&str, &str)> = joined["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["name"].as_str().unwrap(), w["role"].as_str().unwrap()))
        .collect();
    assert_eq!(workspaces, [("First", "owner"), ("Second", "member")]);
    // Accepting again changes nothing.
    s.accept(&invite, "ignored", Some(&first)).ok();
    let pat_in_second = first.in_workspace(second_owner.workspace);
    s.push_as(
        &pat_in_second,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "in Second")]),
    )
    .ok();
    let (in_first, _) = s.pull_all_as(&first, &Uuid::new_v4(), None);
    assert!(in_first.is_empty(), "Second's issue stays in Second");
}

#[test]
fn an_api_token_acts_as_its_member_in_its_workspace_until_revoked() {
    let s = server();
    let owner = s.setup("Tokens", "Tess", None);
    let (token, id) = s.token(&owner, "CI");
    let client = Uuid::new_v4();
    let issue = Uuid::new_v4();
    s.push_as(
        &token,
        &client,
        &numbered(1, [create(&issue, "from a script")]),
    )
    .ok();
    let (entries, _) = s.pull_all_as(&token, &client, None);
    assert_eq!(entries[0]["memberId"], json!(owner.id));
    assert_eq!(
        s.issues_in(&owner.workspace)[0]["created_by"],
        json!(owner.id)
    );
    let session = s
        .send_as(Some(&token), "GET", "/api/session", &json!(null))
        .ok();
    assert_eq!(session["member"]["name"], json!("Tess"));
    let listed = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .ok();
    assert_eq!(listed["tokens"][0]["name"], json!("CI"));
    assert!(
        !listed.to_string().contains("trk_"),
        "a token is shown once only"
    );

    // Made for this workspace only, even where its member is a member too.
    let other = s.setup("Tokens 2", "", Some(&owner));
    s.pull_as(&token.in_workspace(other.workspace), &Uuid::new_v4(), None)
        .assert_error(403, "Forbidden");

    // Revoked mid-session: the next request is refused; the session itself goes on.
    s.send_as(
        Some(&owner),
        "POST",
        &owner.api("tokens/revoke"),
        &json!({"id": id}),
    )
    .ok();
    s.pull_as(&token, &client, None)
        .assert_error(401, "Unauthenticated");
    s.pull_as(&owner, &Uuid::new_v4(), None).ok();
}

#[test]
fn a_token_the_worker_has_seen_is_still_refused_the_moment_it_is_revoked() {
    let s = server();
    let owner = s.setup("Remembered", "Rem", None);
    let member = s.join(&owner, "Mem");
    let (token, id) = s.token(&member, "CI");
    let client = Uuid::new_v4();
    // Used, so the worker has looked it up and remembers whose it is.
    for n in 1..=3 {
        s.push_as(
            &token,
            &client,
            &numbered(n, [create(&Uuid::new_v4(), "while valid")]),
        )
        .ok();
        s.pull_as(&token, &client, None).ok();
    }
    let issues = s.issues_in(&owner.workspace).len();
    s.send_as(
        Some(&member),
        "POST",
        &member.api("tokens/revoke"),
        &json!({"id": id}),
    )
    .ok();
    let message = s
        .push_as(
            &token,
            &client,
            &numbered(4, [create(&Uuid::new_v4(), "after revoking")]),
        )
        .assert_error(401, "Unauthenticated");
    assert!(message.contains("revoked"), "{message}");
    s.push_as(&token, &client, &[])
        .assert_error(401, "Unauthenticated");
    let bad = json!({"name": "createIssue", "args": {"id": "not a uuid"}});
    s.push_as(&token, &client, &numbered(4, [bad]))
        .assert_error(401, "Unauthenticated");
    s.pull_as(&token, &client, None)
        .assert_error(401, "Unauthenticated");
    s.pull_as(&token, &client, Some(0))
        .assert_error(401, "Unauthenticated");
    s.live_as(&token, &Uuid::new_v4(), &[])
        .err()
        .expect("no socket for a revoked token")
        .assert_error(401, "Unauthenticated");
    assert_eq!(
        s.issues_in(&owner.workspace).len(),
        issues,
        "nothing written"
    );
    let page = s.pull_as(&member, &client, None).ok();
    assert_eq!(page["lastMutationId"], json!(3), "nothing processed");

    // A token of a member who is removed goes with them, remembered or not.
    let (second, _) = s.token(&member, "CI 2");
    s.push_as(
        &second,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "once")]),
    )
    .ok();
    s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": member.id}),
    )
    .ok();
    s.push_as(
        &second,
        &Uuid::new_v4(),
        &numbered(1, [create(&Uuid::new_v4(), "removed")]),
    )
    .assert_error(401, "Unauthenticated");
}

#[test]
fn setup_needs_the_deployments_token_and_bad_input_changes_nothing() {
    let s = server();
    let reply = s.send_as(
        None,
        "POST",
        "/api/setup",
        &json!({"token": "guess", "workspaceName": "Mine", "name": "Eve"}),
    );
    reply.assert_error(401, "Unauthenticated");
    let token = sync_tests::members::SETUP_TOKEN;
    for body in [
        json!({"token": token, "workspaceName": "  ", "name": "Eve"}),
        json!({"token": token, "workspaceName": "x".repeat(81), "name": "Eve"}),
        json!({"token": token, "workspaceName": "Bell\u{7}", "name": "Eve"}),
        json!({"token": token, "workspaceName": "No name"}),
        json!({"token": token, "workspaceName": "Extra", "name": "Eve", "admin": true}),
        json!({"token": 7, "workspaceName": "Typed", "name": "Eve"}),
    ] {
        s.send_as(None, "POST", "/api/setup", &body)
            .assert_error(400, "InvalidRequest");
    }
    let owner = s.owner();
    for body in [
        json!({"expiresInSeconds": 0}),
        json!({"expiresInSeconds": 31 * 24 * 3600}),
        json!({"expiresInSeconds": "soon"}),
    ] {
        s.send_as(Some(owner), "POST", &owner.api("invites"), &body)
            .assert_error(400, "InvalidRequest");
    }
    s.send_as(
        Some(owner),
        "POST",
        &owner.api("tokens"),
        &json!({"name": ""}),
    )
    .assert_error(400, "InvalidRequest");
    s.accept("inv_nothing", "Nobody", None)
        .assert_error(404, "NotFound");
    s.send_as(None, "POST", "/api/invites/accept", &json!({"token": 1}))
        .assert_error(400, "InvalidRequest");
    let names: Vec<Value> = s
        .sql("SELECT name FROM workspace ORDER BY name")
        .into_iter()
        .map(|row| row["name"].clone())
        .collect();
    assert!(!names.contains(&json!("Mine")) && !names.contains(&json!("Extra")));
}

#[test]
fn the_session_cookie_is_http_only_same_site_and_lasts_thirty_days() {
    let s = server();
    let reply = s.send_as(
        None,
        "POST",
        "/api/setup",
        &json!({"token": sync_tests::members::SETUP_TOKEN, "workspaceName": "Cookies", "name": "Sam"}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let set_cookie = reply.set_cookie.clone().unwrap();
    let value = session_cookie(&reply);
    assert_eq!(
        set_cookie,
        format!("tracker_session={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000")
    );
    assert!(
        !set_cookie.contains("Secure"),
        "plain http, as `wrangler dev` is"
    );
}

/// `owner`'s removal of `member`, which must succeed.
fn remove(s: &Server, owner: &Member, member: &Member) {
    let removed = s.send_as(
        Some(owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": member.id}),
    );
    assert_eq!(removed.status, 200, "{}", removed.text);
}

fn members_of(s: &Server, workspace: &Uuid) -> Vec<Value> {
    s.sql(&format!(
        "SELECT member_id FROM membership WHERE workspace_id = '{workspace}' ORDER BY member_id"
    ))
}

#[test]
fn a_removed_member_walks_back_in_by_no_link_made_before_their_removal() {
    let s = server();
    let owner = s.setup("No way back", "Olive", None);
    let joined_by = s.invite(&owner, None);
    let other_link = s.invite(&owner, None);
    let member = s.join_by(&joined_by, &owner, "Mallory");
    remove(s, &owner, &member);
    let members = members_of(s, &owner.workspace);

    // The link they joined by is revoked: for them, for a fresh identity, and in the owner's list.
    s.accept(&joined_by, "Mallory", Some(&member))
        .assert_error(404, "NotFound");
    s.accept(&joined_by, "Mallory again", None)
        .assert_error(404, "NotFound");
    s.send_as(
        None,
        "POST",
        "/api/invites/preview",
        &json!({"token": joined_by}),
    )
    .assert_error(404, "NotFound");
    let listed = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .ok();
    assert_eq!(listed["invites"].as_array().map(Vec::len), Some(1));
    // Another link made before the removal does not take them back either.
    let message = s
        .accept(&other_link, "Mallory", Some(&member))
        .assert_error(403, "Forbidden");
    assert!(
        message.contains("ask its owner for a new invite"),
        "{message}"
    );
    assert_eq!(members_of(s, &owner.workspace), members, "nobody joined");
    s.pull_as(&member, &Uuid::new_v4(), None)
        .assert_error(403, "Forbidden");

    // A link the owner makes afterwards does: bringing them back is the owner's choice.
    let fresh = s.invite(&owner, None);
    let back = s.accept(&fresh, "Mallory", Some(&member));
    assert_eq!(back.status, 200, "{}", back.text);
    s.pull_as(&member, &Uuid::new_v4(), None).ok();
}

#[test]
fn api_tokens_are_capped_per_member_and_no_token_makes_another() {
    let s = server();
    let owner = s.setup("Tokens", "Tess", None);
    let count = || {
        s.sql(&format!(
            "SELECT COUNT(*) AS n FROM api_token WHERE workspace_id = '{}'",
            owner.workspace
        ))[0]["n"]
            .as_u64()
            .unwrap()
    };
    let cap = shared::api::MAX_TOKENS_PER_MEMBER;
    let made: Vec<(Member, Uuid)> = (0..cap)
        .map(|i| s.token(&owner, &format!("t{i}")))
        .collect();
    let message = s
        .send_as(
            Some(&owner),
            "POST",
            &owner.api("tokens"),
            &json!({"name": "one more"}),
        )
        .assert_error(409, "LimitReached");
    assert!(message.contains("revoke one"), "{message}");
    assert_eq!(count(), cap);

    // A token cannot mint one, even with room for it.
    let (token, token_id) = made[0].clone();
    s.send_as(
        Some(&token),
        "POST",
        &owner.api("tokens/revoke"),
        &json!({"id": made[1].1}),
    )
    .ok();
    s.send_as(
        Some(&token),
        "POST",
        &owner.api("tokens"),
        &json!({"name": "child"}),
    )
    .assert_error(403, "Forbidden");
    assert_eq!(count(), cap - 1);
    // Signed in, the member may make one again; the cap is per member.
    s.token(&owner, "replacement");
    assert_eq!(count(), cap);
    let member = s.join(&owner, "Mo");
    s.token(&member, "their own");
    s.send_as(
        Some(&token),
        "POST",
        &owner.api("tokens/revoke"),
        &json!({"id": token_id}),
    )
    .ok();
}

#[test]
fn names_must_be_one_line_without_bidirectional_overrides() {
    let s = server();
    let owner = s.owner();
    let token = sync_tests::members::SETUP_TOKEN;
    let invite = s.invite(owner, None);
    let workspaces = s.sql("SELECT COUNT(*) AS n FROM workspace")[0]["n"].clone();
    let people = s.sql("SELECT COUNT(*) AS n FROM member")[0]["n"].clone();
    let tokens = s.sql("SELECT COUNT(*) AS n FROM api_token")[0]["n"].clone();
    for bad in [
        "Two\nlines",
        "Carriage\rreturn",
        "A\ttab",
        "Line\u{2028}separator",
        "evil\u{202E}gnp.exe",
        "isolate\u{2066}d",
        "pop\u{2069}",
        "embed\u{202A}",
    ] {
        let message = s
            .send_as(
                None,
                "POST",
                "/api/setup",
                &json!({"token": token, "workspaceName": bad, "name": "Eve"}),
            )
            .assert_error(400, "InvalidRequest");
        assert!(message.contains("one line"), "{message}");
        s.send_as(
            None,
            "POST",
            "/api/setup",
            &json!({"token": token, "workspaceName": "Fine", "name": bad}),
        )
        .assert_error(400, "InvalidRequest");
        s.accept(&invite, bad, None)
            .assert_error(400, "InvalidRequest");
        s.send_as(
            Some(owner),
            "POST",
            &owner.api("tokens"),
            &json!({"name": bad}),
        )
        .assert_error(400, "InvalidRequest");
    }
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM workspace")[0]["n"],
        workspaces
    );
    assert_eq!(s.sql("SELECT COUNT(*) AS n FROM member")[0]["n"], people);
    assert_eq!(s.sql("SELECT COUNT(*) AS n FROM api_token")[0]["n"], tokens);
    // Right-to-left text itself is fine.
    let reply = s.accept(&invite, "שרה", None);
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn a_setup_token_short_enough_to_guess_turns_setup_off_and_says_how_to_make_one() {
    let s = Server::start_with_vars(&["SETUP_TOKEN:only-twenty-characters"]);
    let message = s
        .send_as(
            None,
            "POST",
            "/api/setup",
            &json!({"token": "only-twenty-characters", "workspaceName": "Mine", "name": "Eve"}),
        )
        .assert_error(403, "Forbidden");
    assert!(message.contains("shorter than 32 characters"), "{message}");
    assert!(message.contains("openssl rand -hex 32"), "{message}");
    assert_eq!(
        s.sql("SELECT COUNT(*) AS n FROM workspace")[0]["n"],
        json!(0)
    );
}
