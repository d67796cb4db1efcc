//! The engine's event loop. One task owns the replica and handles events in order: messages from the
//! UI, a ticker, the live channel's socket, nudges from other tabs, and the answers of the requests it
//! started. When to push and pull is the replica's own sync loop (`shared::replica`'s `due`, `take`
//! and `take_poke`); this file does the IO, and keeps the journal the sync inspector shows.

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use shared::Actor;
use shared::api::SessionInfo;
use shared::live::LiveMessage;
use shared::replica::{
    Answer, IssueFilter, ListCursor, PokeOutcome, Replica, Storage, WindowRequest,
};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, DedicatedWorkerGlobalScope, MessageEvent};

use super::journal::{Journal, plural};
use super::socket::{Heard, Live, SocketEvent};
use super::transport::Traffic;
use super::{clock_ms, jitter, log, now, post, slot, transport};
use crate::messages::{
    Channel, FromEngine, INSPECTED_PENDING, Inspection, OpenIssue, StorageKind, SyncEventKind,
    SyncStatus, ToEngine, View,
};

const TICK_MS: u32 = 250;

pub(super) enum Event {
    Ui(ToEngine),
    Tick,
    /// Another tab of this browser pushed.
    OtherTabPushed,
    /// The live channel's socket number `.0` said something.
    Socket(u64, SocketEvent),
    Answered(Answer, Traffic),
}

struct Engine {
    replica: Replica,
    /// The replica is the legacy workspace's (see [`ToEngine::Open`]).
    legacy: bool,
    workspace: Uuid,
    storage: StorageKind,
    events: UnboundedSender<Event>,
    channel: Option<BroadcastChannel>,
    live: Live,
    journal: Journal,
    /// The page is going away: start nothing more.
    leaving: bool,
    subscription: Option<Subscription>,
    /// Where the list's last window was, to step from.
    list: ListCursor,
    /// A view was sent (the first one is marked, for the first render's breakdown).
    viewed: bool,
    /// The member's inbox as last read from the replica (`None`: read it at the next view).
    inbox: Option<Vec<shared::inbox::InboxItem>>,
    status: Option<SyncStatus>,
}

pub(super) type Events = UnboundedSender<Event>;

/// What the UI last asked to be shown.
struct Subscription {
    filter: IssueFilter,
    window: WindowRequest,
    open: Option<Uuid>,
    open_number: Option<u64>,
    trash: bool,
    inbox: bool,
    seq: u64,
}

