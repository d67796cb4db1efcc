//! The integration tests' harness, as a library the test binaries and the server benchmark share:
//! [`server`] starts the worker under `wrangler dev` on a fresh local D1 and speaks HTTP to it,
//! [`members`] signs in as members of workspaces,
//! [`reply`] holds its answers, [`fixtures`] the mutations clients send and the tables read back,
//! [`transport`] carries a replica's requests to it, [`live`] listens on its live channel,
//! [`passkey`] is a software authenticator; [`random`] makes the random mutations and [`verdict`]
//! checks the outcome of the runs of many replicas (the convergence test, the soak).

pub mod fixtures;
pub mod live;
pub mod members;
pub mod passkey;
pub mod random;
pub mod reply;
pub mod server;
pub mod transport;
pub mod verdict;

pub use fixtures::{
    ISSUES_SQL, create, delete, issue_row, numbered, replica_rows, rows, update_status,
    with_clients,
};
pub use members::{Auth, Member};
pub use reply::Reply;
pub use server::{Server, root, server};
