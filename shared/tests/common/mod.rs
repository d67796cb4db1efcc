//! Helpers for the native tests: an in-memory SQLite with the migrations, and its issue table.

#![allow(dead_code)]

use rusqlite::Connection;
use serde_json::{Value, json};
use shared::protocol::{PullResponse, PushResponse, RejectedMutation};
use shared::replica::Replica;
use shared::server::{applied_batch, rejected_batch};
use shared::{Actor, Mutation, Statement};

pub const ISSUE: &str = "6f1c2c1e-8f2a-4b1e-9a57-3f0b6b1d2c4e";
pub const OTHER_ISSUE: &str = "0b8f7d8e-1c1a-4a43-8b4f-2d7c5f9e6a10";
pub const CLIENT: &str = "5e0d0a4e-9c65-4d5b-8f2e-3b1a7c9d0e21";
pub const WORKSPACE: &str = "0c4b8f5e-2a6d-4f1b-9e3a-7d5c1b9f2e40";
pub const MEMBER: &str = "9a2e6c1d-4b7f-4e8a-b3c5-1f6d8e2a9b70";

/// The member the tests act as, in their workspace.
pub fn by() -> Actor {
    Actor::new(
        uuid::Uuid::parse_str(WORKSPACE).unwrap(),
        uuid::Uuid::parse_str(MEMBER).unwrap(),
    )
}

/// A database with the migrations, one workspace and its owner ([`by`]), as setup leaves it.
pub fn open() -> Connection {
    let mut conn = Connection::open_in_memory().expect("open an in-memory database");
    shared::sqlite::migrate(&mut conn).expect("apply the migrations");
    conn.execute(
        "INSERT INTO workspace (id, name, created_at) VALUES (?1, 'Tests', 1)",
        [WORKSPACE],
    )
    .expect("a workspace");
    join(&conn, &by(), "owner");
    conn
}

/// Makes `who` a member of their workspace (which must exist, or is made).
pub fn join(conn: &Connection, who: &Actor, role: &str) {
    conn.execute(
        "INSERT INTO workspace (id, name, created_at) VALUES (?1, 'Another', 1) \
         ON CONFLICT (id) DO NOTHING",
        [who.workspace_id.to_string()],
    )
    .expect("the workspace");
    conn.execute(
        "INSERT INTO member (id, name, created_at) VALUES (?1, 'Someone', 1) \
         ON CONFLICT (id) DO NOTHING",
        [who.member_id.to_string()],
    )
    .expect("a member");
    conn.execute(
        "INSERT INTO membership (workspace_id, member_id, role, joined_at) VALUES (?1, ?2, ?3, 1)",
        [
            who.workspace_id.to_string(),
            who.member_id.to_string(),
            role.to_owned(),
        ],
    )
    .expect("a membership");
}

/// Runs statements in one transaction, as D1 runs a batch: all of them or none.
pub fn run_batch(conn: &mut Connection, batch: &[Statement]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    shared::sqlite::execute(&tx, batch)?;
    tx.commit()
}

