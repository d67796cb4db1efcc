//! Carries a replica's requests to the real worker over HTTP as a member, as the browser's engine does.

use shared::protocol::{ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse};
use shared::replica::SyncFailure;

use crate::members::Member;
use crate::server::Server;

pub fn push(
    server: &Server,
    by: &Member,
    request: &PushRequest,
) -> Result<PushResponse, SyncFailure> {
    send(server, by, "push", request)
}

pub fn pull(
    server: &Server,
    by: &Member,
    request: &PullRequest,
) -> Result<PullResponse, SyncFailure> {
    send(server, by, "pull", request)
}

fn send<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
    server: &Server,
    by: &Member,
    action: &str,
    request: &Q,
) -> Result<A, SyncFailure> {
    let body = serde_json::to_value(request).expect("serialise the request");
    let reply = server.send_as(Some(by), "POST", &by.api(action), &body);
    if reply.status == 200 {
        return Ok(serde_json::from_str(&reply.text).expect("a 200 answer parses"));
    }
    Err(SyncFailure::Server {
        status: reply.status,
        error: serde_json::from_str::<ErrorBody>(&reply.text).ok(),
        retry_after_ms: reply
            .retry_after
            .as_deref()
            .and_then(|seconds| seconds.parse::<u64>().ok())
            .map(|seconds| seconds * 1000),
    })
}
