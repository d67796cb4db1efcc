//! `LiveWorkspace`: one Durable Object per workspace (named by its id), holding its members' live
//! sockets with the hibernation API, so an idle socket costs nothing: the object sleeps until a poke
//! or a close arrives, and pings are answered without waking it.
//!
//! Only the worker reaches it, and only after checking who is asking (`super::connect`); it trusts
//! the [`Socket`] the worker attached to each connection, which survives hibernation.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use shared::live::{
    CLOSE_POLICY, CLOSE_REMOVED, CLOSE_RESTART, CLOSE_SIGNED_OUT, CLOSE_TOO_MANY, Fanout,
    LiveMessage, MAX_SOCKETS_PER_MEMBER, PING, PONG,
};
use uuid::Uuid;
use worker::{
    DurableObject, Env, Request, Response, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, WebSocketRequestResponsePair, durable_object,
};

use crate::d1;
use crate::error::ApiError;

/// The header the worker puts the checked caller in, as JSON, when it hands a connection over.
pub const SOCKET_HEADER: &str = "X-Tracker-Socket";

/// Who opened a socket, as the worker checked them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Socket {
    pub member_id: Uuid,
    pub client_id: Uuid,
    /// When the session it opened with expires (none for an API token).
    pub expires_at: Option<u64>,
    /// The API token it opened with, if any.
    pub token_id: Option<Uuid>,
    /// The session it opened with, if any.
    #[serde(default)]
    pub session_id: Option<Uuid>,
    /// When it opened (epoch milliseconds): past a member's cap, the oldest goes.
    #[serde(default)]
    pub opened_at: u64,
    /// The workspace's count of sockets handed to the object, this one included
    /// ([`shared::presence`]).
    #[serde(default)]
    pub seq: u64,
}

/// What a poke answers: how many sockets it poked and, when the object had no socket at all, the
/// highest socket count it has seen, from which the worker records the workspace idle.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PokeAnswer {
    pub sockets: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_seen: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<u64>,
}

/// The object's storage key for the highest socket count it has seen.
const SEEN: &str = "seen";

impl Socket {
    fn tags(&self) -> Vec<String> {
        let mut tags = vec![member_tag(&self.member_id)];
        if let Some(token) = &self.token_id {
            tags.push(token_tag(token));
        }
        if let Some(session) = &self.session_id {
            tags.push(session_tag(session));
        }
        tags
    }
}

pub fn member_tag(member_id: &Uuid) -> String {
    format!("member:{member_id}")
}

pub fn token_tag(token_id: &Uuid) -> String {
    format!("token:{token_id}")
}

pub fn session_tag(session_id: &Uuid) -> String {
    format!("session:{session_id}")
}

/// What the worker asks of the object: `POST /close` closes the sockets with this tag.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseRequest {
    pub tag: String,
    pub code: u16,
    pub reason: String,
}

#[durable_object(websocket)]
pub struct LiveWorkspace {
    state: State,
    env: Env,
    /// The cookie of the last poke sent, while the object stays awake: the next carries only what
    /// is newer (`Fanout::since`).
    poked: Cell<Option<u64>>,
}

