//! The UI's link to the engine: starts its Web Worker, sends it messages, and applies what it says to
//! the UI's signals. The worker is also exposed as `window.trackerEngine`, for tests and debugging.
//!
//! The engine opens nothing until it is told whose replica of which workspace (`open`, from
//! `crate::access`). That goes the moment the UI knows it, even while the engine's wasm loads:
//! `engine-worker.js` keeps what arrives before the engine listens, in order. So does the window
//! the list asks for, right behind it. Everything else waits here, in order,
//! until the engine says `Ready`, and the changes among them are shown as unsent
//! (`AppState::unsent`). If the engine cannot start, they stay on screen as not saved, and leaving
//! the page asks first.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use engine::messages::{FromEngine, StorageKind, ToEngine};
use futures_channel::mpsc::{UnboundedSender, unbounded};
use futures_util::StreamExt;
use shared::issue::IssueFilter;
use shared::issue::WindowRequest;
use shared::{Actor, Mutation};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::state::{AppState, EngineStatus};

thread_local! {
    /// The last subscription sent: views answering an earlier one are stale.
    static SUBSCRIBED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The palette's last `Find`: earlier answers are dropped.
    static FINDING: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The rows on either side of an open issue the engine sends: its neighbours, for `j`/`k`.
const AROUND_OPEN_ISSUE: u32 = 3;

#[derive(Clone)]
pub struct EngineLink {
    link: Rc<RefCell<Link>>,
    state: AppState,
    /// Whose replica the engine was told to open, and whether it is the legacy workspace's.
    opened: Rc<std::cell::Cell<Option<(Actor, bool)>>>,
}

/// Where the UI's messages go.
enum Link {
    /// The engine is loading: messages are held, in order, until it is ready.
    Starting { worker: Worker, held: Vec<ToEngine> },
    /// `unapplied`: changes posted that the engine has not yet said it applied (or refused). Until
    /// it does they live only in its message queue, which closing the page would drop.
    Running { worker: Worker, unapplied: usize },
    /// The engine could not start or stopped: `held` was never sent.
    Stopped { held: Vec<ToEngine> },
}

impl EngineLink {
    /// Starts the worker and a task that applies its messages to `state`.
    pub fn start(state: AppState) -> EngineLink {
        let (sender, mut receiver) = unbounded::<Received>();
        let link = match spawn_worker(sender) {
            Ok(worker) => Link::Starting {
                worker,
                held: Vec::new(),
            },
            Err(reason) => {
                let mut status = state.engine;
                status.set(EngineStatus::Stopped(reason));
                Link::Stopped { held: Vec::new() }
            }
        };
        let engine = EngineLink {
            link: Rc::new(RefCell::new(link)),
            state,
            opened: Rc::default(),
        };
        engine.ask_before_leaving_unsent();
        let owner = engine.clone();
        spawn(async move {
            while let Some((message, text)) = receiver.next().await {
                match &message {
                    FromEngine::Ready { .. } => owner.ready(),
                    FromEngine::Failed { message } => owner.stop(message.clone()),
                    FromEngine::Applied | FromEngine::Refused { .. } => owner.answered(),
                    _ => {}
                }
                apply(state, message, text);
            }
        });
        engine
    }

    /// Tells the engine to open `actor`'s replica of the workspace (the legacy one keeps this
    /// browser's replica from before workspaces), and asks for the window held for it. Only the
    /// first call counts.
    pub fn open(&self, actor: Actor, legacy: bool) {
        if self.opened.get().is_some() {
            return;
        }
        self.opened.set(Some((actor, legacy)));
        if let Link::Starting { worker, held } = &mut *self.link.borrow_mut() {
            post(worker, &ToEngine::Open { actor, legacy });
            mark("ui-open-posted");
            // The window asked for so far goes now: the engine reads it the moment the replica is open.
            held.retain(|message| match message {
                ToEngine::Subscribe { .. } => {
                    post(worker, message);
                    mark("ui-subscribe-posted");
                    false
                }
                _ => true,
            });
        }
    }

    /// Whose replica the engine opens, if it was told yet.
    pub fn opened_as(&self) -> Option<Actor> {
        self.opened.get().map(|(actor, _)| actor)
    }

    /// Sends `message` now if the engine is running, after it starts if it is starting. A window
    /// asked for changes nothing, so it does not wait for the engine to be ready, only for `Open`
    /// (the engine keeps what comes before the replica is open); it replaces one held.
    pub fn send(&self, message: ToEngine) {
        let open_sent = self.opened.get().is_some();
        match &mut *self.link.borrow_mut() {
            Link::Starting { worker, held } if matches!(message, ToEngine::Subscribe { .. }) => {
                held.retain(|held| !matches!(held, ToEngine::Subscribe { .. }));
                if open_sent {
                    post(worker, &message);
                    mark("ui-subscribe-posted");
                } else {
                    held.push(message);
                }
            }
            Link::Starting { held, .. } | Link::Stopped { held } => held.push(message),
            Link::Running { worker, unapplied } => {
                *unapplied += match &message {
                    ToEngine::Mutate { .. } => 1,
                    ToEngine::MutateAll { mutations } => mutations.len(),
                    _ => 0,
                };
                post(worker, &message);
            }
        }
    }

    /// A local change: applied and queued by the engine, or held (and shown as unsent) until it can.
    pub fn mutate(&self, mutation: impl Into<Mutation>) {
        let mutation = mutation.into();
        self.record(std::slice::from_ref(&mutation));
        self.send_mutation(mutation);
    }

    fn send_mutation(&self, mutation: Mutation) {
        if !matches!(*self.link.borrow(), Link::Running { .. }) {
            let mut unsent = self.state.unsent;
            unsent.write().push(mutation.clone());
        }
        self.send(ToEngine::Mutate { mutation });
    }

    /// Asks the engine for the first issues holding `text` (the palette's search).
    pub fn find(&self, text: String) {
        let seq = FINDING.get() + 1;
        FINDING.set(seq);
        self.send(ToEngine::Find { text, seq });
    }

    /// Local changes made together: applied in order and pushed together.
    pub fn mutate_all(&self, mutations: Vec<Mutation>) {
        self.record(&mutations);
        self.send_all(mutations);
    }

    /// Takes back this tab's newest change (Ctrl/Cmd+Z): see `crate::undo`.
    pub fn undo(&self) {
        let mut history = self.state.undo;
        let mutations = history.write().undo(crate::state::now());
        match mutations {
            Some(mutations) => self.send_all(mutations),
            None => self.state.notify("Nothing to undo".to_owned()),
        }
    }

    /// Makes the newest undone change again (Ctrl/Cmd+Shift+Z).
    pub fn redo(&self) {
        let mut history = self.state.undo;
        let mutations = history.write().redo(crate::state::now());
        match mutations {
            Some(mutations) => self.send_all(mutations),
            None => self.state.notify("Nothing to redo".to_owned()),
        }
    }

    /// Records `mutations`, about to be made here, as one change this tab can undo: each with what
    /// it changes from, as the page shows it now.
    fn record(&self, mutations: &[Mutation]) {
        let state = self.state;
        // The labels on every shown issue, read once: a change to 500 picked rows is 500 steps.
        let on = state.labels_by_issue();
        let steps: Vec<crate::undo::Step> = mutations
            .iter()
            .filter_map(|mutation| {
                let id = mutation.issue_id();
                let before = id.and_then(|id| state.issue_shown(id));
                let labels: Vec<Uuid> = id
                    .and_then(|id| on.get(&id))
                    .map(|labels| labels.iter().map(|label| label.id).collect())
                    .unwrap_or_default();
                crate::undo::Step::of(mutation, before.as_ref(), &labels)
            })
            .collect();
        if steps.is_empty() {
            return;
        }
        let labels = state.view.peek().labels.clone();
        let what = crate::undo::describe(
            &steps,
            |id| {
                labels
                    .iter()
                    .find(|l| l.id == id)
                    .map_or_else(|| "a deleted label".to_owned(), |l| l.name.clone())
            },
            |member| state.name_of(member),
        );
        let mut history = state.undo;
        history.write().record(crate::undo::Entry { what, steps });
    }

    fn send_all(&self, mutations: Vec<Mutation>) {
        if mutations.is_empty() {
            return;
        }
        if !matches!(*self.link.borrow(), Link::Running { .. }) {
            let mut unsent = self.state.unsent;
            unsent.write().extend(mutations.iter().cloned());
        }
        self.send(ToEngine::MutateAll { mutations });
    }

    /// The engine listens: send what was held, in order, and from now on send at once.
    fn ready(&self) {
        let mut link = self.link.borrow_mut();
        if !matches!(*link, Link::Starting { .. }) {
            // Only a starting engine becomes ready; anything else would drop what it holds.
            return;
        }
        if let Link::Starting { worker, held } =
            std::mem::replace(&mut *link, Link::Stopped { held: Vec::new() })
        {
            let unapplied = held
                .iter()
                .map(|message| match message {
                    ToEngine::Mutate { .. } => 1,
                    ToEngine::MutateAll { mutations } => mutations.len(),
                    _ => 0,
                })
                .sum();
            for message in &held {
                post(&worker, message);
            }
            *link = Link::Running { worker, unapplied };
        }
        drop(link);
        let AppState {
            mut engine,
            mut unsent,
            ..
        } = self.state;
        unsent.set(Vec::new());
        engine.set(EngineStatus::Running);
    }

    /// The engine answered one of the changes posted to it.
    fn answered(&self) {
        if let Link::Running { unapplied, .. } = &mut *self.link.borrow_mut() {
            *unapplied = unapplied.saturating_sub(1);
        }
    }

    /// The engine could not start, or stopped: what it was not sent stays unsent, on screen.
    fn stop(&self, reason: String) {
        let mut link = self.link.borrow_mut();
        if let Link::Starting { held, .. } = &mut *link {
            let held = std::mem::take(held);
            *link = Link::Stopped { held };
        } else if matches!(*link, Link::Running { .. }) {
            *link = Link::Stopped { held: Vec::new() };
        }
        drop(link);
        let AppState {
            mut engine,
            mut view,
            loaded,
            ..
        } = self.state;
        if !*loaded.peek() {
            // The rows and counts kept from the last visit (`crate::first_screen`) are not the
            // list: with no engine to bring it, none of them stays on screen.
            view.set(Default::default());
        }
        engine.set(EngineStatus::Stopped(reason));
    }

    /// Closing or reloading the page while changes are held, or posted but not yet applied, would
    /// lose them: the browser asks first.
    fn ask_before_leaving_unsent(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let link = self.link.clone();
        let on_leave = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let unsent = match &*link.borrow() {
                Link::Starting { held, .. } | Link::Stopped { held } => {
                    held.iter().any(|message| {
                        matches!(
                            message,
                            ToEngine::Mutate { .. } | ToEngine::MutateAll { .. }
                        )
                    })
                }
                Link::Running { unapplied, .. } => *unapplied > 0,
            };
            if unsent {
                event.prevent_default();
            }
        });
        let _ = window
            .add_event_listener_with_callback("beforeunload", on_leave.as_ref().unchecked_ref());
        on_leave.forget();
    }

    /// Tells the engine whether the page is hidden, now and at every change: a hidden page pulls
    /// rarely, and pulls at once when shown.
    fn tell_visibility(&self) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        self.send(ToEngine::Hidden {
            hidden: document.hidden(),
        });
        let engine = self.clone();
        let on_change = Closure::<dyn FnMut()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            engine.send(ToEngine::Hidden { hidden });
        });
        let _ = document.add_event_listener_with_callback(
            "visibilitychange",
            on_change.as_ref().unchecked_ref(),
        );
        on_change.forget();
    }

    /// Tells the engine when the page is being left, so it starts no request as the page goes (its
    /// socket closing would otherwise start a pull), and when the page comes back from the
    /// back-forward cache.
    fn tell_leaving(&self) {
        for (event, leaving) in [("pagehide", true), ("pageshow", false)] {
            let engine = self.clone();
            on_window(event, move || engine.send(ToEngine::Leaving { leaving }));
        }
    }

    /// Tells the engine whether the browser has a network, now and at every change.
    fn tell_network(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        self.send(ToEngine::Network {
            online: window.navigator().on_line(),
        });
        for (event, online) in [("online", true), ("offline", false)] {
            let engine = self.clone();
            on_window(event, move || engine.send(ToEngine::Network { online }));
        }
    }

    /// Back in view: sync at once rather than after the backoff's delay.
    fn sync_now_on(&self, event: &str) {
        let engine = self.clone();
        on_window(event, move || {
            if matches!(*engine.link.borrow(), Link::Running { .. }) {
                engine.send(ToEngine::SyncNow);
            }
        });
    }
}

