//! What the UI and the engine say to each other, as JSON strings over `postMessage`.

use serde::{Deserialize, Serialize};
use shared::api::Role;
use shared::comment::Comment;
use shared::history::IssueEvent;
use shared::inbox::InboxItem;
use shared::issue::WindowRequest;
use shared::issue::{Issue, IssueFilter, StatusCounts};
use shared::label::{IssueLabel, Label};
use shared::protocol::ErrorBody;
use shared::protocol::RejectedMutation;
use shared::reaction::Reaction;
use shared::{Actor, Mutation};
use uuid::Uuid;

/// From the UI to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ToEngine {
    /// The first message: whose replica of which workspace to open. `legacy` marks the workspace
    /// that took what the deployment held before workspaces, whose replica is the one this browser
    /// kept from then.
    Open { actor: Actor, legacy: bool },
    /// From `app/static/boot.js`, before the UI's wasm has loaded: the page's workspace and the
    /// session this browser remembers (`app/src/session.rs`'s, as stored). When its member is in the
    /// workspace, the engine opens their replica at once, which is what the UI's `Open` will ask
    /// for; otherwise it waits for `Open`.
    Remembered { workspace: Uuid, session: String },
    /// Show the window of the issues that match `filter`, in its order, now and after every change;
    /// with `issue`, that issue too (its page is open), with its comments. Each subscription has a
    /// new `seq`, which the views sent for it carry.
    Subscribe {
        filter: IssueFilter,
        window: WindowRequest,
        #[serde(default)]
        issue: Option<Uuid>,
        /// The open issue by its number, when the address named it so (`/issue/TRK-42`) and its id
        /// is not known yet.
        #[serde(default)]
        issue_number: Option<u64>,
        /// The trash is open: the view carries what is in it.
        #[serde(default)]
        trash: bool,
        /// The inbox is open: the view carries its items.
        #[serde(default)]
        inbox: bool,
        seq: u64,
    },
    /// The member's role in the workspace, as the server last said: the replica's rules read it.
    Role { role: Role },
    /// A local mutation; ids and times are in its args. It arrives parsed and validated.
    Mutate { mutation: Mutation },
    /// The command palette's question: the first issues whose title or description holds `text`,
    /// across the whole replica (not only the list's window). Answered by `Found` with its `seq`.
    Find { text: String, seq: u64 },
    /// Several local changes made together (a change to many picked rows): applied in order and
    /// pushed together, each answered as a `Mutate` is.
    MutateAll { mutations: Vec<Mutation> },
    /// Sync now (the page came back into view).
    SyncNow,
    /// Whether the browser says it has a network (`navigator.onLine`), at start and at every
    /// change: without one, the live channel is closed and not tried; back online, everything
    /// syncs at once.
    Network { online: bool },
    /// The page was hidden or shown: a hidden page pulls rarely.
    Hidden { hidden: bool },
    /// Send the sync inspector's view of the engine now ([`FromEngine::Inspection`]).
    Inspect,
    /// Write the whole workspace out from the replica (`shared::export`): answered by `Exported`.
    /// The UI knows the names and the workspace; the replica knows the rest.
    Export {
        format: ExportFormat,
        workspace: Option<shared::api::WorkspaceInfo>,
        members: Vec<shared::api::MemberInfo>,
    },
    /// The page is being left (`pagehide`), or came back from the back-forward cache (`pageshow`):
    /// while leaving, the engine starts no request (its socket is about to close with the page).
    Leaving { leaving: bool },
}

/// From the engine to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FromEngine {
    /// The replica is open: the UI may send everything else.
    Ready {
        client_id: Uuid,
        storage: StorageKind,
    },
    View(Box<View>),
    /// A local change was applied and queued: it survives a reload from here on. Each `Mutate` is
    /// answered by exactly one `Applied` or `Refused`, in order.
    Applied,
    Sync(SyncStatus),
    /// The server rejected these local changes; their optimistic effects are gone.
    Rejected {
        mutations: Vec<RejectedMutation>,
    },
    /// A local change was refused before it was queued.
    Refused {
        message: String,
    },
    /// The engine could not start or stopped working.
    Failed {
        message: String,
    },
    /// The engine's own state, for the sync inspector.
    Inspection(Box<Inspection>),
    /// The answer to `Find` number `seq`: at most [`FIND_LIMIT`] issues, in the list's order.
    Found {
        seq: u64,
        issues: Vec<Issue>,
    },
    /// The live channel said the workspace's members changed, or it (re)opened and may have missed
    /// word of it: the UI reads their names again.
    MembersChanged,
    /// The live channel said the workspace's settings changed (its issue key): the UI reads the
    /// session again.
    WorkspaceChanged,
    /// The answer to `Export`: the file's text, or why there is none.
    Exported {
        format: ExportFormat,
        result: Result<String, String>,
    },
}

/// An export's format: everything as JSON (what `tracker import json` reads), or CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv",
        }
    }
}

/// The most issues a `Find` answers with.
pub const FIND_LIMIT: u32 = 8;

/// Where the engine keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StorageKind {
    /// On this device (OPFS), in storage slot `slot`.
    Device { slot: u32 },
    /// In memory only: nothing survives a reload. `reason` says why.
    Memory { reason: String },
}

