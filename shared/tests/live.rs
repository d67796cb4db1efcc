//! The live channel's pokes, natively: the server's SQL on SQLite builds them as the worker does, the
//! replica takes them, and a pull afterwards always finds the replica equal to the server.

mod common;

use common::{Server, by, create_args, open, run_batch};
use serde_json::json;
use shared::Mutation;
use shared::live::{Fanout, LiveMessage, POKE_MAX_BYTES, POKE_MAX_ENTRIES, Poke};
use shared::protocol::{PullRequest, PullResponse};
use shared::replica::{Answer, PokeOutcome, Replica, Request, Storage};
use shared::server::applied_batch;
use uuid::Uuid;

impl Server {
    fn someone_creates(&mut self, title: &str) -> Uuid {
        let id = Uuid::new_v4();
        self.someone_does("createIssue", create_args(&id.to_string(), title));
        id
    }

    /// What the worker hands the workspace's object after a push.
    fn fanout(&self) -> Fanout {
        let rows =
            shared::sqlite::newest_log(&self.conn, &by().workspace_id).expect("read the log");
        Fanout::from_newest(&rows, 0)
            .expect("the rows make a fan-out")
            .expect("the log has entries")
    }

    /// The poke the replica's socket receives.
    fn poke(&self, replica: &Replica) -> Poke {
        self.fanout().poke_for(&replica.client_id())
    }

    fn answer(&mut self, replica: &Replica, pull: &PullRequest) -> PullResponse {
        shared::sqlite::answer_pull(
            &mut self.conn,
            &by(),
            pull.schema_version,
            &replica.client_id(),
            pull.cookie.flatten(),
            pull.snapshot,
        )
        .expect("the pull queries run")
        .expect("a member's pull")
    }

    /// Sends every due request, answered by this server, until none is due at `now`. How many pulls.
    fn sync(&mut self, replica: &mut Replica, now: u64) -> usize {
        let mut pulls = 0;
        loop {
            let requests = replica.due(now).expect("requests");
            if requests.is_empty() {
                return pulls;
            }
            for request in requests {
                let answer = match request {
                    Request::Pull(ticket, pull) => {
                        pulls += 1;
                        Answer::Pulled(ticket, Ok(self.answer(replica, &pull)))
                    }
                    Request::Push(ticket, push) => {
                        let done = self.last_mutation_id(&replica.client_id());
                        let mut last = done;
                        for m in push.mutations.iter().filter(|m| m.id > done) {
                            let mutation = Mutation::parse(&m.name, &m.args).expect("valid");
                            let batch = applied_batch(&by(), &replica.client_id(), m.id, &mutation);
                            run_batch(&mut self.conn, &batch).expect("the push applies");
                            last = m.id;
                        }
                        Answer::Pushed(
                            ticket,
                            Ok(shared::protocol::PushResponse {
                                last_mutation_id: last,
                                rejected: Vec::new(),
                            }),
                        )
                    }
                };
                replica.take(answer, now, 0.0).expect("the answer applies");
            }
        }
    }

    fn issues(&self) -> Vec<serde_json::Value> {
        common::issues(&self.conn)
    }
}

/// A live replica of the tests' workspace that has caught up with `server`.
fn live_replica(server: &mut Server) -> Replica {
    let mut replica = Replica::open(&Storage::Memory, by()).expect("open a replica");
    replica.set_live(true);
    server.sync(&mut replica, 1_000);
    replica
}

