//! Undo and redo of this tab's own changes (Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, and the toast's button).
//!
//! Each change made here is recorded with what it changed from, read from the rows the page shows
//! when it is made: a status, priority, assignee, title or description (field by field), a label
//! added or removed, an issue created, sent to the trash or restored. A change to many picked issues
//! is one step. Undoing is an ordinary new mutation, never a rollback: `revertIssue` writes back each
//! field as it was, and is refused when someone changed that field since (their change stays);
//! labels are added or removed again; the trash is left or entered again. So it works offline, syncs
//! like any change, and converges. The stacks live in this tab only: a reload starts with none.

use shared::Mutation;
use shared::issue::Issue;
use shared::mutations::fields::{Description, MemberId, Millis, Priority, Status, Title};
use shared::mutations::{
    AddIssueLabel, DeleteIssue, RemoveIssueLabel, RestoreIssue, Revert, RevertIssue,
};
use uuid::Uuid;

/// The most steps kept to undo.
const DEPTH: usize = 100;

/// An issue's fields a change set, each as (before, after).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub id: Uuid,
    pub status: Option<(Status, Status)>,
    pub priority: Option<(Priority, Priority)>,
    pub assignee: Option<(Option<MemberId>, Option<MemberId>)>,
    pub title: Option<(Title, Title)>,
    pub description: Option<(Description, Description)>,
}

/// What one change did to one issue, enough to do it again or take it back.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Fields set.
    Fields(Fields),
    Label {
        issue: Uuid,
        label: Uuid,
        added: bool,
    },
    /// Sent to the trash (`trashed`) or restored from it.
    Trash {
        id: Uuid,
        trashed: bool,
    },
    Created {
        id: Uuid,
    },
}

impl Step {
    /// What `mutation` does to `before` (the issue as the page shows it, and the ids of its labels),
    /// if it is a change this tab can take back.
    pub fn of(mutation: &Mutation, before: Option<&Issue>, labels: &[Uuid]) -> Option<Step> {
        let fields = |id| Fields {
            id,
            ..Fields::default()
        };
        let step = match (mutation, before) {
            (Mutation::CreateIssue(m), _) => Step::Created { id: m.id },
            (Mutation::UpdateIssueStatus(m), Some(b)) if b.status != m.status => {
                Step::Fields(Fields {
                    status: Some((b.status, m.status)),
                    ..fields(m.id)
                })
            }
            (Mutation::SetIssuePriority(m), Some(b)) if b.priority != m.priority => {
                Step::Fields(Fields {
                    priority: Some((b.priority, m.priority)),
                    ..fields(m.id)
                })
            }
            (Mutation::AssignIssue(m), Some(b)) if b.assignee != m.assignee => {
                Step::Fields(Fields {
                    assignee: Some((b.assignee, m.assignee)),
                    ..fields(m.id)
                })
            }
            (Mutation::UpdateIssue(m), Some(b)) => {
                let title = m
                    .title
                    .as_ref()
                    .filter(|t| t.as_str() != b.title)
                    .and_then(|t| Some((Title::try_from(b.title.clone()).ok()?, t.clone())));
                let description = m
                    .description
                    .as_ref()
                    .filter(|d| d.as_str() != b.description)
                    .and_then(|d| {
                        Some((
                            Description::try_from(b.description.clone()).ok()?,
                            d.clone(),
                        ))
                    });
                if title.is_none() && description.is_none() {
                    return None;
                }
                Step::Fields(Fields {
                    title,
                    description,
                    ..fields(m.id)
                })
            }
            (Mutation::AddIssueLabel(m), Some(_)) if !labels.contains(&m.label_id) => Step::Label {
                issue: m.issue_id,
                label: m.label_id,
                added: true,
            },
            (Mutation::RemoveIssueLabel(m), Some(_)) if labels.contains(&m.label_id) => {
                Step::Label {
                    issue: m.issue_id,
                    label: m.label_id,
                    added: false,
                }
            }
            (Mutation::DeleteIssue(m), Some(b))
                if m.deleted_at.is_some() && b.deleted_at.is_none() =>
            {
                Step::Trash {
                    id: m.id,
                    trashed: true,
                }
            }
            (Mutation::RestoreIssue(m), Some(b)) if b.deleted_at.is_some() => Step::Trash {
                id: m.id,
                trashed: false,
            },
            _ => return None,
        };
        Some(step)
    }

