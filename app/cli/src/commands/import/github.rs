//! GitHub Issues, as `gh` lists them:
//!
//! ```text
//! gh issue list --repo OWNER/REPO --state all --limit 10000 \
//!   --json number,title,body,state,labels,assignees,author,comments,createdAt,updatedAt,url
//! ```
//!
//! (`url` is optional: it names the repository, so two repositories' issue 1 stay two issues; without
//! it, `--repo` does.) Issues come in by number, oldest first, so that in an empty workspace they keep
//! their numbers. Open issues come in as `not started`, closed ones as `done`; labels with
//! their colours; the first assignee who is a member (by login or name) is assigned; the author's
//! login is the issue's owner, and a comment's author's name leads its text unless it is yours.

use serde::Deserialize;

use super::{Incoming, IncomingComment, parse_time};
use crate::error::{CliError, Result};
use shared::mutations::fields::Status;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GhIssue {
    number: u64,
    title: String,
    #[serde(default)]
    body: String,
    state: String,
    #[serde(default)]
    labels: Vec<GhLabel>,
    #[serde(default)]
    assignees: Vec<GhUser>,
    #[serde(default)]
    author: Option<GhUser>,
    #[serde(default)]
    comments: Vec<GhComment>,
    created_at: String,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GhLabel {
    name: String,
    #[serde(default)]
    color: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GhUser {
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GhComment {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    author: Option<GhUser>,
    #[serde(default)]
    body: String,
    created_at: String,
}

/// The issues in `text` (gh's JSON), or why it is not that.
pub fn read(text: &str, repo: Option<&str>) -> Result<Vec<Incoming>> {
    let mut issues: Vec<GhIssue> = serde_json::from_str(text).map_err(|err| {
        CliError::usage(format!(
            "not the JSON `gh issue list --json number,title,body,state,labels,assignees,author,\
             comments,createdAt,updatedAt` writes: {err}"
        ))
    })?;
    // Oldest first (gh lists the newest first): into an empty workspace, GitHub's #42 is TRK-42.
    issues.sort_by_key(|issue| issue.number);
    issues
        .into_iter()
        .map(|issue| incoming(issue, repo))
        .collect()
}

fn incoming(issue: GhIssue, repo: Option<&str>) -> Result<Incoming> {
    let repo = issue
        .url
        .as_deref()
        .and_then(repo_of)
        .or(repo.map(str::to_owned))
        .unwrap_or_default();
    let source_id = format!("github:{repo}#{}", issue.number);
    let what = |field: &str| format!("issue {}'s {field}", issue.number);
    let status = match issue.state.to_ascii_uppercase().as_str() {
        "OPEN" => Status::NotStarted,
        "CLOSED" => Status::Done,
        other => {
            return Err(CliError::usage(format!(
                "{}: {other:?} is neither OPEN nor CLOSED",
                what("state")
            )));
        }
    };
    let created_at = parse_time(&issue.created_at, &what("createdAt"))?;
    let updated_at = match &issue.updated_at {
        Some(at) => parse_time(at, &what("updatedAt"))?,
        None => created_at,
    };
    let comments = issue
        .comments
        .iter()
        .enumerate()
        .map(|(index, comment)| {
            Ok(IncomingComment {
                source_id: match &comment.id {
                    Some(id) if !id.is_empty() => format!("github-comment:{id}"),
                    _ => format!("{source_id}/comment/{index}"),
                },
                author: comment
                    .author
                    .as_ref()
                    .map(|author| author.login.clone())
                    .unwrap_or_else(|| "ghost".to_owned()),
                body: comment.body.clone(),
                created_at: parse_time(&comment.created_at, &what("comment's createdAt"))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Incoming {
        source_id,
        title: issue.title,
        description: issue.body,
        owner: issue
            .author
            .map(|author| author.login)
            .unwrap_or_else(|| "ghost".to_owned()),
        status,
        priority: Default::default(),
        labels: issue
            .labels
            .into_iter()
            .map(|label| {
                let color = label
                    .color
                    .map(|c| format!("#{}", c.trim_start_matches('#').to_ascii_lowercase()));
                (label.name, color)
            })
            .collect(),
        assignees: issue
            .assignees
            .into_iter()
            .flat_map(|user| [Some(user.login), user.name])
            .flatten()
            .filter(|name| !name.is_empty())
            .collect(),
        created_at,
        updated_at,
        deleted_at: None,
        comments,
    })
}

/// `owner/repo` from `https://github.com/owner/repo/issues/42`.
fn repo_of(url: &str) -> Option<String> {
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let mut parts = path.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !name.is_empty()).then(|| format!("{owner}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_reads_with_its_comments_labels_and_repository() {
        let text = r##"[{"number": 7, "title": "Crash", "body": "It crashes", "state": "CLOSED",
            "labels": [{"name": "bug", "color": "D73A4A"}],
            "assignees": [{"login": "bea", "name": "Bea Baker"}],
            "author": {"login": "ann"},
            "comments": [{"id": "IC_1", "author": {"login": "cy"}, "body": "Same here",
                          "createdAt": "2024-03-01T10:00:00Z"}],
            "createdAt": "2024-02-29T09:00:00Z", "updatedAt": "2024-03-02T09:00:00Z",
            "url": "https://github.com/acme/rocket/issues/7"}]"##;
        let issues = read(text, None).unwrap();
        assert_eq!(issues.len(), 1);
        let issue = &issues[0];
        assert_eq!(issue.source_id, "github:acme/rocket#7");
        assert_eq!(issue.status, Status::Done);
        assert_eq!(issue.owner, "ann");
        assert_eq!(
            issue.labels,
            vec![("bug".to_owned(), Some("#d73a4a".to_owned()))]
        );
        assert_eq!(issue.assignees, vec!["bea", "Bea Baker"]);
        assert_eq!(issue.comments[0].source_id, "github-comment:IC_1");
        assert_eq!(issue.comments[0].author, "cy");
        assert!(issue.updated_at > issue.created_at);
    }

    #[test]
    fn what_is_not_gh_output_is_refused_with_the_field() {
        for (text, says) in [
            ("{}", "gh issue list"),
            (
                r#"[{"number": 1, "title": "t", "state": "MERGED", "createdAt": "2024-01-01T00:00:00Z"}]"#,
                "state",
            ),
            (
                r#"[{"number": 1, "title": "t", "state": "OPEN", "createdAt": "soon"}]"#,
                "createdAt",
            ),
        ] {
            let err = read(text, None).unwrap_err();
            assert_eq!(err.code, crate::error::Code::Usage);
            assert!(err.message.contains(says), "{}", err.message);
        }
    }
}
