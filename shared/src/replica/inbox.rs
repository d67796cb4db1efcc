//! What the UI reads of the conversation (schema version 4): an issue's reactions, whether the
//! member follows it, and their inbox, derived from the replica's rows (see [`crate::inbox`]).

use super::Replica;
use super::error::Result;
use crate::inbox::{Activity, INBOX_LIMIT, InboxItem};
use crate::mutations::fields::IssueId;
use crate::reaction::{REACTION_COLUMNS, Reaction};
use crate::sqlite::reaction;

/// `?1` member, `?2` issue: whether they follow it. An explicit choice wins; otherwise they follow
/// what they made, are assigned to or commented on.
const WATCHING: &str = "SELECT COALESCE( \
     (SELECT subscribed FROM subscription WHERE member_id = ?1 AND issue_id = ?2), \
     EXISTS (SELECT 1 FROM issue WHERE id = ?2 AND (created_by = ?1 OR assignee = ?1)) \
     OR EXISTS (SELECT 1 FROM comment WHERE issue_id = ?2 AND author = ?1))";

/// `?1` member, `?2` how many: the member's inbox, newest first. Each issue once, by its latest
/// activity by someone else that concerns the member (a mention before a comment made at the same
/// time), unread when it is later than both the issue's read mark and the read-everything mark.
/// Every part reads by index: mentions by member, assignments by value, the followed issues' comments
/// and status changes by issue.
const INBOX: &str = "\
WITH watched(issue_id) AS ( \
  SELECT issue_id FROM ( \
    SELECT id AS issue_id FROM issue WHERE created_by = ?1 \
    UNION SELECT id FROM issue WHERE assignee = ?1 \
    UNION SELECT issue_id FROM comment WHERE author = ?1 \
    UNION SELECT issue_id FROM subscription WHERE member_id = ?1 AND subscribed = 1) \
  WHERE issue_id NOT IN (SELECT issue_id FROM subscription WHERE member_id = ?1 AND subscribed = 0)), \
activity(issue_id, at, by_member, kind, comment_id, value, rank) AS ( \
  SELECT m.issue_id, m.at, m.by_member, 'mentioned', NULLIF(m.comment_id, ''), \
    COALESCE((SELECT substr(body, 1, 200) FROM comment WHERE id = m.comment_id), ''), 0 \
  FROM mention m WHERE m.member_id = ?1 AND m.by_member <> ?1 \
  UNION ALL \
  SELECT issue_id, at, member_id, 'assigned', NULL, '', 1 FROM issue_event \
  WHERE kind = 'assignee' AND value = ?1 AND member_id <> ?1 \
  UNION ALL \
  SELECT c.issue_id, c.created_at, c.author, 'commented', c.id, substr(c.body, 1, 200), 2 \
  FROM watched w JOIN comment c ON c.issue_id = w.issue_id WHERE c.author <> ?1 \
  UNION ALL \
  SELECT e.issue_id, e.at, e.member_id, 'status', NULL, e.value, 3 \
  FROM watched w JOIN issue_event e ON e.issue_id = w.issue_id \
  WHERE e.kind = 'status' AND e.member_id <> ?1), \
latest AS ( \
  SELECT *, ROW_NUMBER() OVER (PARTITION BY issue_id ORDER BY at DESC, rank) AS n FROM activity) \
SELECT l.issue_id, i.number, i.title, l.kind, l.by_member, l.at, l.comment_id, l.value, \
  l.at > MAX( \
    COALESCE((SELECT read_at FROM inbox_read WHERE member_id = ?1 AND issue_id = l.issue_id), 0), \
    COALESCE((SELECT read_at FROM inbox_read WHERE member_id = ?1 AND issue_id = ''), 0)) \
  AS unread \
FROM latest l JOIN issue i ON i.id = l.issue_id AND i.deleted_at IS NULL \
WHERE l.n = 1 ORDER BY l.at DESC, l.issue_id LIMIT ?2";

impl Replica {
    /// The reactions on an issue and its comments, oldest first.
    pub fn reactions(&self, issue: IssueId) -> Result<Vec<Reaction>> {
        let mut statement = self.optimistic.prepare_cached(&format!(
            "SELECT {REACTION_COLUMNS} FROM reaction WHERE issue_id = ?1 \
             ORDER BY created_at, member_id, emoji"
        ))?;
        let reactions = statement
            .query_map([issue.to_string()], reaction)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(reactions)
    }

    /// Whether this replica's member follows `issue` in their inbox.
    pub fn watching(&self, issue: IssueId) -> Result<bool> {
        Ok(self.optimistic.prepare_cached(WATCHING)?.query_row(
            [self.actor.member_id.to_string(), issue.to_string()],
            |row| row.get::<_, bool>(0),
        )?)
    }

    /// This replica's member's inbox, newest first, at most [`INBOX_LIMIT`] issues.
    pub fn inbox(&self) -> Result<Vec<InboxItem>> {
        let mut statement = self.optimistic.prepare_cached(INBOX)?;
        let items = statement
            .query_map(
                rusqlite::params![self.actor.member_id.to_string(), INBOX_LIMIT],
                |row| {
                    let kind: String = row.get(3)?;
                    let id = |i: usize| -> rusqlite::Result<uuid::Uuid> {
                        let text: String = row.get(i)?;
                        uuid::Uuid::parse_str(&text).map_err(|err| {
                            rusqlite::Error::FromSqlConversionFailure(
                                i,
                                rusqlite::types::Type::Text,
                                err.into(),
                            )
                        })
                    };
                    let comment: Option<String> = row.get(6)?;
                    Ok(InboxItem {
                        issue_id: id(0)?,
                        number: row.get::<_, Option<i64>>(1)?.map(|n| n as u64),
                        title: row.get(2)?,
                        activity: Activity::parse(&kind).unwrap_or(Activity::Commented),
                        by: id(4)?,
                        at: row.get::<_, i64>(5)? as u64,
                        comment_id: comment.and_then(|c| uuid::Uuid::parse_str(&c).ok()),
                        value: row.get(7)?,
                        unread: row.get(8)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(items)
    }
}
