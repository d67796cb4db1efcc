//! The UI's state: what the engine last sent, and what the user is doing.

use std::collections::{BTreeSet, HashMap};

use dioxus::prelude::*;
use engine::messages::{Inspection, StorageKind, SyncStatus, View};
use shared::api::{FormerMember, Membership, SessionInfo};
use shared::issue::WindowRequest;
use shared::issue::{Issue, IssueFilter};
use shared::mutations::fields::Millis;
use shared::{Actor, Mutation};
use uuid::Uuid;

/// Whether the engine's Web Worker can take the UI's messages yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineStatus {
    /// Loading its wasm and opening storage: what the UI sends waits (see `engine_link::EngineLink`).
    Starting,
    Running,
    /// It could not start or stopped working; why, in words.
    Stopped(String),
}

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    Closed,
    New,
    Edit(Uuid),
    Members,
    /// The sync inspector.
    Inspector,
    /// The keyboard shortcuts sheet (`?`).
    Shortcuts,
    /// The command palette (Ctrl/Cmd+K).
    Palette,
    /// The account: name, devices, passkeys, signing out.
    Account,
}

/// What the server says of this person and this workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Not heard yet: the tracker runs as the member this browser remembers, if any.
    Checking,
    Member,
    /// No valid session (none, expired, or refused).
    SignedOut,
    /// Signed in, but not (or no longer) a member of this workspace.
    NotAMember,
    /// The server cannot be reached and this browser has never signed in here.
    Unreachable,
}

/// A message for the user: a change the server rejected or the engine refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub text: String,
}

/// All of the UI's signals, provided as context by the tracker.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The workspace this page is the tracker of.
    pub workspace: Uuid,
    /// Who is signed in and their workspaces, as last confirmed (or remembered here).
    pub session: Signal<Option<SessionInfo>>,
    pub access: Signal<Access>,
    /// The workspace's members, for authors' names.
    pub members: Signal<Vec<Membership>>,
    /// People removed from the workspace: what they wrote keeps their name, marked as gone.
    pub former: Signal<Vec<FormerMember>>,
    /// The list the engine sends for the current filter.
    pub view: Signal<View>,
    pub engine: Signal<EngineStatus>,
    /// Local changes the engine has not taken yet (it is starting, or could not start), in order.
    pub unsent: Signal<Vec<Mutation>>,
    /// The engine sent its first view: the list is real, not a placeholder (nothing, or the rows
    /// kept from the last visit, `crate::first_screen`).
    pub loaded: Signal<bool>,
    pub sync: Signal<SyncStatus>,
    /// The engine's last answer to the sync inspector.
    pub inspection: Signal<Option<Box<Inspection>>>,
    pub storage: Signal<Option<StorageKind>>,
    /// Whether the browser agreed to keep this site's storage (`navigator.storage.persist()`);
    /// `None` until it answers, or where it cannot be asked.
    pub persisted: Signal<Option<bool>>,
    /// The list's filter, mirrored in the page's URL.
    pub filter: Signal<IssueFilter>,
    /// The issue whose page is open (`/w/<workspace>/issue/<id>`), if any.
    pub open_issue: Signal<Option<Uuid>>,
    /// The rows of the list to show (`crate::viewport`).
    pub window: Signal<WindowRequest>,
    pub selected: Signal<Option<Uuid>>,
    /// The rows picked for a change to all of them at once (`components/bulk.rs`).
    pub picked: Signal<BTreeSet<Uuid>>,
    /// The command palette's search results (`EngineLink::find`).
    pub found: Signal<Vec<Issue>>,
    /// The screen is narrow: rows are two lines high (`crate::viewport::row_height`).
    pub narrow: Signal<bool>,
    pub dialog: Signal<DialogState>,
    pub notices: Signal<Vec<Notice>>,
    /// The issues with an unsaved edit draft in this browser (`crate::drafts`).
    pub drafts: Signal<BTreeSet<Uuid>>,
    /// This tab's changes to undo and redo, and the toast offering it (`crate::undo`).
    pub undo: Signal<crate::undo::History>,
    /// The issue the address names by number (`/issue/TRK-42`) until the engine says which it is.
    pub open_number: Signal<Option<u64>>,
    /// The trash is open (`/w/<workspace>/trash`).
    pub trash_open: Signal<bool>,
    /// The inbox is open (`/w/<workspace>/inbox`).
    pub inbox_open: Signal<bool>,
    /// The owner new issues get: the member's name.
    pub owner: Signal<String>,
}