/// The issues the UI shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    /// The subscription this view answers.
    pub seq: u64,
    /// The window: `issues` are the rows at positions `start`, `start + 1`, ... of the `matching`
    /// issues that match the filter. After a change of the data, `start` may differ from what the
    /// subscription asked: the rows above moved the window's first row (see `shared::replica`'s
    /// `window`).
    pub start: u64,
    pub issues: Vec<Issue>,
    pub matching: u64,
    pub counts: StatusCounts,
    /// The data the window was read from: the UI's next window, measured on this one, says so
    /// (`WindowRequest::seen`), and is moved by what arrived since.
    #[serde(default)]
    pub version: u64,
    /// The workspace's labels, by name.
    pub labels: Vec<Label>,
    /// The labels on the window's issues and on the open issue.
    pub issue_labels: Vec<IssueLabel>,
    /// The issue whose page is open (whether or not the filter shows it), and its comments, oldest
    /// first; `None` when there is none, or it does not exist (here).
    pub open: Option<OpenIssue>,
    /// The replica holds the workspace as the server had it at least once (it has a cookie): an
    /// empty list before then is not yet loaded, not a workspace without issues.
    #[serde(default)]
    pub fetched: bool,
    /// The trash, most recently deleted first, when the subscription asked for it.
    #[serde(default)]
    pub trash: Option<Vec<Issue>>,
    /// How many issues in the member's inbox have activity they have not read.
    #[serde(default)]
    pub unread: u64,
    /// The inbox, newest first, when the subscription asked for it.
    #[serde(default)]
    pub inbox: Option<Vec<InboxItem>>,
}

/// The issue whose page is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenIssue {
    pub issue: Issue,
    pub comments: Vec<Comment>,
    /// Its history, oldest first.
    #[serde(default)]
    pub events: Vec<IssueEvent>,
    /// The issues its description and comments refer to by number (`#42`, `TRK-42`), for their
    /// links' titles and statuses.
    #[serde(default)]
    pub references: Vec<Issue>,
    /// The reactions on it and its comments.
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// Whether the member follows it in their inbox.
    #[serde(default)]
    pub watching: bool,
    /// When its latest activity the member has not read happened, while their inbox lists it as
    /// unread: the page marks it read up to then.
    #[serde(default)]
    pub unread_at: Option<u64>,
}

/// The most issues the trash view shows.
pub const TRASH_LIMIT: u32 = 500;

/// The live channel's socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Channel {
    /// Not open: opening, or waiting to try again. Changes are pulled on a timer meanwhile.
    #[default]
    Connecting,
    /// Open: the server pokes this tab when the workspace changes; nothing polls.
    Live,
}

/// What the sync indicator shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The last request reached the server.
    pub online: bool,
    /// The live channel.
    pub channel: Channel,
    /// A push or pull is in flight.
    pub syncing: bool,
    /// Local changes the server has not acknowledged.
    pub pending: u64,
    /// The server refuses this member (signed out, or removed from the workspace): why. Their
    /// pending changes stay, not saved, until access comes back.
    pub denied: Option<ErrorBody>,
    /// The server is holding requests back (too many just now, or the day's budget of changes is
    /// used up): why. They go out again when it said to retry.
    pub held_back: Option<ErrorBody>,
    /// The server speaks a newer version than this build: why. The page reloads into the new build
    /// at the next safe moment; pushes go on meanwhile.
    #[serde(default)]
    pub outdated: Option<ErrorBody>,
}

/// What the sync inspector shows: the engine's real state, read when asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub channel: Channel,
    /// The last request reached the server.
    pub online: bool,
    pub workspace_id: Uuid,
    pub member_id: Uuid,
    pub client_id: Uuid,
    /// Base's cookie: the last log id it has applied (`None` before the first pull).
    pub cookie: Option<u64>,
    /// The last of this client's mutations the server has acknowledged, as base knows.
    pub last_mutation_id: u64,
    /// The pending queue, oldest first (at most [`INSPECTED_PENDING`]), and its full length.
    pub pending: Vec<shared::protocol::PushMutation>,
    pub pending_count: u64,
    /// The last [`INSPECTED_EVENTS`] sync events, oldest first.
    pub events: Vec<SyncEvent>,
    pub storage: StorageKind,
    /// The engine's memory (its WebAssembly linear memory, which only grows), in bytes.
    #[serde(default)]
    pub memory_bytes: u64,
}

/// The inspector lists this many pending mutations at most...
pub const INSPECTED_PENDING: usize = 200;
/// ... and this many sync events.
pub const INSPECTED_EVENTS: usize = 50;

/// One thing the sync loop did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncEvent {
    /// When it ended, epoch milliseconds.
    pub at: u64,
    pub kind: SyncEventKind,
    /// What happened, in a few words ("3 mutations, up to 12", "HTTP 503", ...).
    pub summary: String,
    /// Bytes sent and received, where it was a request or a message.
    pub sent_bytes: Option<u64>,
    pub received_bytes: Option<u64>,
    pub duration_ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncEventKind {
    Push,
    Pull,
    Poke,
    /// Optimistic state rebuilt on a moved base.
    Rebase,
    /// The server rejected a local change.
    Rejection,
    /// The live channel opened or closed.
    Socket,
}
