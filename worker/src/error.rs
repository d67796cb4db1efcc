//! The one error type of the worker's handlers, answered as `{"error": code, "message": ...}`.

use shared::protocol::ErrorBody;
use shared::{ErrorCode, ProtocolError};
use worker::{Request, Response, console_error};

/// Everything a handler can fail with. The caller's faults carry their protocol code; our own faults
/// (D1 or runtime errors) are logged and answered as `500 InternalError`.
#[derive(Debug)]
pub struct ApiError(ProtocolError);

impl ApiError {
    pub fn not_found(req: &Request) -> Self {
        Self(ProtocolError::new(
            ErrorCode::NotFound,
            format!("no route for {}", req.path()),
        ))
    }

    pub fn method_not_allowed(req: &Request) -> Self {
        Self(ProtocolError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} takes POST, got {:?}", req.path(), req.method()),
        ))
    }

    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        console_error!("{context}: {err}");
        Self(ProtocolError::new(
            ErrorCode::InternalError,
            format!("{context}; the request may be retried"),
        ))
    }

    pub fn into_response(self) -> Response {
        let body = ErrorBody::from(&self.0);
        match Response::from_json(&body) {
            Ok(response) => response.with_status(self.0.code.status()),
            Err(_) => Response::error(body.message, self.0.code.status())
                .unwrap_or_else(|_| Response::empty().unwrap_or_else(|_| unreachable_response())),
        }
    }
}

/// `Response::empty` cannot fail in practice; keep the types honest without panicking.
fn unreachable_response() -> Response {
    Response::builder().with_status(500).empty()
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
