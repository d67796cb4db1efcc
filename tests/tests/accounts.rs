//! Accounts against the real worker on a fresh local D1: every sign-in is a session row the request's
//! own batch checks, so signing out (here, everywhere) and revoking a device end it at once, live
//! socket and all; sign-in links for another device; sessions that renew within an absolute lifetime;
//! older cookies traded for sessions; passkeys (a software authenticator); names, workspace names,
//! ownership and leaving.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use shared::live::CLOSE_SIGNED_OUT;
use shared::session::{LIFETIME_MS, MAX_AGE_MS, Session};
use sync_tests::live::Heard;
use sync_tests::members::{SESSION_KEY, session_cookie};
use sync_tests::passkey::SoftAuthenticator;
use sync_tests::{Auth, Member, Server, create, numbered, server};
use uuid::Uuid;

const SOON: Duration = Duration::from_secs(5);
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn push(s: &Server, by: &Member, client: &Uuid, id: u64) -> sync_tests::Reply {
    s.push_as(
        by,
        client,
        &numbered(id, [create(&Uuid::new_v4(), "from a device")]),
    )
}

fn account(s: &Server, by: &Member) -> Value {
    s.send_as(Some(by), "GET", "/api/account", &json!(null))
        .ok()
}

fn sessions(s: &Server, member: &Uuid) -> usize {
    s.sql(&format!(
        "SELECT COUNT(*) AS n FROM session WHERE member_id = '{member}'"
    ))[0]["n"]
        .as_u64()
        .unwrap() as usize
}

/// Every way in that a signed-out session must no longer have: 401 on each.
fn assert_signed_out(s: &Server, by: &Member) {
    push(s, by, &Uuid::new_v4(), 1).assert_error(401, "Unauthenticated");
    s.pull_as(by, &Uuid::new_v4(), None)
        .assert_error(401, "Unauthenticated");
    s.send_as(Some(by), "GET", "/api/session", &json!(null))
        .assert_error(401, "Unauthenticated");
    s.send_as(Some(by), "GET", &by.api("members"), &json!(null))
        .assert_error(401, "Unauthenticated");
    s.live_as(by, &Uuid::new_v4(), &[])
        .err()
        .expect("the socket is refused")
        .assert_error(401, "Unauthenticated");
}

