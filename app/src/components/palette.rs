//! The command palette (Ctrl/Cmd+K): one field that finds an issue by its title (across the whole
//! replica, through the engine's `Find`) and any action: on the open issue, or the selected row
//! (status, priority, assignee, labels, delete), and on the tracker (new issue, members, the sync
//! inspector, the shortcuts, another workspace). A combobox: ↑/↓ move, Enter runs, Esc closes.

use dioxus::prelude::*;
use shared::Mutation;
use shared::mutations::fields::{Priority, Status};
use shared::mutations::{
    AddIssueLabel, AssignIssue, DeleteIssue, RemoveIssueLabel, SetIssuePriority, UpdateIssueStatus,
};
use uuid::Uuid;

use super::question::Question;
use super::{priority_name, status_name};
use crate::engine_link::EngineLink;
use crate::state::{AppState, DialogState, now};
use engine::messages::ExportFormat;

/// What an option of the palette does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Command {
    NewIssue,
    Members,
    /// The account dialog: name, devices, passkeys, signing out.
    Account,
    Inspector,
    Shortcuts,
    Search,
    Trash,
    Inbox,
    /// The whole workspace, from this device's replica, as a download.
    Export(ExportFormat),
    Undo,
    Redo,
    Workspace(Uuid),
    Open(Uuid),
    Change(Change),
    /// Asks first.
    Delete(Uuid),
}

/// A change to one issue.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    Status(Uuid, Status),
    Priority(Uuid, Priority),
    Assign(Uuid, Option<Uuid>),
    AddLabel(Uuid, Uuid),
    RemoveLabel(Uuid, Uuid),
}

impl Change {
    fn mutation(self) -> Mutation {
        let updated_at = now();
        match self {
            Change::Status(id, status) => UpdateIssueStatus {
                id,
                status,
                updated_at,
            }
            .into(),
            Change::Priority(id, priority) => SetIssuePriority {
                id,
                priority,
                updated_at,
            }
            .into(),
            Change::Assign(id, assignee) => AssignIssue {
                id,
                assignee,
                updated_at,
            }
            .into(),
            Change::AddLabel(issue_id, label_id) => AddIssueLabel {
                issue_id,
                label_id,
                updated_at,
            }
            .into(),
            Change::RemoveLabel(issue_id, label_id) => RemoveIssueLabel {
                issue_id,
                label_id,
                updated_at,
            }
            .into(),
        }
    }
}

/// An option: what it says, the group it is shown under, and what it does.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    group: String,
    text: String,
    command: Command,
}

/// At most this many actions are listed (the issues found come on top of them).
const MAX_ACTIONS: usize = 40;