/// The replica's base as the server's rows would read.
fn base_rows(replica: &Replica) -> Vec<serde_json::Value> {
    let mut conn = open();
    let tx = conn.transaction().unwrap();
    tx.execute("DELETE FROM issue", []).unwrap();
    for issue in replica.base_issues().unwrap() {
        tx.execute(
            "INSERT INTO issue (id, title, description, owner, status, created_at, updated_at, \
             workspace_id, created_by, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                issue.id.to_string(),
                issue.title,
                issue.description,
                issue.owner,
                issue.status.as_str(),
                issue.created_at as i64,
                issue.updated_at as i64,
                by().workspace_id.to_string(),
                issue.created_by.map(|id| id.to_string()),
                issue.updated_by.map(|id| id.to_string()),
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    common::issues(&conn)
}

fn titles(replica: &Replica) -> Vec<String> {
    let mut titles: Vec<String> = replica
        .issues(&Default::default())
        .unwrap()
        .into_iter()
        .map(|issue| issue.title)
        .collect();
    titles.sort();
    titles
}

const AN_HOUR: u64 = 60 * 60 * 1000;

#[test]
fn a_poke_at_the_replicas_cookie_applies_without_a_pull() {
    let mut server = Server::new();
    server.someone_creates("before");
    let mut replica = live_replica(&mut server);
    assert!(
        replica.due(1_000 + AN_HOUR).unwrap().is_empty(),
        "live, nothing pulls on a timer"
    );

    server.someone_creates("after");
    let poke = server.poke(&replica);
    assert_eq!(
        replica.take_poke(&poke).unwrap(),
        PokeOutcome::Applied { entries: 1 }
    );
    assert_eq!(replica.cookie(), Some(poke.cookie));
    assert_eq!(titles(&replica), ["after", "before"]);
    assert_eq!(base_rows(&replica), server.issues());
    assert_eq!(
        server.sync(&mut replica, 2_000 + AN_HOUR),
        0,
        "no pull went out"
    );
}

#[test]
fn a_local_change_not_yet_pushed_stays_on_top_of_the_poked_entries() {
    let mut server = Server::new();
    let issue = server.someone_creates("title");
    let mut replica = live_replica(&mut server);
    replica
        .mutate(
            "updateIssue",
            &json!({"id": issue, "title": "mine", "updatedAt": 5}),
            5,
        )
        .unwrap();
    server.someone_does(
        "updateIssue",
        json!({"id": issue, "description": "theirs", "updatedAt": 6}),
    );
    let poke = server.poke(&replica);
    assert!(matches!(
        replica.take_poke(&poke).unwrap(),
        PokeOutcome::Applied { .. }
    ));
    let shown = &replica.issues(&Default::default()).unwrap()[0];
    assert_eq!(
        (shown.title.as_str(), shown.description.as_str()),
        ("mine", "theirs")
    );
    assert_eq!(replica.pending_count().unwrap(), 1);
    // The push and its pull later leave base equal to the server, with both changes.
    replica.push_soon();
    server.sync(&mut replica, 10_000);
    assert_eq!(replica.pending_count().unwrap(), 0);
    assert_eq!(base_rows(&replica), server.issues());
}

#[test]
fn a_replica_whose_cookie_lags_the_pokes_base_pulls_instead_and_equals_the_server() {
    let mut server = Server::new();
    server.someone_creates("first");
    let mut replica = live_replica(&mut server);
    // More entries than a poke carries: its base is past the replica's cookie.
    for i in 0..POKE_MAX_ENTRIES + 5 {
        server.someone_creates(&format!("issue {i}"));
    }
    let poke = server.poke(&replica);
    assert_eq!(poke.mutations.len(), POKE_MAX_ENTRIES);
    assert!(poke.base > replica.cookie());
    assert_eq!(replica.take_poke(&poke).unwrap(), PokeOutcome::Pull);
    assert_eq!(replica.cookie(), Some(1), "nothing of the poke was applied");
    assert_eq!(server.sync(&mut replica, 2_000), 1);
    assert_eq!(base_rows(&replica), server.issues());
    assert_eq!(replica.cookie(), Some(poke.cookie));
}

#[test]
fn a_replica_within_the_pokes_window_applies_only_what_it_lacks() {
    let mut server = Server::new();
    server.someone_creates("first");
    let mut replica = live_replica(&mut server);
    server.someone_creates("second");
    let first_poke = server.poke(&replica);
    server.someone_creates("third");
    let second_poke = server.poke(&replica);
    // The first poke was lost: the second still carries both entries.
    assert_eq!(
        replica.take_poke(&second_poke).unwrap(),
        PokeOutcome::Applied { entries: 2 }
    );
    // The lost one turns up late, and twice: nothing happens.
    for _ in 0..2 {
        assert_eq!(
            replica.take_poke(&first_poke).unwrap(),
            PokeOutcome::Ignored
        );
    }
    assert_eq!(
        replica.take_poke(&second_poke).unwrap(),
        PokeOutcome::Ignored
    );
    assert_eq!(titles(&replica), ["first", "second", "third"]);
    assert_eq!(server.sync(&mut replica, 2_000), 0);
    assert_eq!(base_rows(&replica), server.issues());
}

#[test]
fn a_poke_with_this_clients_own_entries_is_a_pull_which_acknowledges_them() {
    let mut server = Server::new();
    let mut replica = live_replica(&mut server);
    let id = Uuid::new_v4();
    replica
        .mutate("createIssue", &create_args(&id.to_string(), "mine"), 1)
        .unwrap();
    // The push reached the server but its answer was lost on the way back.
    let mutation = Mutation::parse("createIssue", &create_args(&id.to_string(), "mine")).unwrap();
    run_batch(
        &mut server.conn,
        &applied_batch(&by(), &replica.client_id(), 1, &mutation),
    )
    .unwrap();
    let poke = server.poke(&replica);
    assert_eq!(poke.mutations[0].id, Some(1), "its own entry is marked");
    assert_eq!(replica.take_poke(&poke).unwrap(), PokeOutcome::Pull);
    assert_eq!(replica.cookie(), Some(0), "nothing of the poke was applied");
    // The replica also sends its push again, which the server answers as done.
    server.sync(&mut replica, 2_000);
    assert_eq!(replica.pending_count().unwrap(), 0);
    assert_eq!(replica.last_mutation_id(), 1);
    assert_eq!(titles(&replica), ["mine"]);
    assert_eq!(base_rows(&replica), server.issues());
}

#[test]
fn a_poke_during_a_pull_pulls_again_only_if_that_pull_fell_short() {
    let mut server = Server::new();
    let mut replica = live_replica(&mut server);
    server.someone_creates("one");
    replica.pull_soon();
    let Request::Pull(ticket, pull) = replica.due(2_000).unwrap().remove(0) else {
        panic!("a pull is due");
    };
    // The poke for "one" arrives while the pull is out; that pull's answer reaches it.
    assert_eq!(
        replica.take_poke(&server.poke(&replica)).unwrap(),
        PokeOutcome::Pull
    );
    let answer = server.answer(&replica, &pull);
    replica
        .take(Answer::Pulled(ticket, Ok(answer)), 2_000, 0.0)
        .unwrap();
    assert!(
        replica.due(2_000).unwrap().is_empty(),
        "the pull reached the poke's cookie"
    );

    // Now a pull goes out, then "two" is pushed and poked before its answer: it fell short.
    replica.pull_soon();
    let Request::Pull(ticket, pull) = replica.due(3_000).unwrap().remove(0) else {
        panic!("a pull is due");
    };
    let answer = server.answer(&replica, &pull);
    server.someone_creates("two");
    assert_eq!(
        replica.take_poke(&server.poke(&replica)).unwrap(),
        PokeOutcome::Pull
    );
    replica
        .take(Answer::Pulled(ticket, Ok(answer)), 3_000, 0.0)
        .unwrap();
    assert_eq!(server.sync(&mut replica, 3_000), 1, "one more pull");
    assert_eq!(titles(&replica), ["one", "two"]);
}

#[test]
fn while_live_nothing_polls_and_when_the_channel_drops_polling_resumes_at_once() {
    let mut server = Server::new();
    let mut replica = live_replica(&mut server);
    assert!(replica.due(1_000 + AN_HOUR).unwrap().is_empty());
    replica.set_live(false);
    assert_eq!(
        server.sync(&mut replica, 1_000 + AN_HOUR),
        1,
        "down: a pull at once"
    );
    let then = 1_000 + AN_HOUR;
    assert!(replica.due(then + 1_000).unwrap().is_empty());
    assert_eq!(
        server.sync(&mut replica, then + shared::replica::PULL_EVERY_MS),
        1,
        "then every few seconds"
    );
    replica.set_live(true);
    assert_eq!(
        server.sync(&mut replica, then + 4_000),
        1,
        "up again: a pull at once, for what it missed"
    );
    assert!(replica.due(then + 4_000 + AN_HOUR).unwrap().is_empty());
}

#[test]
fn a_poke_before_the_first_pull_or_without_entries_is_a_pull() {
    let mut server = Server::new();
    server.someone_creates("one");
    let mut fresh = Replica::open(&Storage::Memory, by()).unwrap();
    assert_eq!(
        fresh.take_poke(&server.poke(&fresh)).unwrap(),
        PokeOutcome::Pull
    );
    let mut replica = live_replica(&mut server);
    server.someone_creates("two");
    let bare = Poke {
        base: None,
        mutations: Vec::new(),
        ..server.poke(&replica)
    };
    assert_eq!(replica.take_poke(&bare).unwrap(), PokeOutcome::Pull);
    assert_eq!(server.sync(&mut replica, 2_000), 1);
    assert_eq!(titles(&replica), ["one", "two"]);
}

#[test]
fn a_fanout_carries_the_newest_entries_that_fit_after_the_one_before_them() {
    let mut server = Server::new();
    server.someone_creates("only");
    let whole = server.fanout();
    assert_eq!(
        (whole.base, whole.entries.len()),
        (Some(0), 1),
        "the whole log follows 0"
    );

    for i in 0..POKE_MAX_ENTRIES + 4 {
        server.someone_creates(&format!("{i}"));
    }
    let fanout = server.fanout();
    let ids: Vec<u64> = fanout.entries.iter().map(|e| e.entry.log_id).collect();
    assert_eq!(ids.len(), POKE_MAX_ENTRIES);
    assert_eq!(fanout.cookie, *ids.last().unwrap());
    assert_eq!(
        fanout.base,
        Some(ids[0] - 1),
        "base is the entry just before"
    );
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "oldest first");

    // Large entries: fewer fit. One larger than a poke may carry: the poke is bare.
    let big = "🦀".repeat(POKE_MAX_BYTES / 4 * 3 / 4);
    let id = server.someone_creates("big");
    server.someone_does(
        "updateIssue",
        json!({"id": id, "description": big, "updatedAt": 2}),
    );
    let fanout = server.fanout();
    assert!(fanout.entries.len() < POKE_MAX_ENTRIES && !fanout.entries.is_empty());
    let huge = "🦀".repeat(POKE_MAX_BYTES / 4 + 1);
    server.someone_does(
        "updateIssue",
        json!({"id": id, "description": huge, "updatedAt": 3}),
    );
    let bare = server.fanout();
    assert_eq!((bare.base, bare.entries.len()), (None, 0));
    let replica = live_replica(&mut Server::new());
    let json =
        serde_json::to_value(LiveMessage::Poke(bare.poke_for(&replica.client_id()))).unwrap();
    assert_eq!(json, json!({"type": "poke", "cookie": bare.cookie}));
}

#[test]
fn each_sockets_copy_marks_only_its_own_clients_entries() {
    let mut server = Server::new();
    server.someone_creates("theirs");
    let mine = Uuid::new_v4();
    let mutation = Mutation::parse(
        "createIssue",
        &create_args(&Uuid::new_v4().to_string(), "mine"),
    )
    .unwrap();
    run_batch(&mut server.conn, &applied_batch(&by(), &mine, 1, &mutation)).unwrap();
    let fanout = server.fanout();
    assert!(fanout.has_entries_of(&mine));
    let ids = |poke: Poke| poke.mutations.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(fanout.poke_for(&mine)), [None, Some(1)]);
    assert_eq!(
        ids(fanout.poke_for(&server.someones_client)),
        [Some(1), None]
    );
    assert_eq!(ids(fanout.poke_for(&Uuid::new_v4())), [None, None]);
    let wire = serde_json::to_string(&fanout.poke_for(&Uuid::new_v4())).unwrap();
    assert!(
        !wire.contains(&mine.to_string()) && !wire.contains(&server.someones_client.to_string()),
        "no client id leaves the server"
    );
}