/// Runs `handler` at every `event` on the window, for as long as the page lives.
fn on_window(event: &str, handler: impl FnMut() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_event = Closure::<dyn FnMut()>::new(handler);
    let _ = window.add_event_listener_with_callback(event, on_event.as_ref().unchecked_ref());
    on_event.forget();
}

/// Starts the engine's Web Worker (or takes the one boot.js started); its messages, and its failure
/// to load, arrive on `sender`.
fn spawn_worker(sender: UnboundedSender<Received>) -> Result<Worker, String> {
    let (worker, early) = match started_early() {
        Some(started) => started,
        None => {
            let options = WorkerOptions::new();
            options.set_type(WorkerType::Module);
            let worker = Worker::new_with_options("/engine-worker.js", &options)
                .map_err(|err| format!("the engine's worker could not be created ({err:?})"))?;
            (worker, js_sys::Array::new())
        }
    };
    let messages = sender.clone();
    let on_message = move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        match serde_json::from_str(&text) {
            Ok(message) => {
                let text = matches!(message, FromEngine::View(_)).then_some(text);
                let _ = messages.unbounded_send((message, text));
            }
            Err(err) => {
                web_sys::console::warn_1(&format!("tracker: from the engine: {err}").into())
            }
        }
    };
    // The worker's script or its imports failed to load, or it threw: the engine is not running.
    let on_error = move |event: ErrorEvent| {
        let message = match event.message() {
            text if text.is_empty() => "the engine's worker failed to load".to_owned(),
            text => text,
        };
        let _ = sender.unbounded_send((FromEngine::Failed { message }, None));
    };
    // What the worker said before this code listened, in order.
    for event in early.iter() {
        match event.dyn_into::<MessageEvent>() {
            Ok(message) => on_message.clone()(message),
            Err(other) => {
                if let Ok(error) = other.dyn_into::<ErrorEvent>() {
                    on_error.clone()(error);
                }
            }
        }
    }
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(on_error);
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"trackerEngine".into(), &worker);
    }
    Ok(worker)
}

