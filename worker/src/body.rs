//! Reads a request body, refusing anything over the protocol's 1 MiB before buffering it when the
//! client declares its length.

use shared::protocol::MAX_BODY_BYTES;
use shared::{ErrorCode, ProtocolError};
use worker::Request;

use crate::error::ApiError;

pub async fn read(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|value| value.parse::<usize>().ok());
    if let Some(length) = declared
        && length > MAX_BODY_BYTES
    {
        return Err(too_large(length).into());
    }
    // The size is checked again by the protocol parser, for bodies sent without a length.
    Ok(req.bytes().await?)
}

fn too_large(length: usize) -> ProtocolError {
    ProtocolError::new(
        ErrorCode::PayloadTooLarge,
        format!("the body is {length} bytes; the limit is {MAX_BODY_BYTES}"),
    )
}
