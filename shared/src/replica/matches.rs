//! A filter's matches: how many issues match it and, when they are few enough, which ones. Kept for
//! a few recent filters until the data changes.
//!
//! Each keystroke in the search field is a new filter, and counting one that is not by status alone
//! reads every issue: about 50 ms in the browser at 100,000. But typing narrows: the issues that
//! match "424" are among those that match "42". So the ids of a filter's matches are kept when they
//! are at most a tenth of the issues ([`Matches::ids`]), and a narrower filter is counted among them,
//! one lookup by id each, instead of over the table. Erasing goes back to a filter counted moments
//! ago, which is remembered whole.
//!
//! The kept ids also read a short list's windows ([`super::window`]'s `Plan::Among`).

use std::rc::Rc;

use rusqlite::ToSql;
use rusqlite::types::Value;
use rusqlite::vtab::array::Array;

use super::Replica;
use super::error::Result;
use super::window::{List, MATCHES};
use crate::issue::{IssueFilter, MAX_WINDOW, StatusCounts};

/// How many issues match a filter; `ids`, in the order of their id, when there are at most
/// [`keep_at_most`] of them.
#[derive(Debug, Clone)]
pub(super) struct Matches {
    pub n: u64,
    pub ids: Option<Array>,
}

/// Recent filters' matches, the newest last: the data has not changed since they were counted.
#[derive(Debug, Default)]
pub(super) struct Found {
    recent: Vec<(IssueFilter, Matches)>,
}

/// How many filters [`Found`] keeps: enough for a word typed and erased.
const RECENT: usize = 8;

impl Found {
    /// Forgets every count: the data changed.
    pub fn clear(&mut self) {
        self.recent.clear();
    }

    fn get(&self, filter: &IssueFilter) -> Option<&Matches> {
        self.recent
            .iter()
            .rev()
            .find(|(known, _)| same_matches(known, filter))
            .map(|(_, matches)| matches)
    }

    /// The fewest kept ids among which every match of `filter` is.
    fn narrowest_among(&self, filter: &IssueFilter) -> Option<&Array> {
        self.recent
            .iter()
            .filter(|(known, _)| narrows(known, filter))
            .filter_map(|(_, matches)| matches.ids.as_ref())
            .min_by_key(|ids| ids.len())
    }

    fn remember(&mut self, filter: &IssueFilter, matches: &Matches) {
        self.recent
            .retain(|(known, _)| !same_matches(known, filter));
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push((filter.clone(), matches.clone()));
    }
}

/// The most ids kept for one filter: a tenth of the issues (a lookup by id costs about ten rows of
/// a pass over the table), and never fewer than the longest list read by its ids.
fn keep_at_most(counts: &StatusCounts) -> u64 {
    (counts.total() / 10).max(super::window::SPARSE * u64::from(MAX_WINDOW))
}

/// The text a filter finds, as its `LIKE` pattern has it: trimmed, in lower case; `None`: none.
pub(super) fn search_text(filter: &IssueFilter) -> Option<String> {
    filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}

/// Whether every issue that matches `narrower` matches `wider`: the same filter, but for a text to
/// find that contains `wider`'s (an issue containing "424" contains "42") and a status where `wider`
/// has none. The order does not matter. A text that names an issue's number (`42`) also finds that
/// issue, which "4" does not find: it narrows nothing but itself.
fn narrows(wider: &IssueFilter, narrower: &IssueFilter) -> bool {
    let text = |filter: &IssueFilter| search_text(filter).unwrap_or_default();
    (wider.status.is_none() || wider.status == narrower.status)
        && wider.priorities == narrower.priorities
        && wider.assignees == narrower.assignees
        && wider.creators == narrower.creators
        && wider.labels == narrower.labels
        && text(narrower).contains(&text(wider))
        && (crate::numbers::parse_reference(&text(narrower)).is_none()
            || text(narrower) == text(wider))
}

/// Whether two filters match the same issues (whatever their order).
fn same_matches(a: &IssueFilter, b: &IssueFilter) -> bool {
    narrows(a, b) && narrows(b, a)
}

impl Replica {
    /// `filter`'s matches: the status counts' when it filters by status at most; remembered in
    /// `found`; counted among the kept ids of a wider filter; or counted over the table.
    pub(super) fn matches(
        &self,
        filter: &IssueFilter,
        counts: &StatusCounts,
        found: &mut Found,
    ) -> Result<Matches> {
        if let Some(matches) = found.get(filter) {
            return Ok(matches.clone());
        }
        let by_status_only = IssueFilter {
            status: filter.status,
            sort: filter.sort,
            ..IssueFilter::default()
        };
        let matches = if *filter == by_status_only {
            Matches {
                n: filter.status.map_or(counts.total(), |s| counts.of(s)),
                ids: None,
            }
        } else {
            let list = List::new(self, filter);
            match found.narrowest_among(filter) {
                Some(among) => self.matches_among(&list, among)?,
                None => self.matches_in_table(&list, keep_at_most(counts))?,
            }
        };
        found.remember(filter, &matches);
        Ok(matches)
    }