/// The engine's worker `boot.js` started before the UI's wasm loaded (so both load at once), with
/// what it said meanwhile; taken once.
fn started_early() -> Option<(Worker, js_sys::Array)> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("trackerEngineBoot");
    let boot = js_sys::Reflect::get(&window, &key).ok()?;
    if boot.is_undefined() || boot.is_null() {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let worker = js_sys::Reflect::get(&boot, &"worker".into())
        .ok()?
        .dyn_into::<Worker>()
        .ok()?;
    let early = js_sys::Reflect::get(&boot, &"early".into())
        .ok()
        .and_then(|early| early.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_default();
    Some((worker, early))
}

/// A named moment on the page's clock, for the first render's breakdown (app/bench/browser.mjs).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn post(worker: &Worker, message: &ToEngine) {
    match serde_json::to_string(message) {
        Ok(json) => {
            if let Err(err) = worker.post_message(&json.into()) {
                web_sys::console::error_2(&"tracker: could not post to the engine".into(), &err);
            }
        }
        Err(err) => web_sys::console::error_1(&format!("tracker: could not encode: {err}").into()),
    }
}

/// A message from the engine, and for a view the text it came as (`crate::first_screen` keeps it).
type Received = (FromEngine, Option<String>);

fn apply(mut state: AppState, message: FromEngine, text: Option<String>) {
    match message {
        FromEngine::Ready { storage, .. } => {
            if let StorageKind::Memory { reason } = &storage {
                web_sys::console::warn_1(&format!("tracker: in memory only: {reason}").into());
            }
            state.storage.set(Some(storage));
        }
        FromEngine::View(view) => {
            if view.seq != SUBSCRIBED.get() {
                // The answer to a window since replaced: the next view is on its way.
                return;
            }
            crate::viewport::arriving(&state.view.peek(), &view);
            if !*state.loaded.peek() {
                mark("ui-first-view");
            }
            if let Some(text) = text {
                crate::first_screen::keep(state.workspace, &state.filter.peek(), &view, &text);
            }
            // An address by number (`/issue/TRK-42`) names this issue: its page opens by its id.
            let named = *state.open_number.peek();
            if let (Some(number), Some(open)) = (named, &view.open)
                && open.issue.number == Some(number)
            {
                state.open_number.set(None);
                state.open_issue.set(Some(open.issue.id));
                state.selected.set(Some(open.issue.id));
            }
            state.view.set(*view);
            state.loaded.set(true);
        }
        FromEngine::Applied => {}
        FromEngine::Sync(status) => state.sync.set(status),
        FromEngine::Inspection(inspection) => state.inspection.set(Some(inspection)),
        FromEngine::Rejected { mutations } => {
            for rejected in mutations {
                state.notify(format!(
                    "The server rejected a change: {}",
                    rejected.message
                ));
            }
        }
        FromEngine::Refused { message } => state.notify(format!("Not saved: {message}")),
        FromEngine::Found { seq, issues } => {
            if seq == FINDING.get() {
                state.found.set(issues);
            }
        }
        FromEngine::MembersChanged => {
            spawn(async move {
                crate::access::refresh_members(state).await;
            });
        }
        FromEngine::WorkspaceChanged => {
            spawn(async move {
                crate::access::refresh_session(state).await;
            });
        }
        FromEngine::Exported { format, result } => crate::download::save(state, format, result),
        // Shown by the header, with what was not saved.
        FromEngine::Failed { message } => {
            web_sys::console::error_1(&format!("tracker: the engine stopped: {message}").into())
        }
    }
}