    /// The mutation that takes this step back (`back`) or does it again, made at `now`.
    pub fn mutation(&self, back: bool, now: Millis) -> Mutation {
        // Undo goes from `after` to `before`; redo from `before` to `after`.
        fn revert<T: Clone>(pair: &Option<(T, T)>, back: bool) -> Option<Revert<T>> {
            pair.as_ref().map(|(before, after)| {
                let (from, to) = if back {
                    (after, before)
                } else {
                    (before, after)
                };
                Revert {
                    from: from.clone(),
                    to: to.clone(),
                }
            })
        }
        match self {
            Step::Fields(Fields {
                id,
                status,
                priority,
                assignee,
                title,
                description,
            }) => RevertIssue {
                id: *id,
                updated_at: now,
                status: revert(status, back),
                priority: revert(priority, back),
                assignee: revert(assignee, back),
                title: revert(title, back),
                description: revert(description, back),
            }
            .into(),
            Step::Label {
                issue,
                label,
                added,
            } => {
                if *added != back {
                    AddIssueLabel {
                        issue_id: *issue,
                        label_id: *label,
                        updated_at: now,
                    }
                    .into()
                } else {
                    RemoveIssueLabel {
                        issue_id: *issue,
                        label_id: *label,
                        updated_at: now,
                    }
                    .into()
                }
            }
            // Taking back a create sends the issue to the trash, as taking back a restore does;
            // doing either again brings it out.
            Step::Trash { id, .. } | Step::Created { id } => {
                let restored = matches!(
                    self,
                    Step::Created { .. } | Step::Trash { trashed: false, .. }
                );
                if restored == back {
                    DeleteIssue {
                        id: *id,
                        deleted_at: Some(now),
                    }
                    .into()
                } else {
                    RestoreIssue {
                        id: *id,
                        restored_at: now,
                    }
                    .into()
                }
            }
        }
    }
}

/// One change as the person made it: its steps (one per issue a change to many touched) and how the
/// toast names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub what: String,
    pub steps: Vec<Step>,
}

/// The tab's two stacks, and the toast that offers the last move back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    done: Vec<Entry>,
    undone: Vec<Entry>,
    /// The newest change or undo, to show with its button: (a number that tells toasts apart, the
    /// text, whether its button redoes).
    pub toast: Option<Toast>,
    shown: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    /// The button redoes (the toast follows an undo) rather than undoes.
    pub redo: bool,
}

impl History {
    /// A change made here: it can be undone; what was undone before it can no longer be redone.
    pub fn record(&mut self, entry: Entry) {
        self.show(entry.what.clone(), false);
        self.done.push(entry);
        if self.done.len() > DEPTH {
            self.done.remove(0);
        }
        self.undone.clear();
    }

    /// The newest change to take back, and the mutations that do it, made at `now` (last step
    /// first); `None` when there is nothing to undo.
    pub fn undo(&mut self, now: Millis) -> Option<Vec<Mutation>> {
        let entry = self.done.pop()?;
        let mutations = entry
            .steps
            .iter()
            .rev()
            .map(|s| s.mutation(true, now))
            .collect();
        self.show(format!("Undone: {}", entry.what), true);
        self.undone.push(entry);
        Some(mutations)
    }

    /// The newest undone change to make again, and its mutations.
    pub fn redo(&mut self, now: Millis) -> Option<Vec<Mutation>> {
        let entry = self.undone.pop()?;
        let mutations = entry.steps.iter().map(|s| s.mutation(false, now)).collect();
        self.show(format!("Redone: {}", entry.what), false);
        self.done.push(entry);
        Some(mutations)
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    fn show(&mut self, text: String, redo: bool) {
        self.shown += 1;
        self.toast = Some(Toast {
            id: self.shown,
            text,
            redo,
        });
    }
}

/// How the toast names a change: what one mutation did, or how many issues a change to many did it
/// to.
pub fn describe(
    steps: &[Step],
    label: impl Fn(Uuid) -> String,
    person: impl Fn(Option<Uuid>) -> String,
) -> String {
    use crate::components::{priority_name, status_name};
    let issues = {
        let mut ids: Vec<Uuid> = steps.iter().map(Step::issue).collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    let what = match steps.first() {
        None => return String::new(),
        Some(Step::Fields(Fields {
            status: Some((_, to)),
            ..
        })) => format!("Status → {}", status_name(*to)),
        Some(Step::Fields(Fields {
            priority: Some((_, to)),
            ..
        })) => format!("Priority → {}", priority_name(*to)),
        Some(Step::Fields(Fields {
            assignee: Some((_, to)),
            ..
        })) => match to {
            Some(_) => format!("Assigned to {}", person(*to)),
            None => "Unassigned".to_owned(),
        },
        Some(Step::Fields(Fields { title: Some(_), .. })) => "Title changed".to_owned(),
        Some(Step::Fields(_)) => "Description changed".to_owned(),
        Some(Step::Label {
            label: l, added, ..
        }) => {
            format!(
                "Label {} {}",
                label(*l),
                if *added { "added" } else { "removed" }
            )
        }
        Some(Step::Trash { trashed: true, .. }) => "Moved to the trash".to_owned(),
        Some(Step::Trash { trashed: false, .. }) => "Restored from the trash".to_owned(),
        Some(Step::Created { .. }) => "Issue created".to_owned(),
    };
    if issues > 1 {
        format!("{what} · {issues} issues")
    } else {
        what
    }
}

impl Step {
    /// The issue it is about.
    pub fn issue(&self) -> Uuid {
        match self {
            Step::Fields(Fields { id, .. }) | Step::Trash { id, .. } | Step::Created { id, .. } => {
                *id
            }
            Step::Label { issue, .. } => *issue,
        }
    }
}