impl AppState {
    pub fn new(workspace: Uuid) -> AppState {
        let session = crate::session::cached();
        let owner = session
            .as_ref()
            .map_or_else(String::new, |info| info.member.name.clone());
        let filter = crate::url::read_filter();
        let address = crate::url::read_address();
        let open_issue = crate::url::read_open_issue();
        // The rows this member saw last at the list's top, until the engine's first view.
        let kept = session
            .as_ref()
            .and_then(|info| info.replica_of(workspace))
            .filter(|_| address == crate::url::Address::List)
            .and_then(|(actor, _)| {
                let rows = crate::viewport::on_screen().1 as usize;
                crate::first_screen::kept(workspace, actor.member_id, &filter, rows)
            });
        AppState {
            workspace,
            session: Signal::new(session),
            access: Signal::new(Access::Checking),
            members: Signal::new(crate::session::cached_members(workspace)),
            former: Signal::new(crate::session::cached_former(workspace)),
            view: Signal::new(kept.unwrap_or_default()),
            engine: Signal::new(EngineStatus::Starting),
            unsent: Signal::new(Vec::new()),
            loaded: Signal::new(false),
            sync: Signal::new(SyncStatus::default()),
            inspection: Signal::new(None),
            storage: Signal::new(None),
            persisted: Signal::new(None),
            filter: Signal::new(filter),
            open_issue: Signal::new(open_issue),
            open_number: Signal::new(match address {
                crate::url::Address::Number(n) => Some(n),
                _ => None,
            }),
            trash_open: Signal::new(address == crate::url::Address::Trash),
            inbox_open: Signal::new(address == crate::url::Address::Inbox),
            undo: Signal::new(crate::undo::History::default()),
            window: Signal::new(crate::viewport::wanted()),
            selected: Signal::new(None),
            picked: Signal::new(BTreeSet::new()),
            found: Signal::new(Vec::new()),
            narrow: Signal::new(crate::viewport::row_height() > crate::viewport::ROW_HEIGHT),
            dialog: Signal::new(DialogState::Closed),
            notices: Signal::new(Vec::new()),
            drafts: Signal::new(crate::drafts::issues_with_drafts()),
            owner: Signal::new(owner),
        }
    }

    /// Who changes made here are by: the signed-in member, in this workspace.
    pub fn actor(&self) -> Actor {
        let member = self
            .session
            .peek()
            .as_ref()
            .map_or(Uuid::nil(), |info| info.member.id);
        Actor::new(self.workspace, member)
    }

    /// The workspace's members and the signed-in member, and `also` (someone who left, say), as
    /// `(id, name)` by name: whom an issue can be assigned to or filtered by.
    pub fn people(&self, also: Option<Uuid>) -> Vec<(Uuid, String)> {
        let mut people: Vec<(Uuid, String)> = self
            .members
            .read()
            .iter()
            .map(|m| (m.id, m.name.clone()))
            .collect();
        for id in [self.me(), also].into_iter().flatten() {
            if !people.iter().any(|(known, _)| *known == id) {
                people.push((id, self.name_of(Some(id))));
            }
        }
        people.sort_by_key(|(_, name)| name.to_lowercase());
        people
    }

    /// The labels on each issue the engine last sent, by name: one pass over the links, so a list
    /// of many rows does not search them once a row.
    pub fn labels_by_issue(&self) -> HashMap<Uuid, Vec<shared::label::Label>> {
        let view = self.view.read();
        let labels: HashMap<Uuid, &shared::label::Label> =
            view.labels.iter().map(|label| (label.id, label)).collect();
        let mut on: HashMap<Uuid, Vec<shared::label::Label>> = HashMap::new();
        for link in &view.issue_labels {
            if let Some(label) = labels.get(&link.label_id) {
                on.entry(link.issue_id).or_default().push((*label).clone());
            }
        }
        for labels in on.values_mut() {
            labels.sort_by_key(|label| label.name.to_lowercase());
        }
        on
    }

    /// The labels on an issue, by name, as the engine last sent them.
    pub fn labels_of(&self, issue: Uuid) -> Vec<shared::label::Label> {
        self.labels_by_issue().remove(&issue).unwrap_or_default()
    }

    /// The ids of the labels on an issue.
    pub fn label_ids_of(&self, issue: Uuid) -> Vec<Uuid> {
        self.labels_of(issue)
            .into_iter()
            .map(|label| label.id)
            .collect()
    }

