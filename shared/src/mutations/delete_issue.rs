//! `deleteIssue {id, deletedAt?}`: with `deletedAt` (schema version 3), the issue goes to the trash,
//! whole (its comments, labels and history stay), restorable by any member ([`super::RestoreIssue`])
//! until compaction removes it ([`crate::compaction`]); without (what a client of version 2 sends, and
//! what the log holds from before the trash), it is deleted for good, as it always was.

use serde::{Deserialize, Serialize};

use super::fields::{IssueId, Millis};
use super::{Mutator, Scope, history};
use crate::actor::Actor;
use crate::history::EventKind;
use crate::issue::Issue;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteIssue {
    pub id: IssueId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Millis>,
}

impl Mutator for DeleteIssue {
    const NAME: &'static str = "deleteIssue";

    /// For good, it also removes the issue's read marks, which are in the inbox's scope: the rows
    /// compaction's purge deletes on the server, so that the replicas that apply its entry equal it.
    fn scopes(&self) -> Vec<Scope> {
        match self.deleted_at {
            Some(_) => vec![Scope::Issue(self.id)],
            None => vec![Scope::Issue(self.id), Scope::Inbox],
        }
    }

    /// A trashed issue keeps its row, marked; one already in the trash keeps its first mark.
    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        let at = self.deleted_at?;
        row.map(|issue| match issue.deleted_at {
            Some(_) => issue,
            None => Issue {
                deleted_at: Some(at.get()),
                deleted_by: Some(by.member_id),
                ..issue
            },
        })
    }

    /// To the trash: marks the issue (one already there keeps its mark) and records it. For good:
    /// deletes it with its comments, label links, history, conversation rows and read marks (the
    /// same rows as compaction's purge, [`crate::compaction`]). Either way an issue that is already
    /// gone changes nothing.
    fn effects(&self, by: &Actor) -> Vec<Statement> {
        let params = || vec![self.id.to_string().into(), by.workspace()];
        if let Some(at) = self.deleted_at {
            let mut statements = vec![Statement::new(
                "UPDATE issue SET deleted_at = ?3, deleted_by = ?4 \
                 WHERE id = ?1 AND workspace_id = ?2 AND deleted_at IS NULL",
                vec![
                    self.id.to_string().into(),
                    by.workspace(),
                    SqlValue::from(at.get()),
                    by.member(),
                ],
            )];
            statements.extend(history::record(
                self.id,
                EventKind::Trashed,
                "",
                at.get(),
                by,
            ));
            return statements;
        }
        let mut statements: Vec<Statement> = super::mentions::FORGET_ISSUE
            .into_iter()
            .map(|sql| Statement::new(sql, params()))
            .collect();
        statements.extend([
            Statement::new(
                "DELETE FROM inbox_read WHERE issue_id = ?1 AND workspace_id = ?2",
                params(),
            ),
            Statement::new(
                "DELETE FROM comment WHERE issue_id = ?1 AND workspace_id = ?2",
                params(),
            ),
            Statement::new(
                "DELETE FROM issue_label WHERE issue_id = ?1 AND workspace_id = ?2",
                params(),
            ),
            Statement::new(history::FORGET, params()),
            Statement::new(
                "DELETE FROM issue WHERE id = ?1 AND workspace_id = ?2",
                params(),
            ),
        ]);
        statements
    }
}
