//! A member's socket on a workspace's live channel, as the browser's engine opens it: for reading
//! pokes, pinging, and seeing it closed.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use shared::live::{LiveMessage, PING, PONG, Poke};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};
use uuid::Uuid;

use crate::members::Member;
use crate::server::Server;

pub struct Socket {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    /// How many "the members changed" messages it heard (`hear` counts them and listens on).
    pub members_changed: usize,
    /// ... and "the workspace's settings changed" messages.
    pub workspace_changed: usize,
}

/// What a socket heard within a wait.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    Poke(Poke),
    Pong,
    /// The server closed it, with this code and reason.
    Closed(u16, String),
    Nothing,
}

/// Why a socket did not open: the handshake's HTTP status and body.
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: u16,
    pub body: String,
}

impl Refused {
    /// Asserts the refusal's status and code, as `Reply::assert_error` does.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        let body: serde_json::Value =
            serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON: {}", self.body));
        assert_eq!(body["error"], code, "{}", self.body);
    }
}

impl Server {
    /// Opens `by`'s socket for `client_id` in `by`'s workspace, with `extra` headers (an `Origin`).
    pub fn live_as(
        &self,
        by: &Member,
        client_id: &Uuid,
        extra: &[(&str, &str)],
    ) -> Result<Socket, Refused> {
        let path = format!("{}?clientId={client_id}", by.api("live"));
        self.live_at(by, &path, extra)
    }

    /// Opens a socket at `path` (with its query) as `by`.
    pub fn live_at(
        &self,
        by: &Member,
        path: &str,
        extra: &[(&str, &str)],
    ) -> Result<Socket, Refused> {
        let url = format!("{}{path}", self.url.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("a WebSocket request");
        let owned: Vec<(String, String)> = by.headers(None);
        let headers: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(extra.iter().copied())
            .collect();
        for (name, value) in &headers {
            let name: tungstenite::http::HeaderName = name.parse().expect("a header name");
            let value = HeaderValue::from_str(value).expect("a header value");
            request.headers_mut().insert(name, value);
        }
        match tungstenite::connect(request) {
            Ok((ws, _)) => Ok(Socket {
                ws,
                members_changed: 0,
                workspace_changed: 0,
            }),
            Err(tungstenite::Error::Http(response)) => {
                // The client does not read a chunked body. Every refusal comes before the upgrade
                // is looked at, so the same request without it gets the same answer, body and all
                // (but for a server error, which may not happen twice: its body is not read).
                let status = response.status().as_u16();
                if status >= 500 {
                    return Err(Refused {
                        status,
                        body: String::new(),
                    });
                }
                let again = self.get_with(path, &headers);
                assert_eq!(again.status, status, "{}", again.text);
                Err(Refused {
                    status: again.status,
                    body: again.text,
                })
            }
            // Not reached (the server is down): no HTTP status.
            Err(err) => Err(Refused {
                status: 0,
                body: err.to_string(),
            }),
        }
    }
}

impl Socket {
    /// The next thing heard within `wait`.
    pub fn hear(&mut self, wait: Duration) -> Heard {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Heard::Nothing;
            }
            if let MaybeTlsStream::Plain(stream) = self.ws.get_mut() {
                stream.set_read_timeout(Some(left)).expect("a read timeout");
            }
            match self.ws.read() {
                Ok(Message::Text(text)) if text.as_str() == PONG => return Heard::Pong,
                Ok(Message::Text(text)) => {
                    match serde_json::from_str(text.as_str()).expect("a live message parses") {
                        LiveMessage::Poke(poke) => return Heard::Poke(poke),
                        // Says nothing but "read the members again": counted, not returned.
                        LiveMessage::Members => {
                            assert_eq!(text.as_str(), r#"{"type":"members"}"#, "names no one");
                            self.members_changed += 1;
                        }
                        LiveMessage::Workspace => {
                            assert_eq!(text.as_str(), r#"{"type":"workspace"}"#, "names nothing");
                            self.workspace_changed += 1;
                        }
                    }
                }
                Ok(Message::Close(frame)) => {
                    return frame.map_or(Heard::Closed(1005, String::new()), |frame| {
                        Heard::Closed(frame.code.into(), frame.reason.to_string())
                    });
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(err))
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Heard::Nothing;
                }
                // Closed without a close frame (the server went away): 1006, as a browser says.
                Err(err) => return Heard::Closed(1006, err.to_string()),
            }
        }
    }

    /// The next poke within `wait`, skipping pongs.
    pub fn poke(&mut self, wait: Duration) -> Option<Poke> {
        let deadline = Instant::now() + wait;
        loop {
            match self.hear(deadline.saturating_duration_since(Instant::now())) {
                Heard::Poke(poke) => return Some(poke),
                Heard::Pong => {}
                _ => return None,
            }
        }
    }

    pub fn ping(&mut self) {
        self.send(Message::text(PING));
    }

    /// Sends `message`, whatever it is: a test of what the server does with junk.
    pub fn send(&mut self, message: Message) {
        self.ws.send(message).expect("send on the socket");
    }
}
