//! Rules that need the database to decide, written once for the server and the replica: a guard
//! statement inserts the rule's name into the always-empty `refusal` table when the rule is broken,
//! the row breaks that rule's constraint (`migrations/0005_schema_v2.sql`), and the mutation's
//! statements abort whole, on D1 and in a replica alike. The error names the rule; [`Rule::message`]
//! says it to people.
//!
//! Guards run when a mutation is made (the server's push, a replica's local mutation and its rebase),
//! never when a replica applies a log entry: the server applied it, so it holds.

use crate::error::MutationError;
use crate::statement::{SqlValue, Statement};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `?1` issue, `?2` workspace: the issue exists.
    IssueMissing,
    /// `?1` label, `?2` workspace: the label exists.
    LabelMissing,
    /// `?1` label, `?2` workspace, `?3` name: no other label of the workspace has the name, whatever
    /// its case.
    LabelNameTaken,
    /// `?1` comment, `?2` workspace, `?3` member: the member wrote the comment, or owns the workspace
    /// (a comment that is gone breaks no rule: editing or deleting it changes nothing).
    NotCommentAuthor,
    /// `?1` issue, `?2` comment, `?3` its new text, `?4` a row's overhead, `?5` the cap: the issue's
    /// thread, with this comment's text in place of what it had, stays within the cap
    /// ([`crate::protocol::MAX_THREAD_BYTES`], counted as a snapshot page counts it).
    ThreadFull,
    /// `?1` label, `?2` workspace, `?3` the cap: the workspace has fewer labels than the cap besides
    /// this one ([`crate::protocol::MAX_LABELS`]).
    TooManyLabels,
    /// `?1` issue, `?2` workspace, then for each of status, priority, assignee, title and description
    /// a flag (the field is named) and the value it must still hold: an undo is refused when someone
    /// changed a field it reverts since the change it undoes ([`crate::mutations::RevertIssue`]).
    ChangedSince,
    /// `?1` comment, `?2` issue, `?3` workspace: the comment exists, on that issue.
    CommentMissing,
}

impl Rule {
    const ALL: [Rule; 8] = [
        Rule::IssueMissing,
        Rule::LabelMissing,
        Rule::LabelNameTaken,
        Rule::NotCommentAuthor,
        Rule::ThreadFull,
        Rule::TooManyLabels,
        Rule::ChangedSince,
        Rule::CommentMissing,
    ];

    /// The guard statement: refuses when the rule is broken.
    pub fn guard(self, params: Vec<SqlValue>) -> Statement {
        let sql = match self {
            Rule::IssueMissing => {
                "INSERT INTO refusal (rule) SELECT 'issue_missing' WHERE NOT EXISTS \
                 (SELECT 1 FROM issue WHERE id = ?1 AND workspace_id = ?2)"
            }
            Rule::LabelMissing => {
                "INSERT INTO refusal (rule) SELECT 'label_missing' WHERE NOT EXISTS \
                 (SELECT 1 FROM label WHERE id = ?1 AND workspace_id = ?2)"
            }
            Rule::LabelNameTaken => {
                "INSERT INTO refusal (rule) SELECT 'label_name_taken' WHERE EXISTS \
                 (SELECT 1 FROM label WHERE workspace_id = ?2 AND name = ?3 COLLATE NOCASE \
                 AND id <> ?1)"
            }
            Rule::NotCommentAuthor => {
                "INSERT INTO refusal (rule) SELECT 'not_comment_author' WHERE EXISTS \
                 (SELECT 1 FROM comment WHERE id = ?1 AND workspace_id = ?2 AND author <> ?3) \
                 AND NOT EXISTS (SELECT 1 FROM membership WHERE workspace_id = ?2 \
                 AND member_id = ?3 AND role = 'owner')"
            }
            Rule::ThreadFull => {
                "INSERT INTO refusal (rule) SELECT 'thread_full' WHERE \
                 (SELECT COALESCE(SUM(length(CAST(body AS BLOB)) + ?4), 0) FROM comment \
                 WHERE issue_id = ?1 AND id <> ?2) + length(CAST(?3 AS BLOB)) + ?4 > ?5"
            }
            Rule::TooManyLabels => {
                "INSERT INTO refusal (rule) SELECT 'too_many_labels' WHERE \
                 (SELECT COUNT(*) FROM label WHERE workspace_id = ?2 AND id <> ?1) >= ?3"
            }
            Rule::ChangedSince => {
                "INSERT INTO refusal (rule) SELECT 'changed_since' FROM issue \
                 WHERE id = ?1 AND workspace_id = ?2 AND ((?3 AND status IS NOT ?4) \
                 OR (?5 AND priority IS NOT ?6) OR (?7 AND assignee IS NOT ?8) \
                 OR (?9 AND title IS NOT ?10) OR (?11 AND description IS NOT ?12))"
            }
            Rule::CommentMissing => {
                "INSERT INTO refusal (rule) SELECT 'comment_missing' WHERE NOT EXISTS \
                 (SELECT 1 FROM comment WHERE id = ?1 AND issue_id = ?2 AND workspace_id = ?3)"
            }
        };
        Statement::new(sql, params)
    }

