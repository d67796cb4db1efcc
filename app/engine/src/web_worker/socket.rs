//! The live channel's socket (`shared::live`): one per tab, to the workspace's object, opened with
//! the session cookie like every request of this origin.
//!
//! One per tab rather than one per browser with a leader tab: each tab already has its own replica
//! and client id (its own storage slot), and a poke carries each socket's own entries marked, so a
//! tab's socket tells its replica exactly what it needs; a leader would have to relay pokes to the
//! other tabs and hand over when it closes, for a saving of a few idle sockets, which cost nothing
//! while the object hibernates.
//!
//! While open, a ping goes out every [`HEARTBEAT_MS`]; no pong within [`PONG_WITHIN_MS`] means the
//! socket is dead, and it is closed. Closed, it opens again after a jittered backoff (0.5 s doubling
//! to 30 s), at once when the network comes back, and not while the server refuses this member
//! (the replica's pulls find out when it lets them in again).

use shared::live::{CLOSE_REMOVED, CLOSE_SIGNED_OUT, HEARTBEAT_MS, PING, PONG, PONG_WITHIN_MS};
use shared::replica::Backoff;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event as DomEvent, MessageEvent, WebSocket, WorkerGlobalScope};

use super::engine::{Event, Events};
use super::log;
use crate::messages::Channel;

/// What a socket said, tagged with the connection it came from.
pub(super) enum SocketEvent {
    Opened,
    Message(String),
    Closed { code: u16, reason: String },
}

/// What the engine should do about something the socket said.
pub(super) enum Heard {
    /// The channel opened: live from now on.
    Opened,
    /// A message from the server (a poke).
    Message(String),
    /// The channel closed: poll until it opens again. `refused` when the server closed it because
    /// this member may no longer listen (removed, or signed out).
    Closed {
        code: u16,
        reason: String,
        refused: bool,
    },
    Nothing,
}

struct Connection {
    number: u64,
    ws: WebSocket,
    client_id: Uuid,
    open: bool,
    /// When the last ping went out, and whether its pong is still awaited.
    pinged_at: u64,
    awaiting_pong: bool,
    /// The handlers live as long as the socket.
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 3],
}

pub(super) struct Live {
    workspace: Uuid,
    events: Events,
    connection: Option<Connection>,
    connections: u64,
    backoff: Backoff,
    retry_at: u64,
    /// The browser says it has a network.
    network: bool,
}

impl Live {
    pub fn new(workspace: Uuid, events: Events) -> Live {
        Live {
            workspace,
            events,
            connection: None,
            connections: 0,
            backoff: Backoff::default(),
            retry_at: 0,
            network: true,
        }
    }

    pub fn channel(&self) -> Channel {
        match &self.connection {
            Some(connection) if connection.open => Channel::Live,
            _ => Channel::Connecting,
        }
    }

    /// Keeps the socket as it should be at `now`: opened when due (not while `denied`), reopened for
    /// a new client id, pinged, and closed when its pong is late. `Closed` when it just dropped.
    pub fn tend(&mut self, now: u64, client_id: Uuid, denied: bool, jitter: f64) -> Heard {
        if let Some(connection) = &mut self.connection {
            if connection.client_id != client_id {
                // The replica started over under a new client id: its pokes must mark its entries.
                return self.drop_connection(4000, "the client id changed".into(), false, now, 0.0);
            }
            if !connection.open && now >= connection.pinged_at + PONG_WITHIN_MS {
                // The handshake hangs: give up on this one and try again.
                return self.drop_connection(4000, "no handshake".into(), false, now, jitter);
            }
            if connection.open {
                if connection.awaiting_pong && now >= connection.pinged_at + PONG_WITHIN_MS {
                    return self.drop_connection(4000, "no pong".into(), false, now, jitter);
                }
                if now >= connection.pinged_at + HEARTBEAT_MS {
                    let _ = connection.ws.send_with_str(PING);
                    connection.pinged_at = now;
                    connection.awaiting_pong = true;
                }
            }
            return Heard::Nothing;
        }
        if self.network && !denied && now >= self.retry_at && browser_online() {
            self.open(client_id, now);
        }
        Heard::Nothing
    }

    /// The page came back: if closed, try at once.
    pub fn retry_now(&mut self) {
        self.retry_at = 0;
    }

