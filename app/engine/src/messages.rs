//! What the UI and the engine say to each other, as JSON strings over `postMessage`.

use serde::{Deserialize, Serialize};
use shared::issue::{Issue, IssueFilter, StatusCounts};
use shared::protocol::ErrorBody;
use shared::protocol::RejectedMutation;
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
    /// Show the issues that match `filter`, newest first, at most `limit` of them, now and after
    /// every change.
    Subscribe { filter: IssueFilter, limit: usize },
    /// A local mutation; ids and times are in its args. It arrives parsed and validated.
    Mutate { mutation: Mutation },
    /// Sync now (the page came back online or into view).
    SyncNow,
    /// The page was hidden or shown: a hidden page pulls rarely.
    Hidden { hidden: bool },
}

/// From the engine to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FromEngine {
    /// The engine listens: the UI may send `Open` now (a message posted earlier would be lost).
    Listening,
    /// The replica is open: the UI may send everything else.
    Ready {
        client_id: Uuid,
        storage: StorageKind,
    },
    View(View),
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
}

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
    pub issues: Vec<Issue>,
    /// How many issues match the filter, of which `issues` holds the first `limit`.
    pub matching: u64,
    pub counts: StatusCounts,
}

/// What the sync indicator shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// The last request reached the server.
    pub online: bool,
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
}