#[test]
fn after_a_poke_the_next_carries_only_what_is_newer() {
    let mut server = Server::new();
    server.someone_creates("one");
    let mut replica = live_replica(&mut server);
    let first = server.fanout();
    assert_eq!(
        first.clone().since(Some(first.cookie)),
        None,
        "nothing newer"
    );
    assert_eq!(
        first.clone().since(None),
        Some(first.clone()),
        "no previous poke"
    );

    server.someone_creates("two");
    server.someone_creates("three");
    let next = server
        .fanout()
        .since(Some(first.cookie))
        .expect("newer entries");
    assert_eq!(next.base, Some(first.cookie));
    let titles_carried: Vec<_> = next
        .entries
        .iter()
        .map(|e| e.entry.args["title"].clone())
        .collect();
    assert_eq!(titles_carried, [json!("two"), json!("three")]);
    // A replica that took the first poke (here: pulled to it) applies the trimmed one.
    assert_eq!(
        replica
            .take_poke(&next.poke_for(&replica.client_id()))
            .unwrap(),
        PokeOutcome::Applied { entries: 2 }
    );
    assert_eq!(base_rows(&replica), server.issues());

    // A previous poke older than the window: the fan-out stays whole.
    for i in 0..POKE_MAX_ENTRIES + 2 {
        server.someone_creates(&format!("{i}"));
    }
    let whole = server.fanout();
    assert_eq!(whole.clone().since(Some(first.cookie)), Some(whole));
}
