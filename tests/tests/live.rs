//! The live channel against the real worker and its Durable Objects under `wrangler dev`: who may
//! open a socket, which sockets a push pokes and what the poke carries, sockets closed when their
//! member is removed or their token revoked, and a replica that lags a poke pulling instead and
//! ending equal to the server.

use std::time::Duration;

use serde_json::json;
use shared::Actor;
use shared::live::{CLOSE_REMOVED, CLOSE_SIGNED_OUT, POKE_MAX_ENTRIES};
use shared::replica::{Answer, PokeOutcome, Replica, Request, Storage};
use sync_tests::live::{Heard, Socket};
use sync_tests::{Auth, Member, Server, create, numbered, replica_rows, server, transport};
use uuid::Uuid;

const SOON: Duration = Duration::from_secs(5);
/// How long a socket that should hear nothing is listened to.
const QUIET: Duration = Duration::from_millis(1500);

fn open(s: &Server, by: &Member, client: &Uuid) -> Socket {
    let mut socket = s
        .live_as(by, client, &[])
        .unwrap_or_else(|refused| panic!("the socket opens: {refused:?}"));
    // Opened, and heard: the object answers a ping.
    socket.ping();
    assert_eq!(socket.hear(SOON), Heard::Pong);
    socket
}

fn push_one(s: &Server, by: &Member, client: &Uuid, id: u64, title: &str) {
    let reply = s.push_as(by, client, &numbered(id, [create(&Uuid::new_v4(), title)]));
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn a_socket_is_refused_to_whoever_every_other_route_refuses() {
    let s = server();
    let owner = s.owner();
    let client = Uuid::new_v4();
    s.live_as(&owner.with_auth(Auth::None), &client, &[])
        .err()
        .expect("no session")
        .assert_error(401, "Unauthenticated");
    s.live_as(
        &owner.with_auth(Auth::Bearer("trk_not-a-token".into())),
        &client,
        &[],
    )
    .err()
    .expect("a made-up token")
    .assert_error(401, "Unauthenticated");

    let stranger = s.setup("Elsewhere", "Stranger", None);
    s.live_as(&stranger.in_workspace(owner.workspace), &client, &[])
        .err()
        .expect("a member of another workspace")
        .assert_error(403, "Forbidden");

    // A client id another member pushed with is theirs.
    let colleague = s.join(owner, "Colleague");
    let theirs = Uuid::new_v4();
    push_one(s, &colleague, &theirs, 1, "theirs");
    s.live_as(owner, &theirs, &[])
        .err()
        .expect("someone else's client")
        .assert_error(403, "ClientNotOwned");

    // Another site's page cannot open one with the member's cookie.
    s.live_as(owner, &client, &[("Origin", "https://evil.example")])
        .err()
        .expect("another site")
        .assert_error(403, "Forbidden");

    for path in [
        owner.api("live"),
        format!("{}?clientId=not-a-uuid", owner.api("live")),
    ] {
        s.live_at(owner, &path, &[])
            .err()
            .expect("no client id")
            .assert_error(400, "InvalidRequest");
    }
    // Not an upgrade at all.
    s.send_as(
        Some(owner),
        "GET",
        &format!("{}?clientId={client}", owner.api("live")),
        &json!(null),
    )
    .assert_error(400, "InvalidRequest");

    // This site's own page, and an API token, may.
    let origin = s.url.clone();
    s.live_as(owner, &client, &[("Origin", origin.as_str())])
        .expect("this site's page");
    let (script, _) = s.token(owner, "script");
    open(s, &script, &Uuid::new_v4());
}

#[test]
fn a_push_pokes_every_socket_of_its_workspace_and_none_of_another() {
    let s = server();
    let a = s.setup("Pokes A", "Ann", None);
    let b = s.setup("Pokes B", "Ben", None);
    let colleague = s.join(&a, "Cole");
    let pusher = Uuid::new_v4();
    let mut own = open(s, &a, &pusher);
    let mut other = open(s, &colleague, &Uuid::new_v4());
    let mut elsewhere = open(s, &b, &Uuid::new_v4());

    push_one(s, &a, &pusher, 1, "poked");
    let mine = own.poke(SOON).expect("the pusher's own socket is poked");
    let theirs = other.poke(SOON).expect("a colleague's socket is poked");
    assert_eq!(mine.cookie, theirs.cookie);
    assert_eq!(mine.base, Some(0), "the workspace's whole log follows 0");
    assert_eq!(theirs.mutations.len(), 1);
    assert_eq!(theirs.mutations[0].name, "createIssue");
    assert_eq!(theirs.mutations[0].args["title"], "poked");
    assert_eq!(theirs.mutations[0].member_id, a.id);
    assert_eq!(
        mine.mutations[0].id,
        Some(1),
        "its own entry carries its id"
    );
    assert_eq!(theirs.mutations[0].id, None, "no one else's does");
    assert_eq!(
        elsewhere.hear(QUIET),
        Heard::Nothing,
        "another workspace hears nothing"
    );

    // B's push pokes B's socket only.
    push_one(s, &b, &Uuid::new_v4(), 1, "in B");
    assert_eq!(
        elsewhere.poke(SOON).expect("B's socket").mutations[0].args["title"],
        "in B"
    );
    assert_eq!(own.hear(QUIET), Heard::Nothing);

    // A push that applies nothing (a rejected mutation) pokes no one.
    let bad =
        json!({"name": "updateIssue", "args": {"id": Uuid::new_v4(), "title": "", "updatedAt": 1}});
    let reply = s.push_as(&a, &pusher, &numbered(2, [bad]));
    assert_eq!(reply.json()["rejected"].as_array().map(Vec::len), Some(1));
    assert_eq!(other.hear(QUIET), Heard::Nothing);

    // Many entries at once: the poke carries the newest that fit, after the entry before them.
    let many: Vec<_> = (0..POKE_MAX_ENTRIES + 5)
        .map(|i| create(&Uuid::new_v4(), &format!("bulk {i}")))
        .collect();
    assert_eq!(s.push_as(&a, &pusher, &numbered(3, many)).status, 200);
    let bulk = other.poke(SOON).expect("the bulk push pokes");
    assert_eq!(bulk.mutations.len(), POKE_MAX_ENTRIES);
    assert_eq!(
        bulk.base,
        Some(bulk.mutations[0].log_id - 1),
        "nothing of another workspace came between"
    );
}

#[test]
fn removing_a_member_closes_their_sockets_and_revoking_a_token_closes_its_own() {
    let s = server();
    let owner = s.setup("Closing", "Olga", None);
    let leaving = s.join(&owner, "Leo");
    let staying = s.join(&owner, "Stan");
    let mut leavers = open(s, &leaving, &Uuid::new_v4());
    let mut stayers = open(s, &staying, &Uuid::new_v4());
    let reply = s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": leaving.id}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(matches!(
        leavers.hear(SOON),
        Heard::Closed(CLOSE_REMOVED, _)
    ));
    stayers.ping();
    assert_eq!(stayers.hear(SOON), Heard::Pong, "the others stay open");
    // Nor may they open one again.
    s.live_as(&leaving, &Uuid::new_v4(), &[])
        .err()
        .expect("removed")
        .assert_error(403, "Forbidden");

    let (script, token_id) = s.token(&staying, "script");
    let mut scripts = open(s, &script, &Uuid::new_v4());
    let reply = s.send_as(
        Some(&staying),
        "POST",
        &staying.api("tokens/revoke"),
        &json!({"id": token_id}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(matches!(
        scripts.hear(SOON),
        Heard::Closed(CLOSE_SIGNED_OUT, _)
    ));
    stayers.ping();
    assert_eq!(
        stayers.hear(SOON),
        Heard::Pong,
        "the member's session socket stays"
    );
}

#[test]
fn a_sockets_session_that_expires_is_closed_at_the_next_poke() {
    let s = server();
    let owner = s.setup("Expiry", "Eve", None);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let brief = owner.resigned(now, now + 2_000);
    let mut socket = open(s, &brief, &Uuid::new_v4());
    std::thread::sleep(Duration::from_millis(2_500));
    push_one(s, &owner, &Uuid::new_v4(), 1, "after expiry");
    assert!(matches!(
        socket.hear(SOON),
        Heard::Closed(CLOSE_SIGNED_OUT, _)
    ));
}

/// Sends a replica's due requests to the server until none is due; how many pulls went out.
fn sync(s: &Server, by: &Member, replica: &mut Replica, now: u64) -> usize {
    let mut pulls = 0;
    loop {
        let requests = replica.due(now).expect("requests");
        if requests.is_empty() {
            return pulls;
        }
        for request in requests {
            let answer = match request {
                Request::Push(ticket, push) => {
                    Answer::Pushed(ticket, transport::push(s, by, &push))
                }
                Request::Pull(ticket, pull) => {
                    pulls += 1;
                    Answer::Pulled(ticket, transport::pull(s, by, &pull))
                }
            };
            replica.take(answer, now, 0.5).expect("the answer applies");
        }
    }
}

#[test]
fn a_replica_applies_a_poke_at_its_cookie_and_pulls_for_one_it_lags_ending_equal_to_the_server() {
    let s = server();
    let owner = s.setup("Lagging", "Lou", None);
    let colleague = s.join(&owner, "Cal");
    let mut replica =
        Replica::open(&Storage::Memory, Actor::new(owner.workspace, owner.id)).expect("a replica");
    let mut socket = open(s, &owner, &replica.client_id());
    replica.set_live(true);
    sync(s, &owner, &mut replica, 1);

    // At the poke's base: applied, no pull.
    let theirs = Uuid::new_v4();
    push_one(s, &colleague, &theirs, 1, "one");
    let poke = socket.poke(SOON).expect("a poke");
    assert_eq!(
        replica.take_poke(&poke).unwrap(),
        PokeOutcome::Applied { entries: 1 }
    );
    assert_eq!(sync(s, &owner, &mut replica, 2), 0, "no pull went out");
    assert_eq!(
        replica_rows(replica.base_issues().unwrap()),
        s.issues_in(&owner.workspace)
    );

    // The socket was not read while more was pushed than a poke carries: the last poke's entries
    // start past the replica's cookie. It pulls instead.
    for i in 0..POKE_MAX_ENTRIES as u64 + 3 {
        push_one(s, &colleague, &theirs, 2 + i, &format!("missed {i}"));
    }
    let mut last = None;
    while let Some(poke) = socket.poke(QUIET) {
        last = Some(poke);
    }
    let last = last.expect("pokes came");
    assert!(last.base > replica.cookie(), "the replica lags the poke");
    assert_eq!(replica.take_poke(&last).unwrap(), PokeOutcome::Pull);
    assert_eq!(sync(s, &owner, &mut replica, 3), 1);
    assert_eq!(replica.cookie(), Some(last.cookie));
    assert_eq!(
        replica_rows(replica.base_issues().unwrap()),
        s.issues_in(&owner.workspace)
    );

    // Its own change, pushed, comes back in a poke marked as its own: that is a pull, which
    // acknowledges it.
    replica
        .mutate_typed(
            &shared::Mutation::parse("createIssue", &create(&Uuid::new_v4(), "mine")["args"])
                .unwrap(),
            4,
        )
        .unwrap();
    replica.push_soon();
    sync(s, &owner, &mut replica, 4);
    let poke = socket.poke(SOON).expect("a poke for its own push");
    assert!(poke.mutations.iter().any(|entry| entry.id == Some(1)));
    assert!(matches!(
        replica.take_poke(&poke).unwrap(),
        PokeOutcome::Ignored | PokeOutcome::Pull
    ));
    sync(s, &owner, &mut replica, 5);
    assert_eq!(replica.pending_count().unwrap(), 0);
    assert_eq!(
        replica_rows(replica.base_issues().unwrap()),
        s.issues_in(&owner.workspace)
    );
}

#[test]
fn with_the_live_channel_off_sockets_are_refused_and_sync_goes_on_by_pulling() {
    let s = Server::start_with_vars(&["LIVE_CHANNEL:off"]);
    let owner = s.owner();
    let client = Uuid::new_v4();
    s.live_as(owner, &client, &[])
        .err()
        .expect("the channel is off")
        .assert_error(404, "NotFound");
    // Who is asking is still checked first.
    s.live_as(&owner.with_auth(Auth::None), &client, &[])
        .err()
        .expect("no session")
        .assert_error(401, "Unauthenticated");
    push_one(&s, owner, &client, 1, "pulled, not poked");
    let (entries, _) = s.pull_all_as(owner, &Uuid::new_v4(), None);
    assert_eq!(entries.len(), 1);
}

#[test]
fn a_poke_never_reaches_a_member_no_longer_in_the_workspace_even_if_their_sockets_were_not_closed()
{
    let s = server();
    let owner = s.setup("Rechecked", "Rita", None);
    let gone = s.join(&owner, "Gus");
    let (script, token_id) = s.token(&owner, "script");
    let mut gones = open(s, &gone, &Uuid::new_v4());
    let mut scripts = open(s, &script, &Uuid::new_v4());
    let mut owners = open(s, &owner, &Uuid::new_v4());
    // Removed, and the token revoked, without the routes that would have closed their sockets.
    s.write_behind(&format!(
        "DELETE FROM membership WHERE member_id = '{}'; DELETE FROM api_token WHERE id = '{token_id}';",
        gone.id
    ));
    push_one(s, &owner, &Uuid::new_v4(), 1, "not for Gus");
    assert!(owners.poke(SOON).is_some(), "the owner's socket is poked");
    assert!(matches!(gones.hear(SOON), Heard::Closed(CLOSE_REMOVED, _)));
    assert!(matches!(
        scripts.hear(SOON),
        Heard::Closed(CLOSE_SIGNED_OUT, _)
    ));
}

#[test]
fn a_socket_that_sends_anything_but_a_ping_is_closed() {
    use tungstenite::Message;
    let s = server();
    let owner = s.setup("Junk", "Jo", None);
    let junk = [
        Message::text("hello"),
        Message::text("{\"type\":\"poke\",\"cookie\":1}"),
        Message::text("PING"),
        Message::binary(vec![0u8; 16]),
    ];
    for message in junk {
        let described = format!("{message:?}");
        let mut socket = open(s, &owner, &Uuid::new_v4());
        socket.send(message);
        assert!(
            matches!(
                socket.hear(SOON),
                Heard::Closed(shared::live::CLOSE_POLICY, _)
            ),
            "{described} closes the socket"
        );
    }
    // The member's other sockets are not touched, and pings still work.
    let mut socket = open(s, &owner, &Uuid::new_v4());
    socket.ping();
    assert_eq!(socket.hear(SOON), Heard::Pong);
}

#[test]
fn a_member_past_the_socket_cap_loses_their_oldest_socket() {
    use shared::live::{CLOSE_TOO_MANY, MAX_SOCKETS_PER_MEMBER};
    let s = server();
    let owner = s.setup("Many tabs", "Tab", None);
    let other = s.join(&owner, "Other");
    let mut others = open(s, &other, &Uuid::new_v4());
    let mut sockets: Vec<Socket> = (0..MAX_SOCKETS_PER_MEMBER)
        .map(|_| {
            // Apart in time, so which is oldest is clear.
            std::thread::sleep(Duration::from_millis(5));
            open(s, &owner, &Uuid::new_v4())
        })
        .collect();
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(5));
        sockets.push(open(s, &owner, &Uuid::new_v4()));
    }
    for (i, socket) in sockets.iter_mut().enumerate() {
        if i < 3 {
            let heard = socket.hear(SOON);
            assert!(
                matches!(heard, Heard::Closed(CLOSE_TOO_MANY, _)),
                "socket {i}, among the oldest, was closed: {heard:?}"
            );
        } else {
            socket.ping();
            assert_eq!(socket.hear(SOON), Heard::Pong, "socket {i} is open");
        }
    }
    others.ping();
    assert_eq!(
        others.hear(SOON),
        Heard::Pong,
        "another member's socket is their own"
    );
}