/// What the UI asks the engine to show: the list's filter, the rows of it, the open issue.
#[derive(Clone, PartialEq)]
struct Subscription {
    filter: IssueFilter,
    window: WindowRequest,
    issue: Option<Uuid>,
    number: Option<u64>,
    trash: bool,
    inbox: bool,
}

/// Asks the engine for `asked` (`last`: what was asked before), and writes the filter into the
/// URL. Another filter or order starts its list from the top; an open issue asks for the rows
/// around it.
fn subscribe(
    state: AppState,
    engine: &EngineLink,
    asked: Subscription,
    last: &RefCell<Option<Subscription>>,
) {
    crate::url::write_filter(&asked.filter);
    let refiltered = last
        .borrow()
        .as_ref()
        .is_some_and(|last| last.filter != asked.filter);
    let mut window = WindowRequest {
        seen: crate::viewport::seen(state),
        ..asked.window
    };
    if refiltered {
        crate::viewport::to_top();
        window = WindowRequest {
            start: 0,
            around: None,
            seen: None,
            ..window
        };
    }
    if let Some(id) = asked.issue {
        window = WindowRequest {
            start: 0,
            len: AROUND_OPEN_ISSUE,
            around: Some(id),
            seen: None,
        };
    }
    let seq = SUBSCRIBED.get() + 1;
    SUBSCRIBED.set(seq);
    engine.send(ToEngine::Subscribe {
        filter: asked.filter.clone(),
        window,
        issue: asked.issue,
        issue_number: asked.number,
        trash: asked.trash,
        inbox: asked.inbox,
        seq,
    });
    *last.borrow_mut() = Some(asked);
}

