//! The one error type of the worker's handlers, answered as `{"error": code, "message": ...}`.

use shared::protocol::ErrorBody;
use shared::{ErrorCode, ProtocolError};
use worker::{Request, Response, console_error};

/// Everything a handler can fail with. The caller's faults carry their protocol code; our own faults
/// (D1 or runtime errors) are logged and answered as `500 InternalError`.
#[derive(Debug)]
pub struct ApiError(ProtocolError);

impl ApiError {
    /// The protocol code this error answers with.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn not_found(req: &Request) -> Self {
        Self(ProtocolError::new(
            ErrorCode::NotFound,
            format!("no route for {}", shared::error::quote(&req.path())),
        ))
    }

    pub fn method_not_allowed(req: &Request, allowed: worker::Method) -> Self {
        Self(ProtocolError::new(
            ErrorCode::MethodNotAllowed,
            format!(
                "{} takes {allowed:?}, got {:?}",
                shared::error::quote(&req.path()),
                req.method()
            ),
        ))
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        console_error!("{context}: {err}");
        Self(ProtocolError::new(
            ErrorCode::InternalError,
            format!("{context}; the request may be retried"),
        ))
    }

    /// The protocol's error body with the code's status. Serialising two strings cannot fail; if it
    /// somehow did, the status alone still tells the client what happened.
    /// A `429` also says when to retry (`Retry-After`, seconds).
    pub fn into_response(self) -> Response {
        let status = self.0.code.status();
        let mut response = Response::from_json(&ErrorBody::from(&self.0))
            .map(|response| response.with_status(status))
            .unwrap_or_else(|_| Response::builder().with_status(status).empty());
        if let Some(seconds) = crate::limits::retry_after(self.0.code, crate::auth::now()) {
            let _ = response
                .headers_mut()
                .set("Retry-After", &seconds.to_string());
        }
        response
    }
}

impl From<ProtocolError> for ApiError {
    fn from(err: ProtocolError) -> Self {
        Self(err)
    }
}

impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        Self::internal("the worker failed", err)
    }
}
