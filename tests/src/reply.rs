//! A response from the server, and assertions on it.

use std::io::Read;

use serde_json::{Value, json};

/// A response: status, headers we look at, and the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub set_cookie: Option<String>,
    /// `X-Content-Type-Options`
    pub nosniff: Option<String>,
    /// `Retry-After`
    pub retry_after: Option<String>,
    pub text: String,
}

impl Reply {
    /// The reply, or why its body could not be read (the server went away while sending it).
    pub(crate) fn try_from(
        mut response: ureq::http::Response<ureq::Body>,
    ) -> Result<Reply, String> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type").unwrap_or_default();
        let set_cookie = header("set-cookie");
        let nosniff = header("x-content-type-options");
        let retry_after = header("retry-after");
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|err| format!("reading the body: {err}"))?;
        Ok(Reply {
            status: response.status().as_u16(),
            content_type,
            set_cookie,
            nosniff,
            retry_after,
            text,
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {:?}", self.text))
    }

    /// The JSON body of a 200, or a panic that shows what came instead.
    pub fn ok(&self) -> Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.text
        );
        self.json()
    }

    /// Asserts a protocol error: its status, JSON content type and `error` code.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(
            self.content_type.starts_with("application/json"),
            "content type {:?} for {}",
            self.content_type,
            self.text
        );
        let body = self.json();
        assert_eq!(body["error"], json!(code), "{body}");
        let message = body["message"].as_str().expect("a message").to_owned();
        assert!(!message.is_empty());
        message
    }
}