#[test]
fn pushes_poke_a_workspace_only_while_a_socket_may_be_open_and_never_miss_one() {
    let s = server();
    let owner = s.setup("Presence", "Pia", None);
    let presence = || {
        s.sql(&format!(
            "SELECT connects, idle_at FROM live_presence WHERE workspace_id = '{}'",
            owner.workspace
        ))
    };
    let client = Uuid::new_v4();
    push_one(s, &owner, &client, 1, "nobody listens");
    assert_eq!(
        presence(),
        Vec::<serde_json::Value>::new(),
        "never opened: never live"
    );

    // A socket is counted before the object takes it, and hears the next push.
    let mut first = open(s, &owner, &Uuid::new_v4());
    assert_eq!(presence(), vec![json!({"connects": 1, "idle_at": 0})]);
    push_one(s, &owner, &client, 2, "one listens");
    assert!(first.poke(SOON).is_some(), "the socket is poked");
    drop(first);

    // Its close is noticed by the next poke, which finds no socket: the workspace goes idle.
    let mut next = 3;
    let idle = (0..20).any(|_| {
        push_one(s, &owner, &client, next, "after it closed");
        next += 1;
        std::thread::sleep(Duration::from_millis(250));
        presence() == vec![json!({"connects": 1, "idle_at": 1})]
    });
    assert!(idle, "recorded idle: {:?}", presence());

    // A new socket makes it live again, and is poked at once.
    let mut second = open(s, &owner, &Uuid::new_v4());
    assert_eq!(presence(), vec![json!({"connects": 2, "idle_at": 1})]);
    push_one(s, &owner, &client, next, "someone is back");
    assert!(second.poke(SOON).is_some(), "the new socket is poked");
}

