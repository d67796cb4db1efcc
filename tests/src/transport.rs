//! Carries a replica's requests to the real worker over HTTP, as the browser glue will.

use shared::protocol::{ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse};
use shared::replica::SyncFailure;

use crate::server::Server;

pub fn push(server: &Server, request: &PushRequest) -> Result<PushResponse, SyncFailure> {
    send(server, "/api/push", request)
}

pub fn pull(server: &Server, request: &PullRequest) -> Result<PullResponse, SyncFailure> {
    send(server, "/api/pull", request)
}

fn send<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
    server: &Server,
    path: &str,
    request: &Q,
) -> Result<A, SyncFailure> {
    let body = serde_json::to_vec(request).expect("serialise the request");
    let reply = server.post(path, &body, &[]);
    if reply.status == 200 {
        return Ok(serde_json::from_str(&reply.text).expect("a 200 answer parses"));
    }
    Err(SyncFailure::Server {
        status: reply.status,
        error: serde_json::from_str::<ErrorBody>(&reply.text).ok(),
    })
}