pub async fn run(events: Events, mut incoming: UnboundedReceiver<Event>) {
    // Nothing opens before the page says whose replica of which workspace (the session it remembers
    // says so first, the UI's `Open` later); what comes first waits.
    let mut early = Vec::new();
    let (actor, legacy) = loop {
        match incoming.next().await {
            Some(Event::Ui(ToEngine::Open { actor, legacy })) => break (actor, legacy),
            Some(Event::Ui(ToEngine::Remembered { workspace, session })) => {
                let remembered = serde_json::from_str::<SessionInfo>(&session).ok();
                if let Some(found) = remembered.and_then(|info| info.replica_of(workspace)) {
                    break found;
                }
            }
            Some(event) => early.push(event),
            None => return,
        }
    };
    super::mark("open-asked");
    let family = slot::Family::of(actor.workspace_id, legacy);
    let Some((replica, storage)) = open(&family, actor).await else {
        return;
    };
    super::mark("replica-open");
    let own_slot = match &storage {
        StorageKind::Device { slot } => Some(*slot),
        StorageKind::Memory { .. } => None,
    };
    post(&FromEngine::Ready {
        client_id: replica.client_id(),
        storage: storage.clone(),
    });
    let mut engine = Engine {
        replica,
        legacy,
        workspace: actor.workspace_id,
        storage,
        channel: listen_to_tabs(actor.workspace_id, events.clone()),
        live: Live::new(actor.workspace_id, events.clone()),
        journal: Journal::default(),
        leaving: false,
        events: events.clone(),
        subscription: None,
        list: ListCursor::default(),
        viewed: false,
        inbox: None,
        status: None,
    };
    wasm_bindgen_futures::spawn_local(tick(events));
    wasm_bindgen_futures::spawn_local(super::recover::run(family, actor, own_slot));
    // What the page said meanwhile first (the first window, most likely), then the first requests.
    for event in early {
        engine.handle(event);
    }
    engine.start_due();
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
            Event::Ui(ToEngine::Open { actor, legacy }) => {
                if (actor, legacy) != (self.replica.actor(), self.legacy) {
                    // Another member signed in on this browser between the page's first script
                    // and the UI reading who is signed in: this replica is the other one's.
                    post(&FromEngine::Failed {
                        message: "this page opened as the member signed in before; reload it"
                            .into(),
                    });
                    // Nothing more as the other member: no sync, and the slot is let go.
                    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
                    scope.close();
                }
                // Nothing changed: the first window, asked for next, goes out sooner.
                return;
            }
            // Open already.
            Event::Ui(ToEngine::Remembered { .. }) => {}
            Event::Ui(ToEngine::Subscribe {
                filter,
                window,
                issue,
                issue_number,
                trash,
                inbox,
                seq,
            }) => {
                if !self.viewed {
                    super::mark("first-subscribe");
                }
                self.subscription = Some(Subscription {
                    filter,
                    window,
                    open: issue,
                    open_number: issue_number,
                    trash,
                    inbox,
                    seq,
                });
                self.send_view(false);
            }
            Event::Ui(ToEngine::Role { role }) => {
                if let Err(err) = self.replica.set_role(role) {
                    log("recording the member's role", &err.to_string());
                }
            }
            Event::Ui(ToEngine::Mutate { mutation }) => self.mutate(&[mutation]),
            Event::Ui(ToEngine::MutateAll { mutations }) => self.mutate(&mutations),
            Event::Ui(ToEngine::Find { text, seq }) => self.find(text, seq),
            Event::Ui(ToEngine::Hidden { hidden }) => self.replica.set_hidden(hidden),
            Event::Ui(ToEngine::SyncNow) => {
                self.replica.push_soon();
                self.replica.pull_soon();
                self.live.retry_now();
            }
            Event::Ui(ToEngine::Network { online }) => {
                let heard = self.live.set_network(online, now(), jitter());
                self.heard(heard);
                if online {
                    self.replica.push_soon();
                    self.replica.pull_soon();
                }
            }
            Event::Ui(ToEngine::Inspect) => self.send_inspection(),
            Event::Ui(ToEngine::Export {
                format,
                workspace,
                members,
            }) => post(&super::export::export(
                &self.replica,
                format,
                workspace,
                members,
                now(),
            )),
            Event::Ui(ToEngine::Leaving { leaving }) => self.leaving = leaving,
            // The live channel brings that tab's push here too, as a poke.
            Event::OtherTabPushed if self.live.channel() == Channel::Live => {}
            Event::OtherTabPushed => self.replica.pull_soon(),
            Event::Socket(number, event) => {
                let heard = self.live.take(number, event, now(), jitter());
                self.heard(heard);
            }
            Event::Tick if self.leaving => {}
            Event::Tick => {
                let denied = self.replica.denied().is_some();
                let heard = self
                    .live
                    .tend(now(), self.replica.client_id(), denied, jitter());
                self.heard(heard);
            }
            Event::Answered(answer, traffic) => self.take(answer, &traffic),
        }
        self.start_due();
        self.send_status();
    }

    /// Applies local changes, each answered `Applied` or `Refused`; the view goes out once, and
    /// the push after all of them.
    fn mutate(&mut self, mutations: &[shared::Mutation]) {
        let mut applied = false;
        for mutation in mutations {
            match self.replica.mutate_typed(mutation, now()) {
                Ok(_) => {
                    post(&FromEngine::Applied);
                    applied = true;
                }
                Err(err) => post(&FromEngine::Refused {
                    message: err.to_string(),
                }),
            }
        }
        if applied {
            self.send_view(true);
            self.replica.push_change();
        }
    }

    /// The command palette's search: its own cursor, so the list's window is left as it is.
    fn find(&mut self, text: String, seq: u64) {
        let filter = IssueFilter {
            search: Some(text),
            ..IssueFilter::default()
        };
        let request = WindowRequest {
            start: 0,
            len: crate::messages::FIND_LIMIT,
            around: None,
            seen: None,
        };
        match self
            .replica
            .window(&mut ListCursor::default(), &filter, request, false)
        {
            Ok(window) => post(&FromEngine::Found {
                seq,
                issues: window.issues,
            }),
            Err(err) => log("finding issues", &err.to_string()),
        }
    }

    /// What the live channel said.
    fn heard(&mut self, heard: Heard) {
        match heard {
            Heard::Opened => {
                self.journal
                    .note(SyncEventKind::Socket, "live: opened".into(), None, None);
                self.replica.set_live(true);
                // Whoever joined or left while no socket was open was told to no one here.
                post(&FromEngine::MembersChanged);
            }
            Heard::Closed {
                code,
                reason,
                refused,
            } => {
                let why = if reason.is_empty() {
                    format!("code {code}")
                } else {
                    format!("code {code}, {reason}")
                };
                self.journal.note(
                    SyncEventKind::Socket,
                    format!("live: closed ({why}); polling until it opens again"),
                    None,
                    None,
                );
                self.replica.set_live(false);
                if refused {
                    // Removed or signed out: the pull that follows finds out which, and says so.
                    self.replica.pull_soon();
                }
            }
            Heard::Message(text) => self.poked(&text),
            Heard::Nothing => {}
        }
    }

    fn poked(&mut self, text: &str) {
        let started = clock_ms();
        let poke = match serde_json::from_str::<LiveMessage>(text) {
            Ok(LiveMessage::Poke(poke)) => poke,
            Ok(LiveMessage::Workspace) => {
                post(&FromEngine::WorkspaceChanged);
                self.journal.note(
                    SyncEventKind::Poke,
                    "the workspace's settings changed: the page reads them again".to_owned(),
                    None,
                    None,
                );
                return;
            }
            Ok(LiveMessage::Members) => {
                post(&FromEngine::MembersChanged);
                self.journal.note(
                    SyncEventKind::Poke,
                    "the members changed: the page reads their names again".to_owned(),
                    None,
                    None,
                );
                return;
            }
            Err(err) => {
                log("a live message", &format!("{err}: {text}"));
                return;
            }
        };
        let outcome = self.replica.take_poke(&poke);
        let summary = match &outcome {
            Ok(PokeOutcome::Applied { entries }) => {
                self.send_view(true);
                format!(
                    "{} applied without a pull, up to cookie {}",
                    plural(*entries, "entry"),
                    poke.cookie
                )
            }
            Ok(PokeOutcome::Pull) => format!("cookie {}: pulling", poke.cookie),
            Ok(PokeOutcome::Ignored) => format!("cookie {}: up to date already", poke.cookie),
            Err(err) => format!("cookie {}: not applied ({err}); pulling", poke.cookie),
        };
        let traffic = Traffic {
            received_bytes: text.len() as u64,
            ..Traffic::default()
        };
        self.journal.note(
            SyncEventKind::Poke,
            summary,
            Some(&traffic),
            Some(clock_ms() - started),
        );
    }

    fn take(&mut self, answer: Answer, traffic: &Traffic) {
        self.journal.answered(&answer, traffic);
        let started = clock_ms();
        match self.replica.take(answer, now(), jitter()) {
            Ok(synced) => {
                if synced.changed {
                    self.journal.note(
                        SyncEventKind::Rebase,
                        "optimistic rebased on the new base".into(),
                        None,
                        Some(clock_ms() - started),
                    );
                    self.send_view(true);
                }
                for rejected in &synced.rejected {
                    self.journal.note(
                        SyncEventKind::Rejection,
                        format!(
                            "mutation {} rejected: {:?}: {}",
                            rejected.id, rejected.error, rejected.message
                        ),
                        None,
                        None,
                    );
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

    /// Sends the requests that are due; their answers come back as events. Not while the page is
    /// being left: what is due goes out from the next page (or the tab that takes this storage).
    fn start_due(&mut self) {
        if self.leaving {
            return;
        }
        match self.replica.due(now()) {
            Ok(requests) => {
                for request in requests {
                    let events = self.events.clone();
                    let workspace = self.workspace;
                    wasm_bindgen_futures::spawn_local(async move {
                        let (answer, traffic) = transport::send(workspace, request).await;
                        let _ = events.unbounded_send(Event::Answered(answer, traffic));
                    });
                }
            }
            Err(err) => log("next request", &err.to_string()),
        }
    }

    /// Sends the subscribed window; `changed`: because the data changed (the window keeps its first
    /// row on the screen), not because the UI asked for it.
    fn send_view(&mut self, changed: bool) {
        let Some(subscription) = &self.subscription else {
            return;
        };
        let replica = &self.replica;
        let view = replica
            .window(
                &mut self.list,
                &subscription.filter,
                subscription.window,
                changed,
            )
            .and_then(|window| {
                let open = match (subscription.open, subscription.open_number) {
                    (Some(id), _) => replica.issue(id)?,
                    (None, Some(number)) => replica.issue_numbered(number)?,
                    (None, None) => None,
                };
                let trash = if subscription.trash {
                    let since = now().saturating_sub(shared::compaction::TRASH_RETENTION_MS);
                    Some(replica.trash(since, crate::messages::TRASH_LIMIT)?)
                } else {
                    None
                };
                // The inbox is read again only when the data changed (or never was).
                if changed || self.inbox.is_none() {
                    self.inbox = Some(replica.inbox()?);
                }
                let items = self.inbox.clone().unwrap_or_default();
                let unread = items.iter().filter(|item| item.unread).count() as u64;
                let inbox = subscription.inbox.then(|| items.clone());
                let mut ids: Vec<Uuid> = window.issues.iter().map(|issue| issue.id).collect();
                ids.extend(open.as_ref().map(|issue| issue.id));
                Ok(View {
                    seq: subscription.seq,
                    issue_labels: replica.issue_labels(&ids)?,
                    labels: replica.labels()?,
                    open: match open {
                        Some(issue) => {
                            let comments = replica.comments(issue.id)?;
                            let texts = std::iter::once(issue.description.as_str())
                                .chain(comments.iter().map(|c| c.body.as_str()));
                            Some(OpenIssue {
                                references: replica.referenced(texts)?,
                                reactions: replica.reactions(issue.id)?,
                                watching: replica.watching(issue.id)?,
                                unread_at: items
                                    .iter()
                                    .find(|item| item.issue_id == issue.id && item.unread)
                                    .map(|item| item.at),
                                comments,
                                events: replica.events(issue.id)?,
                                issue,
                            })
                        }
                        None => None,
                    },
                    start: window.start,
                    issues: window.issues,
                    matching: window.matching,
                    counts: window.counts,
                    version: window.version,
                    fetched: replica.cookie().is_some(),
                    trash,
                    unread,
                    inbox,
                })
            });
        match view {
            Ok(view) => {
                post(&FromEngine::View(Box::new(view)));
                if !self.viewed {
                    self.viewed = true;
                    super::mark("first-view");
                }
            }
            Err(err) => log("reading the issues", &err.to_string()),
        }
    }

    /// The inspector's view, read from the replica and the journal now.
    fn send_inspection(&self) {
        let actor = self.replica.actor();
        let inspection = Inspection {
            channel: self.live.channel(),
            online: self.replica.online(),
            workspace_id: actor.workspace_id,
            member_id: actor.member_id,
            client_id: self.replica.client_id(),
            cookie: self.replica.cookie(),
            last_mutation_id: self.replica.last_mutation_id(),
            pending: self
                .replica
                .pending_queue(INSPECTED_PENDING)
                .unwrap_or_default(),
            pending_count: self.replica.pending_count().unwrap_or(0),
            events: self.journal.events(),
            storage: self.storage.clone(),
            memory_bytes: memory_bytes(),
        };
        post(&FromEngine::Inspection(Box::new(inspection)));
    }

    fn send_status(&mut self) {
        let status = SyncStatus {
            online: self.replica.online(),
            channel: self.live.channel(),
            syncing: self.replica.syncing(),
            pending: self.replica.pending_count().unwrap_or(0),
            denied: self.replica.denied().cloned(),
            held_back: self.replica.held_back().cloned(),
            outdated: self.replica.outdated().cloned(),
        };
        if self.status.as_ref() != Some(&status) {
            post(&FromEngine::Sync(status.clone()));
            self.status = Some(status);
        }
    }
}

/// Listens to the page: first what it said while the wasm loaded (kept by `engine-worker.js`, in
/// order), then each message as it comes.
pub(super) fn listen_to_ui(events: Events) {
    let take = move |text: String| match serde_json::from_str::<ToEngine>(&text) {
        Ok(message) => {
            let _ = events.unbounded_send(Event::Ui(message));
        }
        Err(err) => log("a message from the UI", &format!("{err}: {text}")),
    };
    let global = js_sys::global();
    let key = wasm_bindgen::JsValue::from_str("trackerEngineEarly");
    if let Ok(early) = js_sys::Reflect::get(&global, &key)
        && let Ok(early) = early.dyn_into::<js_sys::Array>()
    {
        for text in early.iter() {
            take(text.as_string().unwrap_or_default());
        }
        let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
    }
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        take(event.data().as_string().unwrap_or_default());
    });
    let scope: DedicatedWorkerGlobalScope = global.unchecked_into();
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}

/// Other tabs of this browser in the same workspace hear here that something was pushed, and pull
/// at once unless their live channel is open (it pokes them).
fn listen_to_tabs(workspace: Uuid, events: UnboundedSender<Event>) -> Option<BroadcastChannel> {
    let channel = BroadcastChannel::new(&format!("tracker-sync-{workspace}")).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
        let _ = events.unbounded_send(Event::OtherTabPushed);
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

/// The engine's WebAssembly memory now: pages of 64 KiB, grown and never given back.
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size::<0>() as u64 * 65_536
}
