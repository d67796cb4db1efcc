//! Reads a request body: only from a request the guard lets through (same-site, JSON), and never more
//! than the protocol's 1 MiB of it, so no caller can make the isolate buffer more. Every handler
//! reads its body here.
//!
//! A body with a `Content-Length` of at most 1 MiB (and no `Transfer-Encoding`) is read whole in one
//! call: the runtime holds a body to its declared length, and a stream read chunk by chunk through
//! wasm costs about a millisecond of CPU a request. Any other body is read as a stream that stops at
//! 1 MiB.

use futures_util::StreamExt;
use shared::protocol::MAX_BODY_BYTES;
use shared::{ErrorCode, ProtocolError};
use worker::Request;

use crate::error::ApiError;

pub async fn read(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    crate::guard::check(req)?;
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|value| value.parse::<usize>().ok());
    if let Some(length) = declared
        && length > MAX_BODY_BYTES
    {
        return Err(too_large(&format!("{length} bytes")).into());
    }
    let chunked = req.headers().get("Transfer-Encoding")?.is_some();
    if declared.is_some() && !chunked {
        return Ok(req.bytes().await?);
    }
    // A request without a body has no stream: its body is empty.
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            drain(&mut stream, body.len() + chunk.len()).await;
            return Err(too_large("longer than that").into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads what is left of a body that is too large, keeping none of it, up to [`MAX_DRAINED_BYTES`]
/// in all; past that the stream is cancelled (dropped) unread. Answering while the client is still
/// sending, and cancelling its body, broke `wrangler dev`'s local runtime (the next request failed
/// and the server exited): a client that sends a few MiB too many is answered after its body.
async fn drain(stream: &mut worker::ByteStream, mut read: usize) {
    while read <= MAX_DRAINED_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => read += chunk.len(),
            _ => return,
        }
    }
}

/// How much of a too-large body is read before answering: 16 MiB.
const MAX_DRAINED_BYTES: usize = 16 * 1024 * 1024;

fn too_large(size: &str) -> ProtocolError {
    ProtocolError::new(
        ErrorCode::PayloadTooLarge,
        format!("the limit is {MAX_BODY_BYTES} bytes and the body is {size}"),
    )
}
