//! The list's window: a few dozen rows of the issues that match a filter, anywhere in a list of
//! 100,000, read by keyset on the filter's order and never by counting from the top.
//!
//! Each order has a key ([`SortKey`]: `(created_at, id)`, `(updated_at, id)`, or the priority's rank
//! then `(created_at, id)`), and optimistic has an index on each (`replica/optimistic/0002_list.sql`).
//! A window is read from the nearest place whose position is known: the top, the bottom, or the first
//! row of the window sent last ([`ListCursor`]), stepping over only the rows in between. Scrolling
//! moves a window by a few rows, so each read is a few index steps however long the list.
//!
//! When the data changes, the window keeps its first row (found again by its key, its position
//! counted anew), so rows arriving above do not move what is on the screen; a window at the top stays
//! at the top, where new issues appear. A request the UI measured on a window of older data (it
//! scrolled while the change was on its way) is moved by as much ([`WindowRequest::seen`]).
//!
//! Counts are read once per change of the data, not per keystroke or scroll: the status counts (kept
//! by triggers, so a read of three rows) and each filter's matches ([`super::matches`]), remembered
//! until the next change. A filter's count is read before its rows, and says how to read them: along
//! the index when many rows match, by their ids or one pass over the table when few do ([`Plan`]).

use rusqlite::ToSql;
use rusqlite::types::Value;
use rusqlite::vtab::array::Array;
use serde::{Deserialize, Serialize};

use super::Replica;
use super::error::Result;
use super::matches::{Found, search_text};
use crate::issue::{Issue, IssueFilter, MAX_WINDOW, Sort, StatusCounts, WindowRequest};
use crate::mutations::fields::{IssueId, Status};
use crate::snapshot::ISSUE_COLUMNS as COLUMNS;
use crate::sqlite::issue;

/// A window of the list: `issues` are the rows at positions `start`, `start + 1`, ... of the
/// `matching` issues that match the filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub start: u64,
    pub issues: Vec<Issue>,
    pub matching: u64,
    /// Every issue, by status, whatever the filter.
    pub counts: StatusCounts,
    /// The data this window was read from (optimistic's count of changed rows): a request measured
    /// on it says so with `WindowRequest::seen`.
    #[serde(default)]
    pub version: u64,
}

/// What the engine remembers between windows: where the last one started, and the counts until the
/// data changes. One per list.
#[derive(Debug, Default)]
pub struct ListCursor {
    /// The filter, the position and the first row of the window sent last.
    last: Option<(IssueFilter, u64, Issue)>,
    /// Optimistic's count of changed rows when `last` was placed and the counts read: when it has
    /// moved, the data changed, and they are read again.
    seen: Option<u64>,
    counts: Option<StatusCounts>,
    found: Found,
}

impl Replica {
    /// The window `request` asks for. When the data changed since the last window, `keep` keeps that
    /// window's first row where it was on the screen (unless that window was at the top): the
    /// answer's `start` says where that row is now.
    pub fn window(
        &self,
        cursor: &mut ListCursor,
        filter: &IssueFilter,
        request: WindowRequest,
        keep: bool,
    ) -> Result<Window> {
        // Every write to optimistic (a local change, a rebase, a snapshot) counts its rows here.
        let stamp = self.optimistic.total_changes();
        let moved = cursor.seen != Some(stamp);
        if moved {
            cursor.counts = None;
            cursor.found.clear();
        }
        cursor.seen = Some(stamp);
        let counts = match cursor.counts {
            Some(counts) => counts,
            None => self.status_counts()?,
        };
        cursor.counts = Some(counts);
        let len = u64::from(request.len.min(MAX_WINDOW));
        // The count first: it says how to read.
        let matches = self.matches(filter, &counts, &mut cursor.found)?;
        let matching = matches.n;
        let mut list = List::new(self, filter);
        if matching < SPARSE * len.max(1) {
            list.plan = match matches.ids {
                Some(ids) => Plan::Among(ids),
                None => Plan::Scan,
            };
        }

        // The last window's first row, where it is now.
        let mut was_at_top = true;
        let last = match cursor.last.take() {
            Some((known, start, first)) if known == *filter => {
                was_at_top = start == 0;
                let start = if moved { list.position(&first)? } else { start };
                Some((start, first))
            }
            _ => None,
        };

        let start = match (request.around, &last) {
            (Some(id), _) => match list.find(id)? {
                Some((position, _)) => position.saturating_sub(len / 2),
                None => request.start,
            },
            (None, Some((at, _))) if keep && !was_at_top => *at,
            (None, Some(_)) => match request.seen {
                // Measured on a window of older data: a row on that screen moved by as many rows
                // as arrived (or left) above it, and so did the positions the UI asks for. (Not at
                // the top, which stays at the top.)
                Some(seen) if seen.version != stamp && seen.at > 0 => match list.find(seen.id)? {
                    Some((now, _)) => (request.start + now).saturating_sub(seen.at),
                    None => request.start,
                },
                _ => request.start,
            },
            (None, None) => request.start,
        };
        let start = start.min(matching.saturating_sub(len.min(matching)));
        let issues = list.rows(start, len, matching, last.as_ref())?;
        if let Some(first) = issues.first() {
            cursor.last = Some((filter.clone(), start, first.clone()));
        }
        Ok(Window {
            start,
            issues,
            matching,
            counts,
            version: stamp,
        })
    }