/// Every issue row as `[id, title, description, owner, status, created_at, updated_at, created_by,
/// updated_by]`, by id.
pub fn issues(conn: &Connection) -> Vec<Value> {
    let mut stmt = conn
        .prepare(
            "SELECT id, title, description, owner, status, created_at, updated_at, created_by, \
             updated_by FROM issue ORDER BY id",
        )
        .expect("prepare");
    stmt.query_map([], |row| {
        Ok(json!([
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, i64>(5)?,
            row.get::<_, i64>(6)?,
            row.get::<_, Option<String>>(7)?,
            row.get::<_, Option<String>>(8)?,
        ]))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

pub fn create_args(id: &str, title: &str) -> Value {
    json!({"id": id, "title": title, "description": "", "owner": "ada", "createdAt": 1_764_000_000_000u64})
}

pub fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .expect("count")
}

/// The server's database for replica tests: [`by`] (the replica's member, the owner) and another
/// member, `someone`, whose client pushes with the server's own batches. Each test file adds what
/// it needs (pokes, snapshots) in an `impl` of its own.
pub struct Server {
    pub conn: Connection,
    pub someone: Actor,
    pub someones_client: uuid::Uuid,
    pub someones_next: u64,
}

impl Server {
    pub fn new() -> Server {
        let conn = open();
        let someone = Actor::new(by().workspace_id, uuid::Uuid::new_v4());
        join(&conn, &someone, "member");
        Server {
            conn,
            someone,
            someones_client: uuid::Uuid::new_v4(),
            someones_next: 1,
        }
    }

    /// The other member's client pushes `name(args)`.
    pub fn someone_does(&mut self, name: &str, args: Value) {
        let mutation = Mutation::parse(name, &args).expect("a valid mutation");
        let batch = applied_batch(
            &self.someone,
            &self.someones_client,
            self.someones_next,
            &mutation,
        );
        run_batch(&mut self.conn, &batch).expect("the push applies");
        self.someones_next += 1;
    }

    /// The server's `lastMutationId` for `client`, 0 for one never seen.
    pub fn last_mutation_id(&self, client: &uuid::Uuid) -> u64 {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                shared::server::SELECT_LAST_MUTATION_ID,
                [client.to_string()],
                |row| row.get::<_, i64>(0),
            )
            .optional()
            .expect("read lastMutationId")
            .map_or(0, |id| id as u64)
    }

    /// Every row of `table` as the replica's `Replica::base_rows` reads it.
    pub fn rows(&self, table: &str) -> Vec<Vec<rusqlite::types::Value>> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .expect("prepare");
        let columns = statement.column_count();
        statement
            .query_map([], |row| (0..columns).map(|i| row.get(i)).collect())
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// Answers `replica`'s next pull as the worker does. `None` when no pull is due.
    pub fn pull(&mut self, replica: &mut Replica) -> Option<PullResponse> {
        let (ticket, response) = self.answer_pull(replica)?;
        replica
            .pull_succeeded(ticket, &response)
            .expect("the answer applies");
        Some(response)
    }

    /// The worker's answer to `replica`'s next pull, not yet given to it. `None` when no pull is due.
    pub fn answer_pull(
        &mut self,
        replica: &mut Replica,
    ) -> Option<(shared::replica::Ticket, PullResponse)> {
        let (ticket, request) = replica.next_pull()?;
        let response = shared::sqlite::answer_pull(
            &mut self.conn,
            &replica.actor(),
            request.schema_version,
            &replica.client_id(),
            request.cookie.flatten(),
            request.snapshot,
        )
        .expect("the pull queries run")
        .expect("a member's pull");
        Some((ticket, response))
    }

    /// Pushes everything `replica` has pending, as the worker would (one batch per mutation; one
    /// whose statements fail is recorded as rejected).
    pub fn push(&mut self, replica: &mut Replica) {
        self.push_answering(replica, true);
    }

    /// Pushes as [`Server::push`], and loses each answer on the way back: the server processed the
    /// push, the replica only knows it failed.
    pub fn push_answer_lost(&mut self, replica: &mut Replica) {
        self.push_answering(replica, false);
    }

    fn push_answering(&mut self, replica: &mut Replica, answered: bool) {
        while let Some((ticket, request)) = replica.next_push().expect("the next push") {
            let done = self.last_mutation_id(&replica.client_id());
            let mut last = done;
            let mut rejected = Vec::new();
            for m in request.mutations.iter().filter(|m| m.id > done) {
                let mutation = Mutation::parse(&m.name, &m.args).expect("valid");
                let batch = applied_batch(&replica.actor(), &replica.client_id(), m.id, &mutation);
                if let Err(err) = run_batch(&mut self.conn, &batch) {
                    let refused =
                        RejectedMutation::new(m.id, &mutation.statement_failed(&err.to_string()));
                    run_batch(
                        &mut self.conn,
                        &rejected_batch(&replica.actor(), &replica.client_id(), &refused),
                    )
                    .expect("the rejection is recorded");
                    rejected.push(refused);
                }
                last = m.id;
            }
            if !answered {
                let lost = shared::replica::SyncFailure::Network("the answer was lost".into());
                replica.push_failed(ticket, &lost).expect("a failed push");
                return;
            }
            replica.push_succeeded(
                ticket,
                &PushResponse {
                    last_mutation_id: last,
                    rejected,
                },
            );
        }
    }

    /// Pulls until the replica has everything.
    pub fn catch_up(&mut self, replica: &mut Replica) -> usize {
        let mut pulls = 0;
        while let Some(response) = self.pull(replica) {
            pulls += 1;
            if !response.has_more {
                break;
            }
        }
        pulls
    }
}

/// The replica's status counts (kept by optimistic's triggers) equal a count of its whole list.
pub fn assert_counts_match(replica: &Replica) {
    use shared::mutations::fields::Status;
    let issues = replica.issues(&Default::default()).expect("the whole list");
    let of = |status| issues.iter().filter(|i| i.status == status).count() as u64;
    let counts = replica.status_counts().expect("status counts");
    assert_eq!(
        (counts.not_started, counts.in_progress, counts.done),
        (
            of(Status::NotStarted),
            of(Status::InProgress),
            of(Status::Done)
        ),
        "the status counts equal the list's"
    );
}