#[test]
fn a_join_and_a_removal_tell_every_open_tracker_to_read_the_members_again_who_then_keep_the_name() {
    let s = server();
    let owner = s.setup("Names", "Nora", None);
    let mut owners = open(s, &owner, &Uuid::new_v4());

    // Someone joins: the owner's socket is told, with nothing but that.
    let newcomer = s.join(&owner, "Nell Newcomer");
    owners.ping();
    assert_eq!(owners.hear(SOON), Heard::Pong);
    assert_eq!(owners.members_changed, 1, "told of the join");
    let members = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .json();
    let names: Vec<&str> = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(names, ["Nora", "Nell Newcomer"]);
    assert_eq!(members["former"], json!([]));

    // The owner removes them: told again, and the route still names them, as former.
    let reply = s.send_as(
        Some(&owner),
        "POST",
        &owner.api("members/remove"),
        &json!({"memberId": newcomer.id}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    owners.ping();
    assert_eq!(owners.hear(SOON), Heard::Pong);
    assert_eq!(owners.members_changed, 2, "told of the removal");
    let members = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .json();
    assert_eq!(members["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        members["former"],
        json!([{"id": newcomer.id, "name": "Nell Newcomer"}])
    );

    // Back in by a new invite: a member again, no longer former.
    let again = s.invite(&owner, None);
    let reply = s.accept(&again, "ignored", Some(&newcomer));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let members = s
        .send_as(Some(&owner), "GET", &owner.api("members"), &json!(null))
        .json();
    assert_eq!(members["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(members["former"], json!([]));

    // Another workspace's sockets hear none of it.
    let other = s.setup("Elsewhere", "Otto", None);
    let mut others = open(s, &other, &Uuid::new_v4());
    s.join(&owner, "Third");
    others.ping();
    assert_eq!(others.hear(SOON), Heard::Pong);
    assert_eq!(others.members_changed, 0);
}

#[test]
fn a_new_issue_key_tells_every_open_tracker_of_the_workspace_and_no_other() {
    let s = server();
    let owner = s.setup("Keys", "Kim", None);
    let member = s.join(&owner, "Mo");
    let mut owners = open(s, &owner, &Uuid::new_v4());
    let mut members = open(s, &member, &Uuid::new_v4());
    let other = s.setup("Other keys", "Otto", None);
    let mut others = open(s, &other, &Uuid::new_v4());

    // A member may not change it: nobody is told of anything.
    s.send_as(
        Some(&member),
        "POST",
        &member.api("issue-key"),
        &json!({"issueKey": "MO"}),
    )
    .assert_error(403, "Forbidden");
    let reply = s.send_as(
        Some(&owner),
        "POST",
        &owner.api("issue-key"),
        &json!({"issueKey": "KEY"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    for socket in [&mut owners, &mut members, &mut others] {
        socket.ping();
        assert_eq!(socket.hear(SOON), Heard::Pong);
    }
    assert_eq!(
        (owners.workspace_changed, members.workspace_changed),
        (1, 1),
        "told, once"
    );
    assert_eq!(
        others.workspace_changed, 0,
        "another workspace hears nothing"
    );
    assert_eq!(owners.members_changed, 0);
}
