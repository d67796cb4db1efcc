//! The engine's event loop. One task owns the replica and handles events in order: messages from the
//! UI, a ticker, pokes from other tabs, and the answers of the requests it started. When to push and
//! pull is the replica's own sync loop (`shared::replica`'s `due` and `take`); this file does the IO.

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use shared::Actor;
use shared::replica::{Answer, IssueFilter, Replica, Storage};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, DedicatedWorkerGlobalScope, MessageEvent};

use super::{jitter, log, now, post, slot, transport};
use crate::messages::{FromEngine, StorageKind, SyncStatus, ToEngine, View};

const TICK_MS: u32 = 250;

pub(super) enum Event {
    Ui(ToEngine),
    Tick,
    /// Another tab pushed.
    Poke,
    Answered(Answer),
}

struct Engine {
    replica: Replica,
    workspace: Uuid,
    events: UnboundedSender<Event>,
    channel: Option<BroadcastChannel>,
    subscription: Option<(IssueFilter, usize)>,
    status: Option<SyncStatus>,
}

pub(super) type Events = UnboundedSender<Event>;

pub async fn run(events: Events, mut incoming: UnboundedReceiver<Event>) {
    // Nothing opens before the UI says whose replica of which workspace; what comes first waits.
    let mut early = Vec::new();
    let (actor, legacy) = loop {
        match incoming.next().await {
            Some(Event::Ui(ToEngine::Open { actor, legacy })) => break (actor, legacy),
            Some(event) => early.push(event),
            None => return,
        }
    };
    let family = slot::Family::of(actor.workspace_id, legacy);
    let Some((replica, storage)) = open(&family, actor).await else {
        return;
    };
    let own_slot = match &storage {
        StorageKind::Device { slot } => Some(*slot),
        StorageKind::Memory { .. } => None,
    };
    post(&FromEngine::Ready {
        client_id: replica.client_id(),
        storage,
    });
    let mut engine = Engine {
        replica,
        workspace: actor.workspace_id,
        channel: listen_to_tabs(actor.workspace_id, events.clone()),
        events: events.clone(),
        subscription: None,
        status: None,
    };
    wasm_bindgen_futures::spawn_local(tick(events));
    wasm_bindgen_futures::spawn_local(super::recover::run(family, actor, own_slot));
    engine.start_due();
    for event in early {
        engine.handle(event);
    }
    while let Some(event) = incoming.next().await {
        engine.handle(event);
    }
}

/// Opens `actor`'s replica in one of `family`'s slots, or in memory when the device's storage fails.
async fn open(family: &slot::Family, actor: Actor) -> Option<(Replica, StorageKind)> {
    let (storage, kind) = slot::storage(family).await;
    match Replica::open(&storage, actor) {
        Ok(replica) => Some((replica, kind)),
        Err(err) => {
            let reason = format!("the database on this device could not open ({err})");
            match Replica::open(&Storage::Memory, actor) {
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
            Event::Ui(ToEngine::Open { .. }) => {
                log("a message from the UI", "the replica is open already");
            }
            Event::Ui(ToEngine::Subscribe { filter, limit }) => {
                self.subscription = Some((filter, limit));
                self.send_view();
            }
            Event::Ui(ToEngine::Mutate { mutation }) => {
                match self.replica.mutate_typed(&mutation, now()) {
                    Ok(_) => {
                        post(&FromEngine::Applied);
                        self.send_view();
                        self.replica.push_soon();
                    }
                    Err(err) => post(&FromEngine::Refused {
                        message: err.to_string(),
                    }),
                }
            }
            Event::Ui(ToEngine::Hidden { hidden }) => self.replica.set_hidden(hidden),
            Event::Ui(ToEngine::SyncNow) => {
                self.replica.push_soon();
                self.replica.pull_soon();
            }
            Event::Poke => self.replica.pull_soon(),
            Event::Tick => {}
            Event::Answered(answer) => self.take(answer),
        }
        self.start_due();
        self.send_status();
    }

    fn take(&mut self, answer: Answer) {
        match self.replica.take(answer, now(), jitter()) {
            Ok(synced) => {
                if synced.changed {
                    self.send_view();
                }
                if !synced.rejected.is_empty() {
                    post(&FromEngine::Rejected {
                        mutations: synced.rejected,
                    });
                }
                if synced.pushed
                    && let Some(channel) = &self.channel
                {
                    let _ = channel.post_message(&"pushed".into());
                }
            }
            Err(err) => log("sync", &err.to_string()),
        }
    }

    /// Sends the requests that are due; their answers come back as events.
    fn start_due(&mut self) {
        match self.replica.due(now()) {
            Ok(requests) => {
                for request in requests {
                    let events = self.events.clone();
                    let workspace = self.workspace;
                    wasm_bindgen_futures::spawn_local(async move {
                        let answer = transport::send(workspace, request).await;
                        let _ = events.unbounded_send(Event::Answered(answer));
                    });
                }
            }
            Err(err) => log("next request", &err.to_string()),
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
            online: self.replica.online(),
            syncing: self.replica.syncing(),
            pending: self.replica.pending_count().unwrap_or(0),
            denied: self.replica.denied().cloned(),
            held_back: self.replica.held_back().cloned(),
        };
        if self.status.as_ref() != Some(&status) {
            post(&FromEngine::Sync(status.clone()));
            self.status = Some(status);
        }
    }
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

/// Other tabs of this browser in the same workspace hear here that something was pushed, and pull
/// at once.
fn listen_to_tabs(workspace: Uuid, events: UnboundedSender<Event>) -> Option<BroadcastChannel> {
    let channel = BroadcastChannel::new(&format!("tracker-sync-{workspace}")).ok()?;
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
