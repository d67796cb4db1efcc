//! The statements that record an issue's history ([`crate::history`]), written by each mutation
//! beside its change, so that the server and every replica write the same rows from the same log.
//!
//! An event is keyed by what it records (issue, time, member, kind, value): replaying a log entry over
//! rows that already hold its effects (a snapshot's, see [`crate::snapshot`]) writes the same row
//! again rather than a second one. It is recorded whatever the row held before, never only when a
//! value differs: what the row held depends on where a replay starts, and the history must not.

use super::fields::IssueId;
use crate::actor::Actor;
use crate::history::{EventKind, MAX_EVENTS_PER_ISSUE};
use crate::statement::{SqlValue, Statement};

/// `?1` issue, `?2` time, `?3` member, `?4` kind, `?5` value, `?6` workspace: while the issue exists.
const RECORD: &str = "INSERT OR REPLACE INTO issue_event \
     (issue_id, at, member_id, kind, value, workspace_id) \
     SELECT id, ?2, ?3, ?4, ?5, workspace_id FROM issue WHERE id = ?1 AND workspace_id = ?6";
/// `?1` issue, `?2` how many to keep: the issue's events older than its newest `?2`.
const TRIM: &str = "DELETE FROM issue_event WHERE issue_id = ?1 AND at < \
     (SELECT at FROM issue_event WHERE issue_id = ?1 ORDER BY at DESC LIMIT 1 OFFSET ?2 - 1)";
/// `?1` issue, `?2` workspace: all of them, when the issue itself is deleted for good.
pub(super) const FORGET: &str = "DELETE FROM issue_event WHERE issue_id = ?1 AND workspace_id = ?2";

/// The statements recording that `by` did `kind` (to `value`) to `issue` at `at`, then keeping the
/// issue's newest [`MAX_EVENTS_PER_ISSUE`].
pub fn record(issue: IssueId, kind: EventKind, value: &str, at: u64, by: &Actor) -> [Statement; 2] {
    let id = SqlValue::from(issue.to_string());
    [
        Statement::new(
            RECORD,
            vec![
                id.clone(),
                at.into(),
                by.member(),
                kind.as_str().into(),
                value.into(),
                by.workspace(),
            ],
        ),
        Statement::new(TRIM, vec![id, MAX_EVENTS_PER_ISSUE.into()]),
    ]
}
