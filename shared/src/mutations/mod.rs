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

use serde::de::DeserializeOwned;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::actor::Actor;
use crate::error::{MutationError, quote};
use crate::issue::Issue;
use crate::statement::Statement;
use fields::IssueId;

/// One mutation: arguments that parse and validate, and the statements that apply them.
pub trait Mutator: Serialize + DeserializeOwned {
    /// The name on the wire, e.g. `createIssue`.
    const NAME: &'static str;

    /// The statements that apply this mutation as `by`, to run in one transaction. They touch only
    /// rows of `by`'s workspace.
    fn statements(&self, by: &Actor) -> Vec<Statement>;

    /// The statements that apply this mutation, as a log entry, to a replica's base. The server logged
    /// it only once it had applied, so what stands in its way in base can only be a later state of
    /// its own row, read by a snapshot page after it (see [`crate::snapshot`]); a mutator whose
    /// statements would refuse that (a create) overrides this to replace it. The same as
    /// [`Mutator::statements`] otherwise.
    fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        self.statements(by)
    }

    /// The one issue row these statements read and change: a mutator must touch no other row. The
    /// client's rebase relies on it to reset and replay only the rows that can be stale, so its cost
    /// follows the change, not the size of the database or the length of the queue.
    fn issue_id(&self) -> IssueId;

    /// What the statements do to that one row, in memory, made by `by`: `row` is the issue before
    /// (`None` when there is none), the result the issue after. The UI shows it for changes it holds while the
    /// engine starts; a test checks it against the statements for every mutation.
    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue>;

    /// Why this mutation was refused, in its own words, when its statements failed with
    /// `sql_error` (the database's message, on the server or in a replica).
    fn statement_failed(&self, sql_error: &str) -> MutationError {
        MutationError::StatementFailed(sql_error.to_owned())
    }
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
            other => Err(MutationError::UnknownMutation(quote(other))),
        }
    }

    /// [`Mutation::parse`] for a mutation made now (pushed, or made locally), which must also meet
    /// the rules added since entries were first logged: no control characters in its text. Entries
    /// already in the log are replayed with `parse`, so tightening a rule never strands a client.
    pub fn parse_new(name: &str, args: &serde_json::Value) -> Result<Self, MutationError> {
        let mutation = Self::parse(name, args)?;
        if let Some(fields) = args.as_object() {
            for (field, value) in fields {
                if let Some(text) = value.as_str() {
                    fields::check_no_control_characters(field, text).map_err(|reason| {
                        MutationError::InvalidArgs {
                            name: mutation.name(),
                            reason,
                        }
                    })?;
                }
            }
        }
        Ok(mutation)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Mutation::CreateIssue(_) => CreateIssue::NAME,
            Mutation::UpdateIssue(_) => UpdateIssue::NAME,
            Mutation::UpdateIssueStatus(_) => UpdateIssueStatus::NAME,
            Mutation::DeleteIssue(_) => DeleteIssue::NAME,
        }
    }

    pub fn statements(&self, by: &Actor) -> Vec<Statement> {
        match self {
            Mutation::CreateIssue(m) => m.statements(by),
            Mutation::UpdateIssue(m) => m.statements(by),
            Mutation::UpdateIssueStatus(m) => m.statements(by),
            Mutation::DeleteIssue(m) => m.statements(by),
        }
    }

    pub fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        match self {
            Mutation::CreateIssue(m) => m.replay_statements(by),
            Mutation::UpdateIssue(m) => m.replay_statements(by),
            Mutation::UpdateIssueStatus(m) => m.replay_statements(by),
            Mutation::DeleteIssue(m) => m.replay_statements(by),
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

    pub fn statement_failed(&self, sql_error: &str) -> MutationError {
        match self {
            Mutation::CreateIssue(m) => m.statement_failed(sql_error),
            Mutation::UpdateIssue(m) => m.statement_failed(sql_error),
            Mutation::UpdateIssueStatus(m) => m.statement_failed(sql_error),
            Mutation::DeleteIssue(m) => m.statement_failed(sql_error),
        }
    }

    pub fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
        match self {
            Mutation::CreateIssue(m) => m.preview(row, by),
            Mutation::UpdateIssue(m) => m.preview(row, by),
            Mutation::UpdateIssueStatus(m) => m.preview(row, by),
            Mutation::DeleteIssue(m) => m.preview(row, by),
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

impl From<CreateIssue> for Mutation {
    fn from(m: CreateIssue) -> Self {
        Mutation::CreateIssue(m)
    }
}

impl From<UpdateIssue> for Mutation {
    fn from(m: UpdateIssue) -> Self {
        Mutation::UpdateIssue(m)
    }
}

impl From<UpdateIssueStatus> for Mutation {
    fn from(m: UpdateIssueStatus) -> Self {
        Mutation::UpdateIssueStatus(m)
    }
}

impl From<DeleteIssue> for Mutation {
    fn from(m: DeleteIssue) -> Self {
        Mutation::DeleteIssue(m)
    }
}

/// A mutation travels as `{"name": "createIssue", "args": {...}}`, and parses (validating its args) on
/// the way in, so a value of this type is always valid wherever it arrives.
impl Serialize for Mutation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut wire = serializer.serialize_struct("Mutation", 2)?;
        wire.serialize_field("name", self.name())?;
        match self {
            Mutation::CreateIssue(m) => wire.serialize_field("args", m)?,
            Mutation::UpdateIssue(m) => wire.serialize_field("args", m)?,
            Mutation::UpdateIssueStatus(m) => wire.serialize_field("args", m)?,
            Mutation::DeleteIssue(m) => wire.serialize_field("args", m)?,
        }
        wire.end()
    }
}

impl<'de> Deserialize<'de> for Mutation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            name: String,
            args: serde_json::Value,
        }
        let wire = Wire::deserialize(deserializer)?;
        Mutation::parse_new(&wire.name, &wire.args).map_err(serde::de::Error::custom)
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
        reason: quote(&err.to_string()),
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