#[test]
fn a_revoked_device_is_out_at_its_next_request_and_its_socket_closes() {
    let s = server();
    let ada = s.setup("Devices", "Ada", None);
    let phone = s.device(&ada);
    assert_eq!(sessions(s, &ada.id), 2);
    let listed = account(s, &ada);
    let rows = listed["sessions"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listed}");
    let current: Vec<&Value> = rows
        .iter()
        .filter(|r| r["current"] == json!(true))
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], json!(ada.session().id));
    assert!(rows.iter().any(|r| r["method"] == json!("device")));
    assert!(
        rows.iter()
            .all(|r| r["device"].as_str().unwrap().contains(" on "))
    );

    let client = Uuid::new_v4();
    assert_eq!(push(s, &phone, &client, 1).status, 200);
    let mut socket = s.live_as(&phone, &Uuid::new_v4(), &[]).expect("opens");
    let before = s.issues_in(&ada.workspace).len();
    // Another member cannot revoke Ada's session: it is not theirs.
    let bob = s.join(&ada, "Bob");
    s.send_as(
        Some(&bob),
        "POST",
        "/api/sessions/revoke",
        &json!({"id": phone.session().id}),
    )
    .assert_error(404, "NotFound");
    let revoked = s.send_as(
        Some(&ada),
        "POST",
        "/api/sessions/revoke",
        &json!({"id": phone.session().id}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(matches!(
        socket.hear(SOON),
        Heard::Closed(CLOSE_SIGNED_OUT, _)
    ));
    assert_signed_out(s, &phone);
    push(s, &phone, &client, 2).assert_error(401, "Unauthenticated");
    assert_eq!(s.issues_in(&ada.workspace).len(), before, "nothing changed");
    // Ada's own session goes on; revoking the gone one again finds nothing.
    assert_eq!(push(s, &ada, &Uuid::new_v4(), 1).status, 200);
    s.send_as(
        Some(&ada),
        "POST",
        "/api/sessions/revoke",
        &json!({"id": phone.session().id}),
    )
    .assert_error(404, "NotFound");
    s.send_as(
        Some(&ada),
        "POST",
        "/api/sessions/revoke",
        &json!({"id": "x"}),
    )
    .assert_error(400, "InvalidRequest");

    // Signing out here ends this session only, and tells the browser to drop the cookie.
    let laptop = s.device(&ada);
    let out = s.send_as(Some(&ada), "POST", "/api/session/sign-out", &json!({}));
    assert_eq!(out.status, 200, "{}", out.text);
    assert!(out.set_cookie.as_deref().unwrap().contains("Max-Age=0"));
    assert_signed_out(s, &ada);
    assert_eq!(push(s, &laptop, &Uuid::new_v4(), 1).status, 200);
}

#[test]
fn signing_out_everywhere_ends_every_session_and_every_unused_link() {
    let s = server();
    let eve = s.setup("Everywhere", "Eve", None);
    let second = s.device(&eve);
    let third = s.device(&eve);
    let bob = s.join(&eve, "Bob");
    let (token, _) = s.token(&eve, "script");
    let link = s.send_as(Some(&eve), "POST", "/api/devices/link", &json!({}));
    let unused = link.json()["token"].as_str().unwrap().to_owned();
    let mut socket = s.live_as(&third, &Uuid::new_v4(), &[]).expect("opens");

    // An API token cannot sign its member out, nor reach the account at all.
    s.send_as(
        Some(&token),
        "POST",
        "/api/session/sign-out",
        &json!({"everywhere": true}),
    )
    .assert_error(403, "Forbidden");
    s.send_as(Some(&token), "GET", "/api/account", &json!(null))
        .assert_error(403, "Forbidden");
    s.send_as(
        Some(&eve),
        "POST",
        "/api/session/sign-out",
        &json!({"all": true}),
    )
    .assert_error(400, "InvalidRequest");

    let out = s.send_as(
        Some(&second),
        "POST",
        "/api/session/sign-out",
        &json!({"everywhere": true}),
    );
    assert_eq!(out.status, 200, "{}", out.text);
    assert!(matches!(
        socket.hear(SOON),
        Heard::Closed(CLOSE_SIGNED_OUT, _)
    ));
    for device in [&eve, &second, &third] {
        assert_signed_out(s, device);
    }
    assert_eq!(sessions(s, &eve.id), 0);
    s.send_as(
        None,
        "POST",
        "/api/devices/accept",
        &json!({"token": unused}),
    )
    .assert_error(404, "NotFound");
    // Other members, and the member's API tokens (listed and revoked in Members), go on.
    assert_eq!(push(s, &bob, &Uuid::new_v4(), 1).status, 200);
    assert_eq!(s.pull_as(&token, &Uuid::new_v4(), None).status, 200);
}

#[test]
fn a_device_link_signs_in_once_within_ten_minutes() {
    let s = server();
    let ada = s.setup("Links", "Ada", None);
    let other = s.setup("Elsewhere", "Ada", Some(&ada));
    s.send_as(None, "POST", "/api/devices/link", &json!({}))
        .assert_error(401, "Unauthenticated");
    let (token, _) = s.token(&ada, "script");
    s.send_as(Some(&token), "POST", "/api/devices/link", &json!({}))
        .assert_error(403, "Forbidden");

    let made = s.send_as(Some(&ada), "POST", "/api/devices/link", &json!({}));
    assert_eq!(made.status, 201, "{}", made.text);
    let link = made.json();
    let secret = link["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("dev_"));
    let expires = link["expiresAt"].as_u64().unwrap();
    assert!(expires > now() + 9 * 60 * 1000 && expires <= now() + 10 * 60 * 1000);
    let stored = s.sql("SELECT token_hash FROM device_link");
    assert!(stored.iter().all(|row| row["token_hash"] != json!(secret)));

    let accepted = s.send_as(
        None,
        "POST",
        "/api/devices/accept",
        &json!({"token": secret}),
    );
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let info = accepted.json();
    assert_eq!(info["member"]["id"], json!(ada.id));
    assert_eq!(info["workspaces"].as_array().unwrap().len(), 2);
    let device = ada.with_auth(Auth::Cookie(session_cookie(&accepted)));
    assert_eq!(
        push(s, &device.in_workspace(other.workspace), &Uuid::new_v4(), 1).status,
        200
    );
    assert_ne!(device.session().id, ada.session().id);

    let before = sessions(s, &ada.id);
    s.send_as(
        None,
        "POST",
        "/api/devices/accept",
        &json!({"token": secret}),
    )
    .assert_error(404, "NotFound");
    s.send_as(
        None,
        "POST",
        "/api/devices/accept",
        &json!({"token": "dev_made-up"}),
    )
    .assert_error(404, "NotFound");
    s.send_as(None, "POST", "/api/devices/accept", &json!({}))
        .assert_error(400, "InvalidRequest");
    let late = s.send_as(Some(&ada), "POST", "/api/devices/link", &json!({}));
    let late = late.json()["token"].as_str().unwrap().to_owned();
    s.write_behind(&format!(
        "UPDATE device_link SET expires_at = {} WHERE member_id = '{}'",
        now() - 1,
        ada.id
    ));
    s.send_as(None, "POST", "/api/devices/accept", &json!({"token": late}))
        .assert_error(410, "Expired");
    assert_eq!(
        sessions(s, &ada.id),
        before,
        "no refused link signed anyone in"
    );
    for _ in 0..5 {
        let made = s.send_as(Some(&ada), "POST", "/api/devices/link", &json!({}));
        assert_eq!(made.status, 201, "{}", made.text);
    }
    s.send_as(Some(&ada), "POST", "/api/devices/link", &json!({}))
        .assert_error(409, "LimitReached");
}

#[test]
fn a_session_renews_within_its_absolute_lifetime_only() {
    let s = server();
    let ada = s.setup("Lifetime", "Ada", None);
    let now = now();
    // Signed in 60 days ago, the cookie near its end: renewed for another 30 days.
    let old = ada.resigned(now - 60 * DAY_MS, now + DAY_MS);
    let reply = s.send_as(Some(&old), "GET", "/api/session", &json!(null));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let renewed = Session::verify(&session_cookie(&reply), SESSION_KEY.as_bytes(), now).unwrap();
    assert!(renewed.expires_at >= now + LIFETIME_MS - 60_000);
    assert_eq!(renewed.id, ada.session().id);
    // Signed in 90 days ago but an hour: no renewal goes past the 90 days.
    let ending = ada.resigned(now - MAX_AGE_MS + 3_600_000, now + 3_600_000);
    let reply = s.send_as(Some(&ending), "GET", "/api/session", &json!(null));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.set_cookie, None, "nothing to renew");
    // Past 90 days the daily compaction deletes the row: the session is out, however it is signed.
    let gone = s.device(&ada);
    s.write_behind(&format!(
        "UPDATE session SET started_at = {} WHERE id = '{}'",
        now - MAX_AGE_MS - 1,
        gone.session().id
    ));
    s.compact();
    assert_signed_out(s, &gone);
    assert_eq!(
        push(s, &ada, &Uuid::new_v4(), 1).status,
        200,
        "a younger one stays"
    );
    // Its row is what counts, however the cookie is signed: the last seen time moved.
    let seen = s.sql(&format!(
        "SELECT seen_at FROM session WHERE id = '{}'",
        ada.session().id
    ));
    assert!(seen[0]["seen_at"].as_u64().unwrap() >= now);
}

#[test]
fn a_first_format_cookie_is_traded_for_a_session_until_its_member_signs_out_everywhere() {
    let s = server();
    let ada = s.setup("Upgrade", "Ada", None);
    let cookie = shared::session::sign_outdated(ada.id, now() + DAY_MS, SESSION_KEY.as_bytes());
    let old = ada.with_auth(Auth::Cookie(cookie.clone()));
    let message = push(s, &old, &Uuid::new_v4(), 1).assert_error(401, "Unauthenticated");
    assert!(message.contains("reload"), "{message}");
    let traded = s.send_as(Some(&old), "GET", "/api/session", &json!(null));
    assert_eq!(traded.status, 200, "{}", traded.text);
    assert_eq!(traded.json()["member"]["id"], json!(ada.id));
    let upgraded = ada.with_auth(Auth::Cookie(session_cookie(&traded)));
    assert_eq!(push(s, &upgraded, &Uuid::new_v4(), 1).status, 200);
    assert!(
        account(s, &upgraded)["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["method"] == json!("upgraded") && r["current"] == json!(true))
    );

    s.send_as(
        Some(&upgraded),
        "POST",
        "/api/session/sign-out",
        &json!({"everywhere": true}),
    )
    .ok();
    s.send_as(Some(&old), "GET", "/api/session", &json!(null))
        .assert_error(401, "Unauthenticated");
    assert_eq!(sessions(s, &ada.id), 0);
}

/// Registers a passkey for `by` with `authenticator`; the reply.
fn register(s: &Server, by: &Member, authenticator: &SoftAuthenticator) -> sync_tests::Reply {
    let begun = s
        .send_as(Some(by), "POST", "/api/passkeys/register/begin", &json!({}))
        .ok();
    assert_eq!(begun["algorithms"], json!([-7]));
    assert_eq!(begun["user"]["id"].as_str().unwrap().len(), 22, "16 bytes");
    let made = authenticator.register(
        begun["rpId"].as_str().unwrap(),
        &s.url,
        begun["challenge"].as_str().unwrap(),
    );
    s.send_as(
        Some(by),
        "POST",
        "/api/passkeys/register/finish",
        &json!({"challengeId": begun["challengeId"], "name": "Test key",
                "clientDataJson": made.client_data_json,
                "attestationObject": made.attestation_object}),
    )
}

/// A sign-in challenge: its id, rp id and challenge.
fn sign_in_begin(s: &Server) -> (Value, String, String) {
    let begun = s
        .send_as(None, "POST", "/api/passkeys/sign-in/begin", &json!({}))
        .ok();
    (
        begun["challengeId"].clone(),
        begun["rpId"].as_str().unwrap().to_owned(),
        begun["challenge"].as_str().unwrap().to_owned(),
    )
}

fn finish(
    s: &Server,
    challenge_id: &Value,
    assertion: &sync_tests::passkey::Assertion,
    user: Option<&Uuid>,
) -> sync_tests::Reply {
    finish_as(s, None, challenge_id, assertion, user)
}

/// The same, from a browser that holds `by`'s session.
fn finish_as(
    s: &Server,
    by: Option<&Member>,
    challenge_id: &Value,
    assertion: &sync_tests::passkey::Assertion,
    user: Option<&Uuid>,
) -> sync_tests::Reply {
    let mut body = json!({"challengeId": challenge_id,
                          "credentialId": assertion.credential_id,
                          "clientDataJson": assertion.client_data_json,
                          "authenticatorData": assertion.authenticator_data,
                          "signature": assertion.signature});
    if let Some(user) = user {
        body["userHandle"] = json!(shared::passkey::encode(user.as_bytes()));
    }
    s.send_as(by, "POST", "/api/passkeys/sign-in/finish", &body)
}

#[test]
fn a_passkey_signs_its_member_in_and_nothing_else_does() {
    let s = server();
    let ada = s.setup("Passkeys", "Ada", None);
    let bob = s.join(&ada, "Bob");
    let mut key = SoftAuthenticator::new();
    let made = register(s, &ada, &key);
    assert_eq!(made.status, 201, "{}", made.text);
    let listed = account(s, &ada);
    assert_eq!(listed["passkeys"][0]["name"], json!("Test key"));
    assert_eq!(
        listed["passkeys"][0]["id"],
        json!(shared::passkey::encode(&key.credential_id))
    );
    // The same authenticator again: refused, it is registered.
    register(s, &ada, &key).assert_error(400, "InvalidRequest");

    let sessions_before = sessions(s, &ada.id);
    let (id, rp, challenge) = sign_in_begin(s);
    let assertion = key.assert(&rp, &s.url, &challenge);
    let signed_in = finish(s, &id, &assertion, Some(&ada.id));
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.json()["member"]["id"], json!(ada.id));
    let device = ada.with_auth(Auth::Cookie(session_cookie(&signed_in)));
    assert_eq!(push(s, &device, &Uuid::new_v4(), 1).status, 200);
    assert_eq!(sessions(s, &ada.id), sessions_before + 1);
    assert!(account(s, &ada)["passkeys"][0]["usedAt"].is_u64());
    // Signing in on a browser that held Bob's session replaces it: one browser, one session.
    let bob_elsewhere = s.device(&bob);
    assert_eq!(sessions(s, &bob.id), 2);
    let (id, rp, challenge) = sign_in_begin(s);
    let on_bobs = finish_as(
        s,
        Some(&bob),
        &id,
        &key.assert(&rp, &s.url, &challenge),
        None,
    );
    assert_eq!(
        on_bobs.json()["member"]["id"],
        json!(ada.id),
        "{}",
        on_bobs.text
    );
    assert_eq!(sessions(s, &bob.id), 1);
    s.pull_as(&bob, &Uuid::new_v4(), None)
        .assert_error(401, "Unauthenticated");
    let bob = bob_elsewhere;

    // The same answer again: its challenge is used up.
    finish(s, &id, &assertion, None).assert_error(410, "Expired");
    // Asked by another site: refused before anything else.
    let (id, rp, challenge) = sign_in_begin(s);
    let elsewhere = key.assert(&rp, "https://evil.example", &challenge);
    let message = finish(s, &id, &elsewhere, None).assert_error(401, "Unauthenticated");
    assert!(message.contains("another site"), "{message}");
    // For another relying party.
    let (id, _, challenge) = sign_in_begin(s);
    let other_rp = key.assert("evil.example", &s.url, &challenge);
    finish(s, &id, &other_rp, None).assert_error(401, "Unauthenticated");
    // Said to be another member's.
    let (id, rp, challenge) = sign_in_begin(s);
    let claimed = key.assert(&rp, &s.url, &challenge);
    let message = finish(s, &id, &claimed, Some(&bob.id)).assert_error(401, "Unauthenticated");
    assert!(message.contains("another member"), "{message}");
    // A cloned authenticator: its counter went back.
    let (id, rp, challenge) = sign_in_begin(s);
    key.count = 0;
    let cloned = key.assert(&rp, &s.url, &challenge);
    let message = finish(s, &id, &cloned, None).assert_error(401, "Unauthenticated");
    assert!(message.contains("counter"), "{message}");
    // Someone else's key claiming the credential id: the signature does not match.
    let (id, rp, challenge) = sign_in_begin(s);
    let mut impostor = SoftAuthenticator::new();
    impostor.credential_id = key.credential_id.clone();
    impostor.count = 1_000;
    let forged = impostor.assert(&rp, &s.url, &challenge);
    let message = finish(s, &id, &forged, None).assert_error(401, "Unauthenticated");
    assert!(message.contains("signature"), "{message}");
    // Unknown credentials, garbled fields, made-up challenges.
    let (id, rp, challenge) = sign_in_begin(s);
    let stranger = SoftAuthenticator::new().assert(&rp, &s.url, &challenge);
    finish(s, &id, &stranger, None).assert_error(401, "Unauthenticated");
    finish(s, &json!(Uuid::new_v4()), &stranger, None).assert_error(410, "Expired");
    s.send_as(
        None,
        "POST",
        "/api/passkeys/sign-in/finish",
        &json!({"challengeId": "x"}),
    )
    .assert_error(400, "InvalidRequest");
    assert_eq!(
        sessions(s, &ada.id),
        sessions_before + 2,
        "no refusal signed anyone in"
    );

    // Bob cannot finish a registration with Ada's challenge, nor remove her passkey.
    let begun = s
        .send_as(
            Some(&ada),
            "POST",
            "/api/passkeys/register/begin",
            &json!({}),
        )
        .ok();
    let made = SoftAuthenticator::new().register(
        begun["rpId"].as_str().unwrap(),
        &s.url,
        begun["challenge"].as_str().unwrap(),
    );
    s.send_as(
        Some(&bob),
        "POST",
        "/api/passkeys/register/finish",
        &json!({"challengeId": begun["challengeId"], "name": "Bob's",
                "clientDataJson": made.client_data_json,
                "attestationObject": made.attestation_object}),
    )
    .assert_error(410, "Expired");
    let credential = shared::passkey::encode(&key.credential_id);
    s.send_as(
        Some(&bob),
        "POST",
        "/api/passkeys/remove",
        &json!({"id": credential}),
    )
    .assert_error(404, "NotFound");
    let removed = s.send_as(
        Some(&ada),
        "POST",
        "/api/passkeys/remove",
        &json!({"id": credential}),
    );
    assert_eq!(removed.status, 200, "{}", removed.text);
    let (id, rp, challenge) = sign_in_begin(s);
    let gone = key.assert(&rp, &s.url, &challenge);
    finish(s, &id, &gone, None).assert_error(401, "Unauthenticated");
}

#[test]
fn names_workspace_names_ownership_and_leaving_check_who_is_asking() {
    let s = server();
    let olive = s.setup("Settings", "Olive", None);
    let max = s.join(&olive, "Max");
    let mut socket = s.live_as(&olive, &Uuid::new_v4(), &[]).expect("opens");

    // A member's own name, everywhere they are.
    s.send_as(Some(&max), "POST", "/api/profile", &json!({"name": "  "}))
        .assert_error(400, "InvalidRequest");
    let renamed = s.send_as(
        Some(&max),
        "POST",
        "/api/profile",
        &json!({"name": "Max Planck"}),
    );
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let _ = socket.hear(Duration::from_millis(1_500));
    assert!(socket.members_changed >= 1, "the open tracker was told");
    let members = s
        .send_as(Some(&olive), "GET", &olive.api("members"), &json!(null))
        .ok();
    assert!(
        members["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == json!("Max Planck"))
    );

    // The workspace's name: its owner's to change.
    s.send_as(
        Some(&max),
        "POST",
        &max.api("name"),
        &json!({"name": "Mine"}),
    )
    .assert_error(403, "Forbidden");
    s.send_as(
        Some(&olive),
        "POST",
        &olive.api("name"),
        &json!({"name": ""}),
    )
    .assert_error(400, "InvalidRequest");
    let named = s.send_as(
        Some(&olive),
        "POST",
        &olive.api("name"),
        &json!({"name": "Physics"}),
    );
    assert_eq!(named.status, 200, "{}", named.text);
    let session = s
        .send_as(Some(&max), "GET", "/api/session", &json!(null))
        .ok();
    assert_eq!(session["workspaces"][0]["name"], json!("Physics"));
    let _ = socket.hear(Duration::from_millis(1_500));
    assert!(socket.workspace_changed >= 1);

    // Ownership: to a member only, one owner at a time.
    s.send_as(
        Some(&max),
        "POST",
        &max.api("owner"),
        &json!({"memberId": max.id}),
    )
    .assert_error(403, "Forbidden");
    s.send_as(
        Some(&olive),
        "POST",
        &olive.api("owner"),
        &json!({"memberId": olive.id}),
    )
    .assert_error(400, "InvalidRequest");
    s.send_as(
        Some(&olive),
        "POST",
        &olive.api("owner"),
        &json!({"memberId": Uuid::new_v4()}),
    )
    .assert_error(404, "NotFound");
    s.send_as(Some(&olive), "POST", &olive.api("leave"), &json!({}))
        .assert_error(403, "Forbidden");
    let handed = s.send_as(
        Some(&olive),
        "POST",
        &olive.api("owner"),
        &json!({"memberId": max.id}),
    );
    assert_eq!(handed.status, 200, "{}", handed.text);
    let roles = s.sql(&format!(
        "SELECT member_id, role FROM membership WHERE workspace_id = '{}' ORDER BY role",
        olive.workspace
    ));
    assert_eq!(roles[0], json!({"member_id": olive.id, "role": "member"}));
    assert_eq!(roles[1], json!({"member_id": max.id, "role": "owner"}));
    s.send_as(Some(&olive), "POST", &olive.api("invites"), &json!({}))
        .assert_error(403, "Forbidden");

    // Olive leaves: out at her next request, her name kept for what she wrote.
    assert_eq!(push(s, &olive, &Uuid::new_v4(), 1).status, 200);
    let left = s.send_as(Some(&olive), "POST", &olive.api("leave"), &json!({}));
    assert_eq!(left.status, 200, "{}", left.text);
    s.pull_as(&olive, &Uuid::new_v4(), None)
        .assert_error(403, "Forbidden");
    let members = s
        .send_as(Some(&max), "GET", &max.api("members"), &json!(null))
        .ok();
    assert_eq!(members["members"].as_array().unwrap().len(), 1);
    assert_eq!(members["former"][0]["name"], json!("Olive"));
}