    /// Whether the signed-in member owns this workspace (as last heard).
    pub fn is_owner(&self) -> bool {
        self.session.peek().as_ref().is_some_and(|info| {
            info.workspaces
                .iter()
                .any(|w| w.id == self.workspace && w.role == shared::api::Role::Owner)
        })
    }

    /// Whether changes made here can reach the server: not after the member was removed or signed
    /// out (the screens then offer no change they could not save).
    pub fn can_change(&self) -> bool {
        let refused = self.sync.read().denied.is_some();
        !refused && !matches!(*self.access.read(), Access::SignedOut | Access::NotAMember)
    }

    /// The signed-in member's id, once known.
    pub fn me(&self) -> Option<Uuid> {
        self.session.peek().as_ref().map(|info| info.member.id)
    }

    /// A member's name; someone removed keeps theirs, marked "(left)"; "someone" only for an id
    /// this page has not heard of yet (it reads the members again then: `crate::access`).
    pub fn name_of(&self, member: Option<Uuid>) -> String {
        let Some(member) = member else {
            return "someone".to_owned();
        };
        if let Some(found) = self.members.read().iter().find(|m| m.id == member) {
            return found.name.clone();
        }
        if let Some(info) = &*self.session.read()
            && info.member.id == member
        {
            return info.member.name.clone();
        }
        match self.former.read().iter().find(|m| m.id == member) {
            Some(gone) => format!("{} (left)", gone.name),
            None => "someone".to_owned(),
        }
    }

    /// Whether the page knows `member`'s name (a member, or someone who left).
    pub fn knows(&self, member: Uuid) -> bool {
        self.members.peek().iter().any(|m| m.id == member)
            || self.former.peek().iter().any(|m| m.id == member)
            || self.me() == Some(member)
    }

    /// The issues that unsent changes touch, as those changes would leave them, newest first.
    pub fn unsent_previews(&self) -> Vec<Issue> {
        let view = self.view.read();
        let mut rows: Vec<Issue> = Vec::new();
        for mutation in self.unsent.read().iter() {
            let Some(id) = mutation.issue_id() else {
                continue;
            };
            let before = match rows.iter().position(|issue| issue.id == id) {
                Some(at) => Some(rows.remove(at)),
                None => view.issues.iter().find(|issue| issue.id == id).cloned(),
            };
            rows.extend(mutation.preview(before, &self.actor()));
        }
        rows.retain(|issue| issue.deleted_at.is_none());
        rows.sort_by_key(|issue| std::cmp::Reverse(issue.created_at));
        rows
    }

    /// The issue as the page shows it now, wherever it is: the list, or the open issue's page.
    pub fn issue_shown(&self, id: Uuid) -> Option<Issue> {
        self.issue(id).or_else(|| {
            let view = self.view.peek();
            let open = view.open.as_ref().filter(|open| open.issue.id == id);
            let trashed = view
                .trash
                .as_ref()
                .and_then(|t| t.iter().find(|i| i.id == id));
            open.map(|open| open.issue.clone())
                .or_else(|| trashed.cloned())
        })
    }

    /// The workspace's issue key (`TRK`), as the session last said.
    pub fn issue_key(&self) -> shared::numbers::IssueKey {
        let session = self.session.read();
        let workspace = session
            .as_ref()
            .and_then(|info| info.workspaces.iter().find(|w| w.id == self.workspace));
        match workspace {
            Some(w) => w.key(),
            None => shared::numbers::IssueKey::from_name(""),
        }
    }

    /// How an issue is named in a sentence: `TRK-42`, or `TRK-…` until the server numbers it.
    pub fn reference(&self, issue: &Issue) -> String {
        let key = self.issue_key();
        match issue.number {
            Some(n) => key.issue(n),
            None => format!("{}-…", key.as_str()),
        }
    }

    /// The issue as the UI shows it: with its unsent changes, else as the engine last sent it.
    pub fn issue(&self, id: Uuid) -> Option<Issue> {
        let touched = self.unsent.read().iter().any(|m| m.issue_id() == Some(id));
        if touched {
            return self.unsent_previews().into_iter().find(|i| i.id == id);
        }
        self.view.read().issues.iter().find(|i| i.id == id).cloned()
    }

    pub fn notify(mut self, text: String) {
        let id = self
            .notices
            .peek()
            .iter()
            .map(|n| n.id + 1)
            .max()
            .unwrap_or(0);
        self.notices.write().push(Notice { id, text });
    }
}

/// Epoch milliseconds from the browser's clock.
pub fn now() -> Millis {
    Millis::clamped(js_sys::Date::now() as u64)
}