    /// Issues by status, optimistically: kept by optimistic's triggers as its issues change
    /// (`replica/optimistic/0004_status_counts.sql`), so three rows are read, not every issue.
    pub fn status_counts(&self) -> Result<StatusCounts> {
        let mut counts = StatusCounts::default();
        let mut statement = self
            .optimistic
            .prepare_cached("SELECT status, n FROM issue_status_count")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
        })?;
        for row in rows {
            let (status, n) = row?;
            match Status::parse(&status) {
                Some(Status::NotStarted) => counts.not_started = n,
                Some(Status::InProgress) => counts.in_progress = n,
                Some(Status::Done) => counts.done = n,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Every issue that matches `filter`, in its order. For tests and small lists.
    pub fn issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>> {
        List::new(self, filter).step(None, Direction::Down, 0, i64::MAX as u64)
    }
}

/// Which way a read goes from where it starts: down the list (its order) or up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Down,
    Up,
}

/// Whether an issue matches the filter: it is not in the trash; `?1` status, `?2` the text to find as
/// a `LIKE` pattern (`%text%`, see [`like_pattern`]) or `?7` the number that text names (`42`,
/// `TRK-42`: [`crate::numbers::parse_reference`]), `?3`..`?6` lists as JSON arrays (`[]`: no
/// filter) of priorities, assignees (`null` is no one), creators and label names (all of them on the
/// issue). `LIKE` ignores
/// the case of ASCII letters, as `lower` does, without making a lowercase copy of every row's text.
pub(super) const MATCHES: &str = "deleted_at IS NULL AND (?1 IS NULL OR status = ?1) \
     AND (?2 IS NULL OR title LIKE ?2 ESCAPE '\\' OR description LIKE ?2 ESCAPE '\\' \
          OR number = ?7) \
     AND (?3 = '[]' OR priority IN (SELECT value FROM json_each(?3))) \
     AND (?4 = '[]' OR COALESCE(assignee, '') IN (SELECT COALESCE(value, '') FROM json_each(?4))) \
     AND (?5 = '[]' OR created_by IN (SELECT value FROM json_each(?5))) \
     AND (?6 = '[]' OR (SELECT COUNT(DISTINCT lower(label.name)) FROM issue_label l \
          JOIN label ON label.id = l.label_id WHERE l.issue_id = issue.id \
          AND lower(label.name) IN (SELECT lower(value) FROM json_each(?6))) \
          = (SELECT COUNT(DISTINCT lower(value)) FROM json_each(?6)))";

/// An order's key: the columns it sorts by, all descending. The priority's rank is optimistic's
/// virtual column `priority_rank` (`0002_list.sql`).
fn key_columns(sort: Sort) -> &'static [&'static str] {
    match sort {
        Sort::Created => &["created_at", "id"],
        Sort::Updated => &["updated_at", "id"],
        Sort::Priority => &["priority_rank", "created_at", "id"],
    }
}

/// How a list is read when many rows match, along its order's index, looking up each row to test
/// the filter (few steps); when few do, not along it: it would look up nearly every row to find
/// them, at 100,000 issues about 6x a pass over the table. See [`SPARSE`].
#[derive(Clone, PartialEq, Debug)]
pub(super) enum Plan {
    Index,
    /// One pass over the table, which sorts the matching rows.
    Scan,
    /// A lookup of each of the matching rows, by their ids ([`super::matches`]), sorted.
    Among(Array),
}

/// A list is read by [`Plan::Scan`] or [`Plan::Among`] when fewer than this many windows' worth of
/// rows match.
pub(super) const SPARSE: u64 = 8;

