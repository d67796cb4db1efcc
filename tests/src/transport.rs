//! Carries a replica's requests to the real worker over HTTP as a member, as the browser's engine does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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

/// How many times a request was held back (`429`) and sent again after `Retry-After`.
pub static HELD_BACK: AtomicUsize = AtomicUsize::new(0);

/// Sends a request; one the server held back (`429`, which changed nothing) is sent again once the
/// `Retry-After` it gave has passed, as the browser's engine does. No answer (the server is down) is
/// a network failure, as the engine sees it.
fn send<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
    server: &Server,
    by: &Member,
    action: &str,
    request: &Q,
) -> Result<A, SyncFailure> {
    let body = serde_json::to_value(request).expect("serialise the request");
    let unreachable =
        |err: String| SyncFailure::Network(format!("the server did not answer: {err}"));
    let mut reply = server
        .try_post_as(Some(by), &by.api(action), &body)
        .map_err(unreachable)?;
    while reply.status == 429 {
        let seconds: u64 = reply
            .retry_after
            .as_deref()
            .and_then(|s| s.parse().ok())
            .expect("a 429 says when to retry");
        assert!(
            seconds <= 60,
            "held back for {seconds} s: the test cannot wait that long"
        );
        HELD_BACK.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_secs(seconds));
        reply = server
            .try_post_as(Some(by), &by.api(action), &body)
            .map_err(unreachable)?;
    }
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