#[component]
pub fn Palette() -> Element {
    let mut state = use_context::<AppState>();
    let engine = use_context::<EngineLink>();
    let mut query = use_signal(String::new);
    let mut active = use_signal(|| 0_usize);
    let mut deleting = use_signal(|| None::<Uuid>);
    use_hook(move || state.found.set(Vec::new()));

    let typed = query.read().clone();
    let items = items(&state, &typed);
    let count = items.len();
    let current = (*active.read()).min(count.saturating_sub(1));
    let chosen = items.get(current).cloned();
    let run_engine = engine.clone();
    let run = use_callback(move |command: Command| match command {
        Command::NewIssue => state.dialog.set(DialogState::New),
        Command::Members => state.dialog.set(DialogState::Members),
        Command::Account => state.dialog.set(DialogState::Account),
        Command::Inspector => state.dialog.set(DialogState::Inspector),
        Command::Shortcuts => state.dialog.set(DialogState::Shortcuts),
        Command::Search => {
            state.dialog.set(DialogState::Closed);
            crate::keyboard::search(state);
        }
        Command::Workspace(id) => crate::route::go(&crate::route::workspace_path(id)),
        Command::Trash => {
            state.dialog.set(DialogState::Closed);
            super::open_trash(state);
        }
        Command::Inbox => {
            state.dialog.set(DialogState::Closed);
            super::open_inbox(state);
        }
        Command::Export(format) => {
            state.dialog.set(DialogState::Closed);
            crate::download::request(state, &run_engine, format);
        }
        Command::Undo => {
            state.dialog.set(DialogState::Closed);
            run_engine.undo();
        }
        Command::Redo => {
            state.dialog.set(DialogState::Closed);
            run_engine.redo();
        }
        Command::Open(id) => {
            state.dialog.set(DialogState::Closed);
            super::open_issue(state, id);
        }
        Command::Change(change) => {
            state.dialog.set(DialogState::Closed);
            run_engine.mutate(change.mutation());
        }
        Command::Delete(id) => deleting.set(Some(id)),
    });
    let mut groups: Vec<(String, Vec<(usize, Item)>)> = Vec::new();
    for (at, item) in items.into_iter().enumerate() {
        match groups.last_mut() {
            Some((group, list)) if *group == item.group => list.push((at, item)),
            _ => groups.push((item.group.clone(), vec![(at, item)])),
        }
    }

    rsx! {
        div { class: "backdrop", onclick: move |_| state.dialog.set(DialogState::Closed),
            div {
                class: "dialog palette",
                role: "dialog",
                aria_modal: "true",
                aria_label: "Command palette",
                onclick: move |evt| evt.stop_propagation(),
                if let Some(id) = deleting() {
                    Question {
                        label: "Delete this issue?",
                        text: "Move this issue to the trash? Any member can restore it for 30 days, with its comments and history.",
                        act: "Delete",
                        on_act: move |_| {
                            engine.mutate(DeleteIssue { id, deleted_at: Some(now()) });
                            if *state.open_issue.peek() == Some(id) {
                                super::close_issue(state);
                            }
                            state.dialog.set(DialogState::Closed);
                        },
                        keep: "Keep",
                        on_keep: move |_| state.dialog.set(DialogState::Closed),
                    }
                } else {
                    input {
                        class: "palette-field",
                        r#type: "text",
                        role: "combobox",
                        aria_label: "Command or issue",
                        aria_expanded: "true",
                        aria_controls: "palette-options",
                        aria_autocomplete: "list",
                        aria_activedescendant: if count > 0 { "palette-option-{current}" } else { "" },
                        placeholder: "Type a command, or an issue's title…",
                        autocomplete: "off",
                        value: "{typed}",
                        onmounted: move |evt| async move {
                            let _ = evt.set_focus(true).await;
                        },
                        oninput: move |evt| {
                            let text = evt.value();
                            if text.trim().is_empty() {
                                state.found.set(Vec::new());
                            } else {
                                engine.find(text.trim().to_owned());
                            }
                            query.set(text);
                            active.set(0);
                        },
                        onkeydown: move |evt| match evt.key() {
                            Key::ArrowDown => {
                                evt.prevent_default();
                                active.set(if count == 0 { 0 } else { (current + 1) % count });
                                scroll_to(current_after(current, 1, count));
                            }
                            Key::ArrowUp => {
                                evt.prevent_default();
                                active.set(if count == 0 { 0 } else { (current + count - 1) % count });
                                scroll_to(current_after(current, count.saturating_sub(1), count));
                            }
                            Key::Enter => {
                                evt.prevent_default();
                                if let Some(item) = &chosen {
                                    run(item.command);
                                }
                            }
                            Key::Escape => state.dialog.set(DialogState::Closed),
                            _ => {}
                        },
                    }
                    ul { id: "palette-options", role: "listbox", aria_label: "Commands and issues",
                        for (group, list) in groups {
                            li { key: "{group}", role: "presentation", class: "palette-group",
                                span { class: "palette-heading", "aria-hidden": "true", "{group}" }
                                ul { role: "group", aria_label: "{group}",
                                    for (at, item) in list {
                                        li {
                                            key: "{at}",
                                            id: "palette-option-{at}",
                                            role: "option",
                                            aria_selected: if at == current { "true" } else { "false" },
                                            class: if at == current { "active" } else { "" },
                                            onmousemove: move |_| if *active.peek() != at { active.set(at) },
                                            onclick: move |_| run(item.command),
                                            "{item.text}"
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if count == 0 {
                        p { class: "hint", role: "status", "Nothing matches “{typed}”." }
                    }
                    p { class: "hint keys-hint", "↑ ↓ to move · Enter to run · Esc to close" }
                }
            }
        }
    }
}

/// The option `step` places after `current`, wrapping.
fn current_after(current: usize, step: usize, count: usize) -> usize {
    if count == 0 {
        0
    } else {
        (current + step) % count
    }
}

/// Keeps the active option on the palette's screen.
fn scroll_to(at: usize) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("palette-option-{at}")))
    {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Every option for what is typed: the issues found, the actions on the issue at hand, then the
/// tracker's own.
fn items(state: &AppState, typed: &str) -> Vec<Item> {
    let words: Vec<String> = typed.split_whitespace().map(str::to_lowercase).collect();
    let matches = |text: &str| {
        let text = text.to_lowercase();
        words.iter().all(|word| text.contains(word.as_str()))
    };
    let mut items = Vec::new();
    if !words.is_empty() {
        for issue in state.found.read().iter() {
            items.push(Item {
                group: "Issues".to_owned(),
                text: format!("{} {}", state.reference(issue), issue.title),
                command: Command::Open(issue.id),
            });
        }
    }
    let mut actions = Vec::new();
    let target = (*state.open_issue.peek())
        .or(*state.selected.peek())
        .and_then(|id| state.issue(id).or_else(|| open_issue_of(state, id)));
    if let Some(issue) = target.filter(|_| state.can_change()) {
        let id = issue.id;
        let group = format!("This issue: {}", issue.title);
        let mut add = |text: String, command: Command| {
            actions.push(Item {
                group: group.clone(),
                text,
                command,
            });
        };
        for status in Status::ALL {
            if status != issue.status {
                add(
                    format!("Set status: {}", status_name(status)),
                    Command::Change(Change::Status(id, status)),
                );
            }
        }
        for priority in Priority::ALL.iter().rev().copied() {
            if priority != issue.priority {
                add(
                    format!("Set priority: {}", priority_name(priority)),
                    Command::Change(Change::Priority(id, priority)),
                );
            }
        }
        if let Some(me) = state.me().filter(|me| issue.assignee != Some(*me)) {
            add(
                "Assign to me".to_owned(),
                Command::Change(Change::Assign(id, Some(me))),
            );
        }
        for (member, name) in state.people(None) {
            if issue.assignee != Some(member) && state.me() != Some(member) {
                add(
                    format!("Assign to {name}"),
                    Command::Change(Change::Assign(id, Some(member))),
                );
            }
        }
        if issue.assignee.is_some() {
            add(
                "Unassign".to_owned(),
                Command::Change(Change::Assign(id, None)),
            );
        }
        let on = state.label_ids_of(id);
        for label in state.view.peek().labels.iter() {
            if on.contains(&label.id) {
                add(
                    format!("Remove label: {}", label.name),
                    Command::Change(Change::RemoveLabel(id, label.id)),
                );
            } else {
                add(
                    format!("Add label: {}", label.name),
                    Command::Change(Change::AddLabel(id, label.id)),
                );
            }
        }
        if state.open_issue.peek().is_none() {
            add("Open issue".to_owned(), Command::Open(id));
        }
        if issue.deleted_at.is_none() {
            add("Delete issue…".to_owned(), Command::Delete(id));
        }
    }
    let general = "Tracker".to_owned();
    let mut tracker = |text: &str, command: Command| {
        actions.push(Item {
            group: general.clone(),
            text: text.to_owned(),
            command,
        });
    };
    if state.can_change() {
        tracker("New issue", Command::NewIssue);
        tracker("Members", Command::Members);
        tracker("Your account", Command::Account);
        let history = state.undo.peek();
        if history.can_undo() {
            tracker("Undo", Command::Undo);
        }
        if history.can_redo() {
            tracker("Redo", Command::Redo);
        }
    }
    tracker("Inbox", Command::Inbox);
    tracker("Trash", Command::Trash);
    tracker("Export as JSON", Command::Export(ExportFormat::Json));
    tracker("Export as CSV", Command::Export(ExportFormat::Csv));
    tracker("Search issues", Command::Search);
    tracker("Sync inspector", Command::Inspector);
    tracker("Keyboard shortcuts", Command::Shortcuts);
    let workspaces = state
        .session
        .peek()
        .as_ref()
        .map(|info| info.workspaces.clone())
        .unwrap_or_default();
    for workspace in workspaces.iter().filter(|w| w.id != state.workspace) {
        actions.push(Item {
            group: "Workspaces".to_owned(),
            text: format!("Switch to {}", workspace.name),
            command: Command::Workspace(workspace.id),
        });
    }
    items.extend(
        actions
            .into_iter()
            .filter(|item| matches(&item.text))
            .take(MAX_ACTIONS),
    );
    items
}

/// The open issue as the engine sent it with its page.
fn open_issue_of(state: &AppState, id: Uuid) -> Option<shared::issue::Issue> {
    state
        .view
        .peek()
        .open
        .as_ref()
        .filter(|open| open.issue.id == id)
        .map(|open| open.issue.clone())
}