/// Starts the engine, provides it as context, and keeps it told of the list's filter (which is also
/// mirrored in the URL) and of the page coming back online or into view.
pub fn use_engine(state: AppState) {
    let engine = use_context_provider(|| {
        let engine = EngineLink::start(state);
        engine.tell_network();
        engine.sync_now_on("focus");
        engine.tell_visibility();
        engine.tell_leaving();
        engine
    });
    // The first window goes during the first render, with `Open`: the engine reads it the moment
    // the replica is open. (An effect runs only after the first render is on the page, and the
    // kept rows make that render longer.) The effect then sends each change.
    let last = use_hook(|| {
        let last = Rc::new(RefCell::new(None));
        let asked = Subscription {
            filter: state.filter.peek().clone(),
            window: *state.window.peek(),
            issue: *state.open_issue.peek(),
            number: *state.open_number.peek(),
            trash: *state.trash_open.peek(),
            inbox: *state.inbox_open.peek(),
        };
        subscribe(state, &engine, asked, &last);
        last
    });
    let subscriber = engine.clone();
    use_effect(move || {
        let asked = Subscription {
            filter: state.filter.read().clone(),
            window: *state.window.read(),
            issue: *state.open_issue.read(),
            number: *state.open_number.read(),
            trash: *state.trash_open.read(),
            inbox: *state.inbox_open.read(),
        };
        if last.borrow().as_ref() != Some(&asked) {
            subscribe(state, &subscriber, asked, &last);
        }
    });
    // The replica's rules read the member's role (an owner may change anyone's comment).
    use_effect(move || {
        let session = state.session.read();
        let role = session.as_ref().and_then(|info| {
            info.workspaces
                .iter()
                .find(|w| w.id == state.workspace)
                .map(|w| w.role)
        });
        if let Some(role) = role {
            engine.send(ToEngine::Role { role });
        }
    });
    // Back and forward move between the list and issue pages without reloading.
    use_hook(move || {
        use wasm_bindgen::JsCast;
        let mut state = state;
        let on_pop = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let address = crate::url::read_address();
            state.open_issue.set(crate::url::read_open_issue());
            state.open_number.set(match address {
                crate::url::Address::Number(n) => Some(n),
                _ => None,
            });
            state.trash_open.set(address == crate::url::Address::Trash);
            state.inbox_open.set(address == crate::url::Address::Inbox);
            state.filter.set(crate::url::read_filter());
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        }
        on_pop.forget();
    });
}
