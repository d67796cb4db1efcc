//! What every API request must be before its body is read: not from another site, and JSON. A
//! cross-site form can post `text/plain` without a preflight; refusing anything but
//! `application/json` means no page elsewhere can make a browser push or pull here.

use shared::{ErrorCode, ProtocolError};
use worker::Request;

use crate::error::ApiError;

/// Every API request: not from another site (a browser says so in `Sec-Fetch-Site`).
pub fn check_site(req: &Request) -> Result<(), ApiError> {
    if header(req, "Sec-Fetch-Site").eq_ignore_ascii_case("cross-site") {
        return Err(ProtocolError::new(
            ErrorCode::Forbidden,
            "requests from other sites are refused",
        )
        .into());
    }
    Ok(())
}

/// Every request with a body: that, and JSON.
pub fn check(req: &Request) -> Result<(), ApiError> {
    check_site(req)?;
    let content_type = header(req, "Content-Type");
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(ProtocolError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "the body must be sent as Content-Type: application/json, got {:?}",
                shared::error::quote(&content_type)
            ),
        )
        .into());
    }
    Ok(())
}

fn header(req: &Request, name: &str) -> String {
    req.headers().get(name).ok().flatten().unwrap_or_default()
}