    /// The browser lost its network, or found it again. Lost: the socket is closed now rather than
    /// when its heartbeat goes unanswered, and not tried until the network is back; back: tried
    /// at once.
    pub fn set_network(&mut self, network: bool, now: u64, jitter: f64) -> Heard {
        self.network = network;
        if network {
            self.backoff.succeeded();
            self.retry_at = 0;
            Heard::Nothing
        } else {
            self.drop_connection(1001, "the browser went offline".into(), false, now, jitter)
        }
    }

    /// Takes what connection `number` said.
    pub fn take(&mut self, number: u64, event: SocketEvent, now: u64, jitter: f64) -> Heard {
        let Some(connection) = self.connection.as_mut().filter(|c| c.number == number) else {
            // An old socket's last words.
            return Heard::Nothing;
        };
        match event {
            SocketEvent::Opened => {
                connection.open = true;
                // Ping at the next tick: the pong proves the whole path, and resets the backoff.
                connection.pinged_at = now.saturating_sub(HEARTBEAT_MS);
                Heard::Opened
            }
            SocketEvent::Message(text) => {
                connection.awaiting_pong = false;
                // The server end answers: a socket that opens and drops at once keeps backing off.
                self.backoff.succeeded();
                if text == PONG {
                    Heard::Nothing
                } else {
                    Heard::Message(text)
                }
            }
            SocketEvent::Closed { code, reason } => {
                let refused = matches!(code, CLOSE_REMOVED | CLOSE_SIGNED_OUT);
                self.drop_connection(code, reason, refused, now, jitter)
            }
        }
    }

    fn drop_connection(
        &mut self,
        code: u16,
        reason: String,
        refused: bool,
        now: u64,
        jitter: f64,
    ) -> Heard {
        let Some(connection) = self.connection.take() else {
            return Heard::Nothing;
        };
        let was_open = connection.open;
        connection.ws.set_onopen(None);
        connection.ws.set_onmessage(None);
        connection.ws.set_onclose(None);
        let _ = connection.ws.close_with_code_and_reason(1000, "closing");
        self.backoff.failed();
        self.retry_at = now + self.backoff.delay(jitter).as_millis() as u64;
        if was_open || refused {
            Heard::Closed {
                code,
                reason,
                refused,
            }
        } else {
            // It never opened: still connecting, as far as anyone can tell.
            Heard::Nothing
        }
    }

    fn open(&mut self, client_id: Uuid, now: u64) {
        // (The page's word on the network comes with its first messages; the worker's own
        // `navigator.onLine` is there from the start.)
        let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
        let origin = scope.location().origin();
        let url = format!(
            "{}/api/workspaces/{}/live?clientId={client_id}",
            origin.replacen("http", "ws", 1),
            self.workspace
        );
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(err) => {
                log("the live channel", &format!("{err:?}"));
                self.backoff.failed();
                self.retry_at = now + self.backoff.delay(0.5).as_millis() as u64;
                return;
            }
        };
        self.connections += 1;
        let number = self.connections;
        let send = move |events: &Events, event: SocketEvent| {
            let _ = events.unbounded_send(Event::Socket(number, event));
        };
        let events = self.events.clone();
        let on_open = Closure::<dyn FnMut(DomEvent)>::new(move |_: DomEvent| {
            send(&events, SocketEvent::Opened);
        });
        let events = self.events.clone();
        let on_message = Closure::<dyn FnMut(DomEvent)>::new(move |event: DomEvent| {
            if let Some(text) = event
                .dyn_ref::<MessageEvent>()
                .and_then(|message| message.data().as_string())
            {
                send(&events, SocketEvent::Message(text));
            }
        });
        let events = self.events.clone();
        let on_close = Closure::<dyn FnMut(DomEvent)>::new(move |event: DomEvent| {
            let (code, reason) = event
                .dyn_ref::<CloseEvent>()
                .map_or((1006, String::new()), |close| {
                    (close.code(), close.reason())
                });
            send(&events, SocketEvent::Closed { code, reason });
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.connection = Some(Connection {
            number,
            ws,
            client_id,
            open: false,
            pinged_at: now,
            awaiting_pong: false,
            _handlers: [on_open, on_message, on_close],
        });
    }
}

/// The worker's own `navigator.onLine`.
fn browser_online() -> bool {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    scope.navigator().on_line()
}