    /// The matches among `among`'s ids: a lookup of each.
    fn matches_among(&self, list: &List, among: &Array) -> Result<Matches> {
        let mut params: Vec<&dyn ToSql> = list.params.iter().map(|v| v as &dyn ToSql).collect();
        params.push(among);
        let ids = self
            .optimistic
            .prepare_cached(&format!(
                "SELECT id FROM issue WHERE {MATCHES} AND id IN rarray(?8)"
            ))?
            .query_map(&params[..], |row| row.get::<_, String>(0).map(Value::Text))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Matches {
            n: ids.len() as u64,
            ids: Some(Rc::new(ids)),
        })
    }

    /// The matches in one pass over the table, in the order of its key (the id): the first `keep`
    /// ids, then, if there are more, only the count of the rest.
    fn matches_in_table(&self, list: &List, keep: u64) -> Result<Matches> {
        let mut params = list.params.clone();
        params.push(Value::Integer(keep.min(i64::MAX as u64) as i64));
        let ids = self
            .optimistic
            .prepare_cached(&format!(
                "SELECT id FROM issue WHERE {MATCHES} ORDER BY id LIMIT ?8"
            ))?
            .query_map(rusqlite::params_from_iter(params.iter()), |row| {
                row.get::<_, String>(0).map(Value::Text)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let Some(last) = ids.last().filter(|_| ids.len() as u64 == keep) else {
            return Ok(Matches {
                n: ids.len() as u64,
                ids: Some(Rc::new(ids)),
            });
        };
        let mut params = list.params.clone();
        params.push(last.clone());
        let rest: i64 = self
            .optimistic
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM issue WHERE {MATCHES} AND id > ?8"
            ))?
            .query_row(rusqlite::params_from_iter(params.iter()), |row| row.get(0))?;
        Ok(Matches {
            n: keep + rest as u64,
            ids: (rest == 0).then(|| Rc::new(ids)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::narrows;
    use crate::issue::{IssueFilter, Sort};
    use crate::mutations::fields::{Priority, Status};
    use crate::replica::window::List;
    use crate::replica::window::tests::query_plan;
    use crate::replica::{Replica, Storage};
    use rusqlite::types::Value;

    fn replica_with_titles(titles: &[String]) -> Replica {
        let actor = crate::Actor::new(uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let mut replica = Replica::open(&Storage::Memory, actor).expect("a replica");
        for (i, title) in titles.iter().enumerate() {
            let args = serde_json::json!({"id": uuid::Uuid::new_v4(), "title": title,
                "description": "", "owner": "ada", "createdAt": i});
            replica.mutate("createIssue", &args, 1).expect("created");
        }
        replica
    }

    /// The pass keeps the ids while there are at most `keep` of them, and only counts the rest.
    #[test]
    fn a_pass_over_the_table_keeps_the_first_ids_and_counts_the_rest() {
        let titles: Vec<String> = (0..20)
            .map(|i| format!("{} {i}", if i % 5 == 0 { "other" } else { "match" }))
            .collect();
        let replica = replica_with_titles(&titles);
        let filter = search("MATCH");
        let mut expected: Vec<Value> = replica
            .issues(&filter)
            .expect("the list")
            .iter()
            .map(|issue| Value::Text(issue.id.to_string()))
            .collect();
        expected.sort_by_key(|id| match id {
            Value::Text(text) => text.clone(),
            _ => String::new(),
        });
        assert_eq!(expected.len(), 16);
        for keep in [1, 5, 15, 16, 17, 100] {
            let matches = replica
                .matches_in_table(&List::new(&replica, &filter), keep)
                .expect("counted");
            assert_eq!(matches.n, 16, "keep {keep}");
            match matches.ids {
                Some(ids) => {
                    assert!(keep >= 16, "keep {keep}");
                    assert_eq!(*ids, expected);
                }
                None => assert!(keep < 16, "keep {keep}"),
            }
        }
    }

    /// Counting among kept ids looks each up; the pass over the table needs no sort for its order.
    #[test]
    fn counting_among_ids_looks_each_up_and_the_pass_sorts_nothing() {
        let replica = replica_with_titles(&[]);
        let among = query_plan(
            &replica,
            &format!(
                "SELECT id FROM issue WHERE {} AND id IN rarray(?8)",
                super::MATCHES
            ),
        );
        assert!(
            among.contains("SEARCH issue USING PRIMARY KEY (id=?)"),
            "{among}"
        );
        assert!(!among.contains("SCAN issue"), "{among}");
        let pass = query_plan(
            &replica,
            &format!(
                "SELECT id FROM issue WHERE {} ORDER BY id LIMIT ?8",
                super::MATCHES
            ),
        );
        assert!(!pass.contains("TEMP B-TREE FOR ORDER BY"), "{pass}");
    }

    fn search(text: &str) -> IssueFilter {
        IssueFilter {
            search: Some(text.into()),
            ..IssueFilter::default()
        }
    }

    #[test]
    fn a_longer_text_or_a_status_narrows() {
        assert!(narrows(&search("x42"), &search("x424")));
        assert!(narrows(&search("Bug"), &search(" a BUG ")));
        assert!(narrows(&IssueFilter::default(), &search("x")));
        let done = IssueFilter {
            status: Some(Status::Done),
            sort: Sort::Updated,
            ..search("x424")
        };
        assert!(narrows(&search("x42"), &done));
        assert!(!narrows(&done, &search("x424")));
        assert!(!narrows(&search("x424"), &search("x42")));
        assert!(!narrows(&search("x42"), &search("x4 2")));
        let urgent = IssueFilter {
            priorities: vec![Priority::Urgent],
            ..search("x424")
        };
        assert!(!narrows(&urgent, &search("x424")));
        // A text naming a number also finds that issue, which a shorter text does not.
        assert!(!narrows(&search("4"), &search("42")));
        assert!(!narrows(&search("TRK"), &search("TRK-4")));
        assert!(narrows(&search("42"), &search("42")));
    }
}