impl DurableObject for LiveWorkspace {
    fn new(state: State, env: Env) -> Self {
        // A ping is answered by the runtime itself: a heartbeat never wakes a hibernating object.
        match WebSocketRequestResponsePair::new(PING, PONG) {
            Ok(pair) => state.set_websocket_auto_response(&pair),
            Err(err) => worker::console_error!("live: no automatic pong: {err:?}"),
        }
        LiveWorkspace {
            state,
            env,
            poked: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let answer = match req.path().as_str() {
            "/connect" => self.connect(&req).await,
            "/poke" => self.poke().await,
            "/members" => Ok(self.tell(&LiveMessage::Members)),
            "/workspace" => Ok(self.tell(&LiveMessage::Workspace)),
            "/close" => match req.json::<CloseRequest>().await {
                Ok(close) => Ok(self.close(&close)),
                Err(err) => Err(ApiError::internal("a close request", err)),
            },
            _ => Err(ApiError::not_found(&req)),
        };
        Ok(answer.unwrap_or_else(ApiError::into_response))
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        // Clients only ping, which the runtime answers without waking the object (this answers it
        // where the runtime could not be told to). Anything else is not the protocol: a client
        // that sends it is broken or hostile, and keeping it would let it wake the object at will.
        match message {
            WebSocketIncomingMessage::String(text) if text == PING => ws.send_with_str(PONG),
            _ => {
                let _ = ws.close(Some(CLOSE_POLICY), Some("only pings are expected"));
                Ok(())
            }
        }
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        // Complete the closing handshake; the socket may be gone already.
        let code = u16::try_from(code)
            .ok()
            .filter(|code| (1000..5000).contains(code) && !matches!(code, 1005 | 1006 | 1015))
            .unwrap_or(1000);
        let _ = ws.close(Some(code), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> worker::Result<()> {
        let _ = ws.close(Some(1011), Some("socket error"));
        Ok(())
    }
}

impl LiveWorkspace {
    /// Accepts a connection the worker checked, tagged with its member (and token), with who opened
    /// it attached.
    async fn connect(&self, req: &Request) -> Result<Response, ApiError> {
        let header = req.headers().get(SOCKET_HEADER)?.unwrap_or_default();
        let socket: Socket = serde_json::from_str(&header)
            .map_err(|err| ApiError::internal("the socket's caller", err))?;
        // Before the socket is accepted: a poke that finds the object empty must not report a count
        // this socket is part of.
        if socket.seq > self.seen().await {
            self.state.storage().put(SEEN, socket.seq).await?;
        }
        self.make_room_for(&socket.member_id);
        let pair = WebSocketPair::new()?;
        let tags = socket.tags();
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.state.accept_websocket_with_tags(&pair.server, &tags);
        pair.server.serialize_attachment(&socket)?;
        Ok(Response::from_websocket(pair.client)?)
    }

    /// Closes `member`'s oldest sockets until a new one keeps them within their cap.
    fn make_room_for(&self, member: &Uuid) {
        let mut sockets: Vec<(u64, WebSocket)> = self
            .state
            .get_websockets_with_tag(&member_tag(member))
            .into_iter()
            .map(|ws| {
                let opened_at = ws
                    .deserialize_attachment::<Socket>()
                    .ok()
                    .flatten()
                    .map_or(0, |socket| socket.opened_at);
                (opened_at, ws)
            })
            .collect();
        if sockets.len() < MAX_SOCKETS_PER_MEMBER {
            return;
        }
        sockets.sort_by_key(|(opened_at, _)| *opened_at);
        let excess = sockets.len() + 1 - MAX_SOCKETS_PER_MEMBER;
        for (_, ws) in sockets.into_iter().take(excess) {
            let _ = ws.close(
                Some(CLOSE_TOO_MANY),
                Some("too many open sockets: this was the oldest"),
            );
        }
    }

    /// Reads the workspace's newest entries and sends each socket its copy of the poke. Nobody
    /// connected: nothing is read. A socket whose session has expired, whose member is no longer
    /// in the workspace or whose token was revoked is closed instead.
    async fn poke(&self) -> Result<Response, ApiError> {
        let sockets = self.state.get_websockets();
        if sockets.is_empty() {
            return Ok(Response::from_json(&PokeAnswer {
                idle_seen: Some(self.seen().await),
                ..PokeAnswer::default()
            })?);
        }
        let workspace = self
            .state
            .id()
            .name()
            .and_then(|name| Uuid::parse_str(&name).ok())
            .ok_or_else(|| {
                ApiError::internal("a poke", "the object is not named by a workspace")
            })?;
        let db = self.env.d1(d1::BINDING)?;
        let d1::PokeReads {
            newest,
            horizon,
            members,
            tokens,
        } = d1::poke_reads(&db, &workspace).await?;
        let fanout = Fanout::from_newest(&newest, horizon)?
            .and_then(|fanout| fanout.since(self.poked.get()));
        let Some(fanout) = fanout else {
            // Nothing newer than the last poke (a late one, from an earlier push).
            return Ok(Response::from_json(&PokeAnswer::default())?);
        };
        self.poked
            .set(Some(self.poked.get().unwrap_or(0).max(fanout.cookie)));
        // No one's private entries: a socket whose member has some gets a copy of its own.
        let everyone = encode(&fanout, &Uuid::nil(), &Uuid::nil())?;
        let now = crate::auth::now();
        let mut poked = 0;
        // Fetched again: sockets may have come or gone while the log was read.
        for ws in self.state.get_websockets() {
            let Ok(Some(socket)) = ws.deserialize_attachment::<Socket>() else {
                continue;
            };
            if socket.expires_at.is_some_and(|expires| expires <= now) {
                let _ = ws.close(Some(CLOSE_SIGNED_OUT), Some("the session has expired"));
                continue;
            }
            if !members.contains(&socket.member_id.to_string()) {
                let _ = ws.close(Some(CLOSE_REMOVED), Some("removed from the workspace"));
                continue;
            }
            if let Some(token) = socket.token_id
                && !tokens.contains(&token.to_string())
            {
                let _ = ws.close(Some(CLOSE_SIGNED_OUT), Some("the API token was revoked"));
                continue;
            }
            if crate::faults::drop_socket() {
                let _ = ws.close(Some(CLOSE_RESTART), Some("a fault injected for the tests"));
                continue;
            }
            let sent = if fanout.needs_own_copy(&socket.client_id, &socket.member_id) {
                ws.send_with_str(encode(&fanout, &socket.client_id, &socket.member_id)?)
            } else {
                ws.send_with_str(&everyone)
            };
            if sent.is_ok() {
                poked += 1;
            }
        }
        Ok(Response::from_json(&PokeAnswer {
            sockets: poked,
            idle_seen: None,
            cookie: Some(fanout.cookie),
        })?)
    }

    /// The highest socket count this object has seen (0 before its first socket).
    async fn seen(&self) -> u64 {
        self.state
            .storage()
            .get::<u64>(SEEN)
            .await
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    /// Tells every socket that the members or the workspace's settings changed. The message names
    /// nothing: each tracker reads them through a route, which checks who asks.
    fn tell(&self, message: &LiveMessage) -> Response {
        let message = serde_json::to_string(message).unwrap_or_default();
        let sockets = self.state.get_websockets();
        let told = sockets
            .iter()
            .filter(|ws| ws.send_with_str(&message).is_ok())
            .count();
        Response::from_json(&serde_json::json!({"told": told}))
            .unwrap_or_else(|err| ApiError::internal("a members answer", err).into_response())
    }

    /// Closes every socket tagged `close.tag`.
    fn close(&self, close: &CloseRequest) -> Response {
        let sockets = self.state.get_websockets_with_tag(&close.tag);
        for ws in &sockets {
            let _ = ws.close(Some(close.code), Some(close.reason.as_str()));
        }
        Response::from_json(&serde_json::json!({"closed": sockets.len()}))
            .unwrap_or_else(|err| ApiError::internal("a close answer", err).into_response())
    }
}

fn encode(fanout: &Fanout, client_id: &Uuid, member_id: &Uuid) -> Result<String, ApiError> {
    serde_json::to_string(&LiveMessage::Poke(fanout.poke_to(client_id, member_id)))
        .map_err(|err| ApiError::internal("encoding a poke", err))
}