/// The SQL of an order's key: `(a, b)` as one row value, placeholders `(?7, ?8)` for a row's values
/// of it, and the order down the list and up it. Off the index each column is written `+a`, an
/// expression, which SQLite never reads from an index.
struct SortKey {
    key: String,
    placeholders: String,
    down: String,
    up: String,
}

impl SortKey {
    fn of(sort: Sort, plan: &Plan) -> SortKey {
        let columns: Vec<String> = key_columns(sort)
            .iter()
            .map(|column| match plan {
                Plan::Index => (*column).to_owned(),
                Plan::Scan | Plan::Among(_) => format!("+{column}"),
            })
            .collect();
        let first = FILTER_PARAMS + 1;
        let placeholders: Vec<String> = (first..first + columns.len())
            .map(|i| format!("?{i}"))
            .collect();
        SortKey {
            key: format!("({})", columns.join(", ")),
            placeholders: format!("({})", placeholders.join(", ")),
            down: columns.join(" DESC, ") + " DESC",
            up: columns.join(", "),
        }
    }
}

/// The filter's parameters, `?1` to `?7` ([`MATCHES`]).
const FILTER_PARAMS: usize = 7;

/// An issue's values of an order's key, in the order of [`key_columns`].
fn key_values(sort: Sort, issue: &Issue) -> Vec<Value> {
    let created = Value::Integer(issue.created_at as i64);
    let id = Value::Text(issue.id.to_string());
    match sort {
        Sort::Created => vec![created, id],
        Sort::Updated => vec![Value::Integer(issue.updated_at as i64), id],
        Sort::Priority => vec![Value::Integer(rank(issue.priority)), created, id],
    }
}

/// The priority's rank, as the column `priority_rank` has it (a test checks they agree).
fn rank(priority: crate::mutations::fields::Priority) -> i64 {
    use crate::mutations::fields::Priority;
    match priority {
        Priority::Urgent => 4,
        Priority::High => 3,
        Priority::Medium => 2,
        Priority::Low => 1,
        Priority::None => 0,
    }
}

/// With [`Plan::Among`], the condition that a row is one of the ids, parameter `?number`.
fn among(plan: &Plan, number: usize) -> String {
    match plan {
        Plan::Among(_) => format!("AND id IN rarray(?{number})"),
        Plan::Index | Plan::Scan => String::new(),
    }
}

/// The statement of [`List::step`]: the filter's parameters, then the key's values when `bound`
/// (from a row), then how many to take and to skip, then the ids with [`Plan::Among`].
fn step_sql(sort: Sort, bound: bool, direction: Direction, plan: &Plan) -> String {
    let key = SortKey::of(sort, plan);
    let (compare, order) = match direction {
        Direction::Down => ("<=", &key.down),
        Direction::Up => (">", &key.up),
    };
    let (bound, next) = if bound {
        (
            format!("AND {} {compare} {}", key.key, key.placeholders),
            FILTER_PARAMS + key_columns(sort).len() + 1,
        )
    } else {
        (String::new(), FILTER_PARAMS + 1)
    };
    format!(
        "SELECT {COLUMNS} FROM issue WHERE {MATCHES} {bound} {} ORDER BY {order} \
         LIMIT ?{next} OFFSET ?{}",
        among(plan, next + 2),
        next + 1
    )
}

/// The `LIKE` pattern that finds `text` anywhere: its own `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One filter's list, read from optimistic.
pub(super) struct List<'r> {
    replica: &'r Replica,
    sort: Sort,
    /// The filter's, [`MATCHES`]'s `?1` to `?7`.
    pub params: Vec<Value>,
    plan: Plan,
}