    /// The comment rule for `comment`, as `by`.
    pub fn comment_author(
        comment: crate::mutations::fields::CommentId,
        by: &crate::actor::Actor,
    ) -> Statement {
        Rule::NotCommentAuthor.guard(vec![
            comment.to_string().into(),
            by.workspace(),
            by.member(),
        ])
    }

    /// The name rule for `label` taking `name`, in `by`'s workspace.
    pub fn label_name_free(
        label: crate::mutations::fields::LabelId,
        name: &str,
        by: &crate::actor::Actor,
    ) -> Statement {
        Rule::LabelNameTaken.guard(vec![label.to_string().into(), by.workspace(), name.into()])
    }

    /// The thread rule for `comment` on `issue` holding `body`.
    pub fn thread_room(
        issue: crate::mutations::fields::IssueId,
        comment: crate::mutations::fields::CommentId,
        body: &str,
    ) -> Statement {
        Rule::ThreadFull.guard(vec![
            issue.to_string().into(),
            comment.to_string().into(),
            body.into(),
            (crate::protocol::SNAPSHOT_ROW_OVERHEAD_BYTES as u64).into(),
            (crate::protocol::MAX_THREAD_BYTES as u64).into(),
        ])
    }

    /// The label-count rule for `label`, in `by`'s workspace.
    pub fn label_room(
        label: crate::mutations::fields::LabelId,
        by: &crate::actor::Actor,
    ) -> Statement {
        Rule::TooManyLabels.guard(vec![
            label.to_string().into(),
            by.workspace(),
            (crate::protocol::MAX_LABELS as u64).into(),
        ])
    }

    /// The constraint the rule's row breaks: what its error contains.
    fn constraint(self) -> &'static str {
        match self {
            Rule::IssueMissing => "refused_issue_missing",
            Rule::LabelMissing => "refused_label_missing",
            Rule::LabelNameTaken => "refused_label_name_taken",
            Rule::NotCommentAuthor => "refused_not_comment_author",
            Rule::ThreadFull => "refused_thread_full",
            Rule::TooManyLabels => "refused_too_many_labels",
            Rule::ChangedSince => "refused_changed_since",
            Rule::CommentMissing => "refused_comment_missing",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Rule::IssueMissing => "the issue does not exist (it may have been deleted)",
            Rule::LabelMissing => "the label does not exist (it may have been deleted)",
            Rule::LabelNameTaken => "another label already has this name",
            Rule::NotCommentAuthor => {
                "only the comment's author or the workspace's owner may change or delete it"
            }
            Rule::ThreadFull => {
                "this issue's comments are at their limit (2 MiB of text in all): start a new issue \
                 and link to this one"
            }
            Rule::TooManyLabels => {
                "this workspace has as many labels as it may (200): delete one it no longer uses"
            }
            Rule::ChangedSince => {
                "someone changed this since: undoing would overwrite their change, so nothing was \
                 undone"
            }
            Rule::CommentMissing => "the comment does not exist (it may have been deleted)",
        }
    }

    /// The rule a database error says was broken, if any.
    pub fn broken(sql_error: &str) -> Option<Rule> {
        Rule::ALL
            .into_iter()
            .find(|rule| sql_error.contains(rule.constraint()))
    }
}

/// Why statements failed: a broken rule in its words, or the database's message.
pub fn statement_failed(sql_error: &str) -> MutationError {
    match Rule::broken(sql_error) {
        Some(rule) => MutationError::StatementFailed(rule.message().to_owned()),
        None => MutationError::StatementFailed(sql_error.to_owned()),
    }
}
