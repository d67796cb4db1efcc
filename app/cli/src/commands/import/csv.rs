//! A CSV file with a header row, for the simplest case: `title` (required), and any of
//! `description`, `status` (`not started`, `in progress`, `done`; `open` and `closed` too),
//! `priority`, `labels` (separated by commas) and `created at` (RFC 3339). Other columns are
//! ignored, so `tracker export --format csv` reads back. A row's source id is its `id` column when
//! there is one, else its title and description: the same row imported twice is one issue.

use shared::mutations::fields::{Priority, Status};

use super::{Incoming, parse_time};
use crate::error::{CliError, Result};

pub fn read(text: &str, now: u64) -> Result<Vec<Incoming>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|err| CliError::usage(format!("the CSV's header row: {err}")))?
        .iter()
        .map(|header| header.trim().to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|header| header == name);
    let Some(title_at) = column("title") else {
        return Err(CliError::usage(format!(
            "the CSV has no `title` column (its columns: {})",
            headers.join(", ")
        )));
    };
    let (id_at, description_at, status_at, priority_at, labels_at, created_at_at) = (
        column("id"),
        column("description"),
        column("status"),
        column("priority"),
        column("labels"),
        column("created at"),
    );
    let mut issues = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|err| CliError::usage(format!("CSV line {line}: {err}")))?;
        let get = |at: Option<usize>| at.and_then(|at| record.get(at)).unwrap_or("").trim();
        let title = get(Some(title_at));
        if title.is_empty() {
            return Err(CliError::usage(format!(
                "CSV line {line}: the title is empty"
            )));
        }
        let description = at_raw(&record, description_at);
        let status = match get(status_at)
            .to_lowercase()
            .replace(['-', '_'], " ")
            .as_str()
        {
            "" | "not started" | "open" | "todo" | "to do" | "backlog" => Status::NotStarted,
            "in progress" | "started" | "doing" => Status::InProgress,
            "done" | "closed" | "complete" | "completed" => Status::Done,
            other => {
                return Err(CliError::usage(format!(
                    "CSV line {line}: the status {other:?} is none of not started, in progress, done"
                )));
            }
        };
        let priority = match get(priority_at) {
            "" => Priority::None,
            name => Priority::parse(&name.to_lowercase()).ok_or_else(|| {
                CliError::usage(format!(
                    "CSV line {line}: the priority {name:?} is none of none, low, medium, high, urgent"
                ))
            })?,
        };
        let created_at = match get(created_at_at) {
            "" => now,
            at => parse_time(at, &format!("CSV line {line}'s created at"))?,
        };
        let source = match get(id_at) {
            "" => format!("csv:{title}\n{description}"),
            id => format!("csv:{id}"),
        };
        issues.push(Incoming {
            source_id: source,
            title: title.to_owned(),
            description,
            owner: String::new(),
            status,
            priority,
            labels: get(labels_at)
                .split([',', ';'])
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(|name| (name.to_owned(), None))
                .collect(),
            assignees: Vec::new(),
            created_at,
            updated_at: created_at,
            deleted_at: None,
            comments: Vec::new(),
        });
    }
    Ok(issues)
}

/// A column's text as written (a description keeps its line breaks and indentation).
fn at_raw(record: &csv::StringRecord, at: Option<usize>) -> String {
    at.and_then(|at| record.get(at))
        .unwrap_or("")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_by_their_headers() {
        let text = "Title,Status,Labels,Description\n\
                    First,done,\"bug, ui\",\"two\nlines\"\n\
                    Second,,,\n";
        let issues = read(text, 5).unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].status, Status::Done);
        assert_eq!(issues[0].labels.len(), 2);
        assert_eq!(issues[0].description, "two\nlines");
        assert_eq!(issues[1].status, Status::NotStarted);
        assert_eq!(issues[1].created_at, 5);
        assert_ne!(issues[0].source_id, issues[1].source_id);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        for (text, says) in [
            ("name,status\nx,done\n", "no `title` column"),
            ("title,status\nx,finished\n", "line 2"),
            (
                "title,status\nx,done\n,done\n",
                "line 3: the title is empty",
            ),
            ("title,status\nx,done,extra\n", "line 2"),
        ] {
            let err = read(text, 0).unwrap_err();
            assert!(err.message.contains(says), "{}: {}", says, err.message);
        }
    }
}