impl<'r> List<'r> {
    pub fn new(replica: &'r Replica, filter: &IssueFilter) -> List<'r> {
        let text_found = search_text(filter);
        let number = text_found
            .as_deref()
            .and_then(crate::numbers::parse_reference);
        let search = text_found.map(|text| like_pattern(&text));
        let json = |value: serde_json::Value| Value::Text(value.to_string());
        let text = |value: Option<String>| value.map_or(Value::Null, Value::Text);
        List {
            replica,
            sort: filter.sort,
            plan: Plan::Index,
            params: vec![
                text(filter.status.map(|s| s.as_str().to_owned())),
                text(search),
                json(serde_json::json!(filter.priorities)),
                json(serde_json::json!(filter.assignees)),
                json(serde_json::json!(filter.creators)),
                json(serde_json::json!(filter.labels)),
                number.map_or(Value::Null, |n| Value::Integer(n as i64)),
            ],
        }
    }

    /// Up to `take` rows after skipping `skip`, from `from` (a row's key, itself included going
    /// down, excluded going up; `None`: the top going down, the bottom going up), in the list's
    /// order.
    fn step(
        &self,
        from: Option<&Issue>,
        direction: Direction,
        skip: u64,
        take: u64,
    ) -> Result<Vec<Issue>> {
        if take == 0 {
            return Ok(Vec::new());
        }
        let mut params = self.params.clone();
        if let Some(row) = from {
            params.extend(key_values(self.sort, row));
        }
        let sql = step_sql(self.sort, from.is_some(), direction, &self.plan);
        params.push(Value::Integer(take.min(i64::MAX as u64) as i64));
        params.push(Value::Integer(skip.min(i64::MAX as u64) as i64));
        let mut rows = self
            .replica
            .optimistic
            .prepare_cached(&sql)?
            .query_map(&self.with_ids(&params)[..], issue)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if direction == Direction::Up {
            rows.reverse();
        }
        Ok(rows)
    }

    /// How many matching rows come before `row`'s key (whether or not `row` itself still matches).
    fn position(&self, row: &Issue) -> Result<u64> {
        let key = SortKey::of(self.sort, &self.plan);
        let mut params = self.params.clone();
        params.extend(key_values(self.sort, row));
        let n: i64 = self
            .replica
            .optimistic
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM issue WHERE {MATCHES} AND {} > {} {}",
                key.key,
                key.placeholders,
                among(&self.plan, params.len() + 1)
            ))?
            .query_row(&self.with_ids(&params)[..], |row| row.get(0))?;
        Ok(n as u64)
    }

    /// `params`, then the ids with [`Plan::Among`].
    fn with_ids<'p>(&'p self, params: &'p [Value]) -> Vec<&'p dyn ToSql> {
        let mut all: Vec<&dyn ToSql> = params.iter().map(|v| v as &dyn ToSql).collect();
        if let Plan::Among(ids) = &self.plan {
            all.push(ids);
        }
        all
    }

    /// The issue `id` and its position, if it exists and matches the filter.
    fn find(&self, id: IssueId) -> Result<Option<(u64, Issue)>> {
        let Some(row) = self.replica.issue(id)? else {
            return Ok(None);
        };
        let position = self.position(&row)?;
        let here = self.step(Some(&row), Direction::Down, 0, 1)?;
        Ok(match here.first() {
            Some(found) if found.id == id => Some((position, row)),
            _ => None,
        })
    }

    /// The rows at positions `start..start + len` (as many as there are), read from the nearest
    /// place whose position is known: the top, the bottom, or `last` (a row and its position).
    fn rows(
        &self,
        start: u64,
        len: u64,
        matching: u64,
        last: Option<&(u64, Issue)>,
    ) -> Result<Vec<Issue>> {
        let end = (start + len).min(matching);
        if end <= start {
            return Ok(Vec::new());
        }
        let from_top = start;
        let from_bottom = matching - end;
        if let Some((at, row)) =
            last.filter(|(at, _)| at.abs_diff(start) <= from_top.min(from_bottom))
        {
            return self.rows_from(row, *at, start, end - start);
        }
        if from_top <= from_bottom {
            self.step(None, Direction::Down, start, end - start)
        } else {
            self.step(None, Direction::Up, from_bottom, end - start)
        }
    }

    /// `take` rows from position `start`, stepping from `row` at position `at`.
    fn rows_from(&self, row: &Issue, at: u64, start: u64, take: u64) -> Result<Vec<Issue>> {
        if start >= at {
            return self.step(Some(row), Direction::Down, start - at, take);
        }
        let above = at - start;
        if above >= take {
            return self.step(Some(row), Direction::Up, above - take, take);
        }
        let mut rows = self.step(Some(row), Direction::Up, 0, above)?;
        rows.extend(self.step(Some(row), Direction::Down, 0, take - above)?);
        Ok(rows)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::{Direction, Plan, step_sql};
    use crate::issue::Sort;
    use crate::replica::{Replica, Storage};
    use rusqlite::types::Value;

    #[test]
    fn the_rank_of_each_priority_is_the_columns() {
        use crate::mutations::fields::Priority;
        let actor = crate::Actor::new(uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let replica = Replica::open(&Storage::Memory, actor).expect("a replica");
        for priority in [
            Priority::None,
            Priority::Low,
            Priority::Medium,
            Priority::High,
            Priority::Urgent,
        ] {
            replica
                .optimistic
                .execute(
                    "INSERT OR REPLACE INTO issue (id, title, description, owner, status, \
                     created_at, updated_at, priority) VALUES ('00000000-0000-4000-8000-000000000001', '', '', '', 'done', 1, 1, ?1)",
                    [priority.as_str()],
                )
                .expect("a row");
            let column: i64 = replica
                .optimistic
                .query_row("SELECT priority_rank FROM issue", [], |row| row.get(0))
                .expect("its rank");
            assert_eq!(super::rank(priority), column, "{priority:?}");
            // A replaced row is counted once: the replace's delete fires the triggers too.
            let counts = replica.status_counts().expect("counts");
            assert_eq!((counts.done, counts.total()), (1, 1));
        }
    }

    /// Every window read walks its order's index from the key: no sort of the whole list, no scan
    /// of the table. A key written differently from its index's would fail here.
    #[test]
    fn each_order_is_read_along_its_own_index() {
        let actor = crate::Actor::new(uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let replica = Replica::open(&Storage::Memory, actor).expect("a replica");
        for (sort, index) in [
            (Sort::Created, "issue_list_created"),
            (Sort::Updated, "issue_list_updated"),
            (Sort::Priority, "issue_list_priority"),
        ] {
            for bound in [false, true] {
                for direction in [Direction::Down, Direction::Up] {
                    let sql = step_sql(sort, bound, direction, &Plan::Index);
                    let plan = query_plan(&replica, &sql);
                    assert!(
                        plan.contains(&format!("SCAN issue USING INDEX {index}"))
                            || plan.contains(&format!("SEARCH issue USING INDEX {index}")),
                        "{sort:?} bound={bound}: {plan}"
                    );
                    assert!(!plan.contains("ORDER BY"), "{sort:?}: {plan}");
                    if bound {
                        assert!(
                            plan.contains("SEARCH issue USING INDEX"),
                            "{sort:?}: {plan}"
                        );
                    }
                }
            }
        }
    }

    /// A list few rows match is read by one pass over the table, which sorts what matches: no index
    /// walk that would look up every row.
    #[test]
    fn a_sparse_list_is_read_by_one_pass_over_the_table() {
        let actor = crate::Actor::new(uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let replica = Replica::open(&Storage::Memory, actor).expect("a replica");
        for sort in Sort::ALL {
            for bound in [false, true] {
                for direction in [Direction::Down, Direction::Up] {
                    let sql = step_sql(sort, bound, direction, &Plan::Scan);
                    let plan = query_plan(&replica, &sql);
                    assert!(plan.contains("SCAN issue"), "{sort:?}: {plan}");
                    assert!(!plan.contains("USING INDEX"), "{sort:?}: {plan}");
                }
            }
        }
    }

    /// A short list whose matches' ids are known is read by looking each of them up: no pass over
    /// the table, and no walk of an index.
    #[test]
    fn a_list_read_by_its_ids_looks_each_up() {
        let actor = crate::Actor::new(uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let replica = Replica::open(&Storage::Memory, actor).expect("a replica");
        let among = Plan::Among(std::rc::Rc::new(Vec::new()));
        for sort in Sort::ALL {
            for bound in [false, true] {
                for direction in [Direction::Down, Direction::Up] {
                    let sql = step_sql(sort, bound, direction, &among);
                    let plan = query_plan(&replica, &sql);
                    assert!(
                        plan.contains("SEARCH issue USING PRIMARY KEY (id=?)"),
                        "{sort:?}: {plan}"
                    );
                    assert!(!plan.contains("SCAN issue"), "{sort:?}: {plan}");
                    assert!(!plan.contains("USING INDEX"), "{sort:?}: {plan}");
                }
            }
        }
    }

    pub(crate) fn query_plan(replica: &Replica, sql: &str) -> String {
        let mut statement = replica
            .optimistic
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("the plan");
        let count = statement.parameter_count();
        let mut params: Vec<Value> = vec![Value::Null, Value::Null];
        params.extend((2..6).map(|_| Value::Text("[]".into())));
        params.extend((6..count).map(|_| Value::Integer(10)));
        let plan: Vec<String> = statement
            .query_map(rusqlite::params_from_iter(params), |row| {
                row.get::<_, String>(3)
            })
            .expect("the plan")
            .collect::<rusqlite::Result<_>>()
            .expect("the plan");
        plan.join(" | ")
    }
}
