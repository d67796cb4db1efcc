//! The sync loop. One task owns the replica and handles events in order: messages from the UI, a
//! ticker, pokes from other tabs, and the answers of the requests it started. Pushes go out as soon as
//! there is something to push; a pull follows each push, runs every few seconds, and right away when
//! another tab pushed or the server has more. Failures back off.

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use shared::protocol::{PullResponse, PushResponse};
use shared::replica::{IssueFilter, PushOutcome, Replica, Storage, SyncFailure, Ticket};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, DedicatedWorkerGlobalScope, MessageEvent};

use super::{now, post, slot, transport};
use crate::messages::{FromEngine, StorageKind, SyncStatus, ToEngine, View};

const PULL_EVERY_MS: u64 = 3_000;
const TICK_MS: u32 = 250;
/// Other tabs of this browser hear here that something was pushed, and pull at once.
const CHANNEL: &str = "tracker-sync";

pub(super) enum Event {
    Ui(ToEngine),
    Tick,
    /// Another tab pushed.
    Poke,
    Pushed(Ticket, Result<PushResponse, SyncFailure>),
    Pulled(Ticket, Result<PullResponse, SyncFailure>),
}

struct Engine {
    replica: Replica,
    events: UnboundedSender<Event>,
    channel: Option<BroadcastChannel>,
    subscription: Option<(IssueFilter, usize)>,
    online: bool,
    pushing: bool,
    pulling: bool,
    next_push_at: u64,
    next_pull_at: u64,
    /// A pull was asked for while one was in flight: run another when it ends.
    pull_again: bool,
    status: Option<SyncStatus>,
}

pub(super) type Events = UnboundedSender<Event>;

pub async fn run(events: Events, mut incoming: UnboundedReceiver<Event>) {
    let Some((replica, storage)) = open().await else {
        return;
    };
    let storage_slot = storage.clone();
    post(&FromEngine::Ready {
        client_id: replica.client_id(),
        storage,
    });
    let mut engine = Engine {
        replica,
        channel: listen_to_tabs(events.clone()),
        events: events.clone(),
        subscription: None,
        online: true,
        pushing: false,
        pulling: false,
        next_push_at: 0,
        next_pull_at: 0,
        pull_again: false,
        status: None,
    };
    wasm_bindgen_futures::spawn_local(tick(events));
    let own_slot = match storage_slot {
        StorageKind::Device { slot } => Some(slot),
        StorageKind::Memory { .. } => None,
    };
    wasm_bindgen_futures::spawn_local(super::recover::run(own_slot));
    engine.sync();
    while let Some(event) = incoming.next().await {
        engine.handle(event);
    }
}

/// Opens the replica in this tab's slot, or in memory when the device's storage fails.
async fn open() -> Option<(Replica, StorageKind)> {
    let (storage, kind) = slot::storage().await;
    match Replica::open(&storage) {
        Ok(replica) => Some((replica, kind)),
        Err(err) => {
            let reason = format!("the database on this device could not open ({err})");
            match Replica::open(&Storage::Memory) {
                Ok(replica) => Some((replica, StorageKind::Memory { reason })),
                Err(err) => {
                    post(&FromEngine::Failed {
                        message: format!("{reason}; nor in memory ({err})"),
                    });
                    None
                }
            }
        }
    }
}

impl Engine {
    fn handle(&mut self, event: Event) {
        match event {
            Event::Ui(ToEngine::Subscribe { filter, limit }) => {
                self.subscription = Some((filter, limit));
                self.send_view();
            }
            Event::Ui(ToEngine::Mutate { mutation }) => {
                match self.replica.mutate_typed(&mutation, now()) {
                    Ok(_) => {
                        self.send_view();
                        self.next_push_at = self.next_push_at.min(now());
                    }
                    Err(err) => post(&FromEngine::Refused {
                        message: err.to_string(),
                    }),
                }
            }
            Event::Ui(ToEngine::SyncNow) => {
                self.next_push_at = 0;
                self.request_pull();
            }
            Event::Poke => self.request_pull(),
            Event::Tick => {}
            Event::Pushed(ticket, result) => self.pushed(ticket, result),
            Event::Pulled(ticket, result) => self.pulled(ticket, result),
        }
        self.sync();
        self.send_status();
    }

