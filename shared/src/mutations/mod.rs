//! The mutators. Each file owns one mutation: its arguments (validated as they parse, see [`fields`])
//! and the SQL statements that apply it. [`Mutation`] dispatches on the protocol name.
//!
//! Mutators are pure functions of (args, database state): anything non-deterministic, such as ids and
//! times, is made by the client and travels in the args, so every replay yields the same rows.

mod create_issue;
mod delete_issue;
pub mod fields;
mod update_issue;
mod update_issue_status;

pub use create_issue::CreateIssue;
pub use delete_issue::DeleteIssue;
pub use update_issue::UpdateIssue;
pub use update_issue_status::UpdateIssueStatus;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::MutationError;
use crate::statement::Statement;
use fields::IssueId;

/// One mutation: arguments that parse and validate, and the statements that apply them.
pub trait Mutator: Serialize + DeserializeOwned {
    /// The name on the wire, e.g. `createIssue`.
    const NAME: &'static str;

    /// The statements that apply this mutation, to run in one transaction.
    fn statements(&self) -> Vec<Statement>;

    /// The one issue row these statements read and change: a mutator must touch no other row. The
    /// client's rebase relies on it to reset and replay only the rows that can be stale, so its cost
    /// follows the change, not the size of the database or the length of the queue.
    fn issue_id(&self) -> IssueId;
}

/// A parsed, validated mutation of any kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    CreateIssue(CreateIssue),
    UpdateIssue(UpdateIssue),
    UpdateIssueStatus(UpdateIssueStatus),
    DeleteIssue(DeleteIssue),
}

impl Mutation {
    /// Every mutation name the protocol knows.
    pub const NAMES: [&'static str; 4] = [
        CreateIssue::NAME,
        UpdateIssue::NAME,
        UpdateIssueStatus::NAME,
        DeleteIssue::NAME,
    ];

    /// Parses and validates `args` for the mutation called `name`.
    pub fn parse(name: &str, args: &serde_json::Value) -> Result<Self, MutationError> {
        match name {
            CreateIssue::NAME => parse_args(args).map(Mutation::CreateIssue),
            UpdateIssue::NAME => parse_args(args).map(Mutation::UpdateIssue),
            UpdateIssueStatus::NAME => parse_args(args).map(Mutation::UpdateIssueStatus),
            DeleteIssue::NAME => parse_args(args).map(Mutation::DeleteIssue),
            other => Err(MutationError::UnknownMutation(truncate(other, 100))),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Mutation::CreateIssue(_) => CreateIssue::NAME,
            Mutation::UpdateIssue(_) => UpdateIssue::NAME,
            Mutation::UpdateIssueStatus(_) => UpdateIssueStatus::NAME,
            Mutation::DeleteIssue(_) => DeleteIssue::NAME,
        }
    }

    pub fn statements(&self) -> Vec<Statement> {
        match self {
            Mutation::CreateIssue(m) => m.statements(),
            Mutation::UpdateIssue(m) => m.statements(),
            Mutation::UpdateIssueStatus(m) => m.statements(),
            Mutation::DeleteIssue(m) => m.statements(),
        }
    }

    pub fn issue_id(&self) -> IssueId {
        match self {
            Mutation::CreateIssue(m) => m.issue_id(),
            Mutation::UpdateIssue(m) => m.issue_id(),
            Mutation::UpdateIssueStatus(m) => m.issue_id(),
            Mutation::DeleteIssue(m) => m.issue_id(),
        }
    }

    /// The normalised args (trimmed text, canonical ids) as JSON: what the log stores and replays.
    pub fn args_json(&self) -> String {
        let json = match self {
            Mutation::CreateIssue(m) => serde_json::to_string(m),
            Mutation::UpdateIssue(m) => serde_json::to_string(m),
            Mutation::UpdateIssueStatus(m) => serde_json::to_string(m),
            Mutation::DeleteIssue(m) => serde_json::to_string(m),
        };
        // Serialising plain structs of strings and integers cannot fail.
        json.unwrap_or_else(|_| String::from("{}"))
    }
}

fn parse_args<M: Mutator>(args: &serde_json::Value) -> Result<M, MutationError> {
    // serde would read a struct from an array, by position; the protocol's args are objects.
    if !args.is_object() {
        return Err(MutationError::InvalidArgs {
            name: M::NAME,
            reason: format!("args must be a JSON object, got {}", json_kind(args)),
        });
    }
    M::deserialize(args).map_err(|err| MutationError::InvalidArgs {
        name: M::NAME,
        reason: err.to_string(),
    })
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Keeps error messages bounded when a client sends a huge bogus name.
fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
