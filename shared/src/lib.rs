//! The sync engine's shared core, compiled into both the Cloudflare Worker and the browser app.
//!
//! - [`mutations`]: the mutators. Each owns its arguments, their validation and its SQL, so the
//!   server and every client run the very same statements.
//! - [`issue`]: the issue as clients read it (row, list filter, counts by status).
//! - [`label`], [`comment`]: labels and comments as clients read them (schema version 2).
//! - [`history`], [`numbers`]: each issue's history and its number's key (schema version 3).
//! - [`protocol`]: the wire protocol (push, pull, error bodies) and its request rules.
//! - [`live`]: the live channel's pokes, from the worker through the workspace's object to each tab.
//! - [`reaction`], [`inbox`]: reactions, and each member's inbox (schema version 4).
//! - [`references`]: the members a text mentions and the issues it refers to.
//! - [`markdown`] (feature `markdown`): descriptions and comments parsed into a tree to render.
//! - [`api`]: the workspace API around the protocol (setup, sessions, invites, members, tokens).
//! - [`account`]: the account API (signed-in devices, passkeys, device links, names, ownership).
//! - [`actor`]: whose change a mutation is, and in which workspace.
//! - [`server`]: the server's atomic batch for one processed mutation, and its pull queries.
//! - [`snapshot`]: snapshot pulls, the workspace's current rows a page at a time.
//! - [`compaction`]: the scheduled job that deletes old log entries and raises each horizon.
//! - [`session`] (feature `session`): signed session cookies and hashed secrets.
//! - [`passkey`] (feature `passkeys`): WebAuthn registrations and sign-ins, checked.
//! - [`schema`]: the migrations in `migrations/`, embedded.
//! - [`replica`] (feature `replica`): the client's base, optimistic state, pending queue and rebase.
//! - [`export`] (feature `export`): a whole workspace out of a replica, as JSON or CSV.
//! - [`sqlite`] (feature `sqlite`): runs all of the above on rusqlite.
//! - [`statement`]: a parameterised SQL statement, independent of the database that runs it.

pub mod account;
pub mod actor;
pub mod api;
pub mod comment;
pub mod compaction;
pub mod error;
#[cfg(feature = "export")]
pub mod export;
pub mod history;
pub mod inbox;
pub mod issue;
pub mod label;
pub mod live;
#[cfg(feature = "markdown")]
pub mod markdown;
pub mod mutations;
pub mod numbers;
#[cfg(feature = "passkeys")]
pub mod passkey;
pub mod presence;
pub mod protocol;
pub mod reaction;
pub mod references;
#[cfg(feature = "replica")]
pub mod replica;
pub mod schema;
pub mod server;
#[cfg(feature = "session")]
pub mod session;
pub mod snapshot;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod statement;

pub use actor::Actor;
pub use error::{ErrorCode, MutationError, ProtocolError};
pub use mutations::Mutation;
pub use statement::{SqlValue, Statement};