    fn pushed(&mut self, ticket: Ticket, result: Result<PushResponse, SyncFailure>) {
        self.pushing = false;
        let outcome = match result {
            Ok(response) => Ok(self.replica.push_succeeded(ticket, &response)),
            Err(failure) => {
                self.online = !failure.is_network();
                self.replica.push_failed(ticket, &failure)
            }
        };
        match outcome {
            Ok(PushOutcome::Processed { .. }) => {
                self.online = true;
                self.request_pull();
                if let Some(channel) = &self.channel {
                    let _ = channel.post_message(&"pushed".into());
                }
            }
            Ok(PushOutcome::Rebootstrapped) => self.request_pull(),
            Ok(PushOutcome::Failed) => {
                self.next_push_at = now() + delay(&self.replica.push_backoff);
            }
            Ok(PushOutcome::Stale) => {}
            Err(err) => log("push", &err.to_string()),
        }
    }

    fn pulled(&mut self, ticket: Ticket, result: Result<PullResponse, SyncFailure>) {
        self.pulling = false;
        let outcome = match result {
            Ok(response) => {
                self.online = true;
                self.replica.pull_succeeded(ticket, &response)
            }
            Err(failure) => {
                self.online = !failure.is_network();
                self.replica.pull_failed(ticket, &failure)
            }
        };
        match outcome {
            Ok(outcome) => {
                if !outcome.changed.is_empty() {
                    self.send_view();
                }
                if !outcome.rejected.is_empty() {
                    post(&FromEngine::Rejected {
                        mutations: outcome.rejected,
                    });
                }
                let failed = self.replica.pull_backoff.failures() > 0;
                self.next_pull_at = if failed {
                    now() + delay(&self.replica.pull_backoff)
                } else if outcome.has_more || self.pull_again {
                    0
                } else {
                    now() + PULL_EVERY_MS
                };
            }
            Err(err) => {
                log("pull", &err.to_string());
                self.next_pull_at = now() + delay(&self.replica.pull_backoff);
            }
        }
        self.pull_again = false;
    }

    fn request_pull(&mut self) {
        if self.pulling {
            self.pull_again = true;
        } else {
            self.next_pull_at = 0;
        }
    }

    /// Starts the push and the pull that are due.
    fn sync(&mut self) {
        let now = now();
        if !self.pushing && now >= self.next_push_at {
            match self.replica.next_push() {
                Ok(Some((ticket, request))) => {
                    self.pushing = true;
                    let events = self.events.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = transport::push(request).await;
                        let _ = events.unbounded_send(Event::Pushed(ticket, result));
                    });
                }
                Ok(None) => {}
                Err(err) => log("next push", &err.to_string()),
            }
        }
        if !self.pulling
            && now >= self.next_pull_at
            && let Some((ticket, request)) = self.replica.next_pull()
        {
            self.pulling = true;
            let events = self.events.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = transport::pull(request).await;
                let _ = events.unbounded_send(Event::Pulled(ticket, result));
            });
        }
    }

    fn send_view(&self) {
        let Some((filter, limit)) = &self.subscription else {
            return;
        };
        let view =
            self.replica
                .issues_limited(filter, *limit as u64)
                .and_then(|(issues, matching)| {
                    Ok(View {
                        issues,
                        matching,
                        counts: self.replica.status_counts()?,
                    })
                });
        match view {
            Ok(view) => post(&FromEngine::View(view)),
            Err(err) => log("reading the issues", &err.to_string()),
        }
    }

    fn send_status(&mut self) {
        let status = SyncStatus {
            online: self.online,
            syncing: self.pushing || self.pulling,
            pending: self.replica.pending_count().unwrap_or(0),
        };
        if self.status != Some(status) {
            self.status = Some(status);
            post(&FromEngine::Sync(status));
        }
    }
}

/// The backoff's delay with random jitter, in milliseconds.
fn delay(backoff: &shared::replica::Backoff) -> u64 {
    backoff.delay(js_sys::Math::random()).as_millis() as u64
}

fn log(what: &str, message: &str) {
    web_sys::console::warn_1(&format!("tracker engine: {what}: {message}").into());
}

pub(super) fn listen_to_ui(events: Events) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        match serde_json::from_str::<ToEngine>(&text) {
            Ok(message) => {
                let _ = events.unbounded_send(Event::Ui(message));
            }
            Err(err) => log("a message from the UI", &format!("{err}: {text}")),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

fn listen_to_tabs(events: UnboundedSender<Event>) -> Option<BroadcastChannel> {
    let channel = BroadcastChannel::new(CHANNEL).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
        let _ = events.unbounded_send(Event::Poke);
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    Some(channel)
}

async fn tick(events: UnboundedSender<Event>) {
    loop {
        gloo_timers::future::TimeoutFuture::new(TICK_MS).await;
        if events.unbounded_send(Event::Tick).is_err() {
            return;
        }
    }
}
