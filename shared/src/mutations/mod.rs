//! The mutators. Each file owns one mutation: its arguments (validated as they parse, see [`fields`])
//! and the SQL statements that apply it. [`Mutation`] dispatches on the protocol name.
//!
//! Mutators are pure functions of (args, database state): anything non-deterministic, such as ids and
//! times, is made by the client and travels in the args, so every replay yields the same rows.

mod add_comment;
mod add_issue_label;
mod assign_issue;
mod create_issue;
mod create_label;
mod delete_comment;
mod delete_issue;
mod delete_label;
mod edit_comment;
pub mod fields;
pub mod history;
mod mark_inbox_read;
pub mod mentions;
pub mod refusal;
mod remove_issue_label;
mod restore_issue;
mod revert_issue;
mod scope;
mod set_issue_priority;
mod set_reaction;
mod set_subscription;
mod update_issue;
mod update_issue_status;
mod update_label;

pub use add_comment::AddComment;
pub use add_issue_label::AddIssueLabel;
pub use assign_issue::AssignIssue;
pub use create_issue::CreateIssue;
pub use create_label::CreateLabel;
pub use delete_comment::DeleteComment;
pub use delete_issue::DeleteIssue;
pub use delete_label::DeleteLabel;
pub use edit_comment::EditComment;
pub use mark_inbox_read::MarkInboxRead;
pub use remove_issue_label::RemoveIssueLabel;
pub use restore_issue::RestoreIssue;
pub use revert_issue::{Revert, RevertIssue};
pub use scope::Scope;
pub use set_issue_priority::SetIssuePriority;
pub use set_reaction::SetReaction;
pub use set_subscription::SetSubscription;
pub use update_issue::UpdateIssue;
pub use update_issue_status::UpdateIssueStatus;
pub use update_label::UpdateLabel;

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
    /// The protocol's `schemaVersion` that introduced it: a client speaking an older one does not
    /// know it (see [`crate::protocol`]).
    const SCHEMA_VERSION: u64 = 1;
    /// A private mutation is one member's own (their inbox's read marks, their subscriptions): its
    /// log entry names that member, and pulls, pokes and snapshots carry it and its rows to that
    /// member's clients only (see [`crate::server`], [`crate::live`], [`crate::snapshot`]).
    const PRIVATE: bool = false;

    /// The rows this mutation reads and writes, as [`Scope`]s: its statements touch nothing else.
    /// The client's rebase relies on it to reset and replay only the rows that can be stale, so its
    /// cost follows the change, not the size of the database or the length of the queue.
    fn scopes(&self) -> Vec<Scope>;

    /// The rules checked when the mutation is made (pushed, or made in a replica), as guard
    /// statements that abort it ([`refusal`]); none by default.
    fn guards(&self, _by: &Actor) -> Vec<Statement> {
        Vec::new()
    }

    /// What the mutation does, as `by`: statements that touch only rows of `by`'s workspace.
    fn effects(&self, by: &Actor) -> Vec<Statement>;

    /// The statements that apply this mutation as `by`, to run in one transaction: its guards, then
    /// its effects.
    fn statements(&self, by: &Actor) -> Vec<Statement> {
        let mut statements = self.guards(by);
        statements.extend(self.effects(by));
        statements
    }

    /// The statements that apply this mutation, as a log entry, to a replica's base: its effects
    /// without the guards (the server applied it, so they held). What stands in its way in base can
    /// only be a later state of its own rows, read by a snapshot page after it (see
    /// [`crate::snapshot`]); a mutator whose effects would refuse that (a create) overrides this to
    /// replace the row.
    fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
        self.effects(by)
    }

    /// What the statements do to the issue row they name, in memory, made by `by`: `row` is the issue
    /// before (`None` when there is none), the result the issue after. The UI shows it for changes it
    /// holds while the engine starts; a test checks it against the statements for every mutation.
    fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue>;

    /// Rules for a mutation made now (pushed, or made in a replica) beyond its args' types: what only
    /// a logged entry may carry. None by default.
    fn check_new(&self) -> Result<(), String> {
        Ok(())
    }

    /// Why this mutation was refused, in its own words, when its statements failed with
    /// `sql_error` (the database's message, on the server or in a replica).
    fn statement_failed(&self, sql_error: &str) -> MutationError {
        refusal::statement_failed(sql_error)
    }
}

/// Declares [`Mutation`], one variant a mutator, and what dispatches on it.
macro_rules! mutations {
    ($($variant:ident),+ $(,)?) => {
        /// A parsed, validated mutation of any kind.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Mutation {
            $($variant($variant),)+
        }

        $(impl From<$variant> for Mutation {
            fn from(m: $variant) -> Self {
                Mutation::$variant(m)
            }
        })+

        impl Mutation {
            /// Every mutation name the protocol knows, with the schema version that introduced it.
            pub const NAMES: &'static [(&'static str, u64)] =
                &[$(($variant::NAME, $variant::SCHEMA_VERSION)),+];

            /// Parses and validates `args` for the mutation called `name`.
            pub fn parse(name: &str, args: &serde_json::Value) -> Result<Self, MutationError> {
                match name {
                    $($variant::NAME => parse_args(args).map(Mutation::$variant),)+
                    other => Err(MutationError::UnknownMutation(quote(other))),
                }
            }

            /// Whether the mutation is its member's own ([`Mutator::PRIVATE`]).
            pub fn is_private(&self) -> bool {
                match self {
                    $(Mutation::$variant(_) => $variant::PRIVATE,)+
                }
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(Mutation::$variant(_) => $variant::NAME,)+
                }
            }

            /// The protocol's `schemaVersion` that introduced this mutation.
            pub fn schema_version(&self) -> u64 {
                match self {
                    $(Mutation::$variant(_) => $variant::SCHEMA_VERSION,)+
                }
            }

            pub fn scopes(&self) -> Vec<Scope> {
                match self {
                    $(Mutation::$variant(m) => m.scopes(),)+
                }
            }

            pub fn statements(&self, by: &Actor) -> Vec<Statement> {
                match self {
                    $(Mutation::$variant(m) => m.statements(by),)+
                }
            }

            pub fn replay_statements(&self, by: &Actor) -> Vec<Statement> {
                match self {
                    $(Mutation::$variant(m) => m.replay_statements(by),)+
                }
            }

            fn check_new(&self) -> Result<(), String> {
                match self {
                    $(Mutation::$variant(m) => m.check_new(),)+
                }
            }

            pub fn statement_failed(&self, sql_error: &str) -> MutationError {
                match self {
                    $(Mutation::$variant(m) => m.statement_failed(sql_error),)+
                }
            }

            pub fn preview(&self, row: Option<Issue>, by: &Actor) -> Option<Issue> {
                match self {
                    $(Mutation::$variant(m) => m.preview(row, by),)+
                }
            }

            /// The normalised args (trimmed text, canonical ids) as JSON: what the log stores and
            /// replays.
            pub fn args_json(&self) -> String {
                let json = match self {
                    $(Mutation::$variant(m) => serde_json::to_string(m),)+
                };
                // Serialising plain structs of strings and integers cannot fail.
                json.unwrap_or_else(|_| String::from("{}"))
            }

            fn serialize_args<S: SerializeStruct>(&self, wire: &mut S) -> Result<(), S::Error> {
                match self {
                    $(Mutation::$variant(m) => wire.serialize_field("args", m),)+
                }
            }
        }
    };
}

mutations!(
    CreateIssue,
    UpdateIssue,
    UpdateIssueStatus,
    DeleteIssue,
    SetIssuePriority,
    AssignIssue,
    CreateLabel,
    UpdateLabel,
    DeleteLabel,
    AddIssueLabel,
    RemoveIssueLabel,
    AddComment,
    EditComment,
    DeleteComment,
    RestoreIssue,
    RevertIssue,
    SetReaction,
    SetSubscription,
    MarkInboxRead,
);

impl Mutation {
    /// [`Mutation::parse`] for a mutation made now (pushed, or made locally), which must also meet
    /// the rules added since entries were first logged: no control characters in its text. Entries
    /// already in the log are replayed with `parse`, so tightening a rule never strands a client.
    pub fn parse_new(name: &str, args: &serde_json::Value) -> Result<Self, MutationError> {
        let mutation = Self::parse(name, args)?;
        mutation
            .check_new()
            .map_err(|reason| MutationError::InvalidArgs {
                name: mutation.name(),
                reason,
            })?;
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

    /// [`Mutation::parse_new`] for a client speaking `schema_version`: a mutation of a later version
    /// is unknown to it.
    pub fn parse_for(
        schema_version: u64,
        name: &str,
        args: &serde_json::Value,
    ) -> Result<Self, MutationError> {
        let known = Self::NAMES
            .iter()
            .any(|(known, since)| *known == name && *since <= schema_version);
        if !known {
            return Err(MutationError::UnknownMutation(quote(name)));
        }
        Self::parse_new(name, args)
    }

    /// The schema version a client needs to read this mutation as the server logs it: a delete that
    /// trashes carries its time, which a client of version 2 would refuse (and it would show the
    /// trashed issue as live), so it raises the workspace to version 3 like the version-3
    /// mutations. A create's number travels beside its entry, not in it: creates change nothing.
    pub fn logged_schema_version(&self) -> u64 {
        match self {
            Mutation::DeleteIssue(delete) if delete.deleted_at.is_some() => NUMBERS_SCHEMA_VERSION,
            other => other.schema_version(),
        }
    }

    /// The issue whose row [`Mutation::preview`] changes, if the mutation is about one.
    pub fn issue_id(&self) -> Option<IssueId> {
        self.scopes().into_iter().find_map(Scope::issue)
    }
}

/// The schema version that brought issue numbers, history, the trash and undo.
pub const NUMBERS_SCHEMA_VERSION: u64 = 3;

/// A mutation travels as `{"name": "createIssue", "args": {...}}`, and parses (validating its args) on
/// the way in, so a value of this type is always valid wherever it arrives.
impl Serialize for Mutation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut wire = serializer.serialize_struct("Mutation", 2)?;
        wire.serialize_field("name", self.name())?;
        self.serialize_args(&mut wire)?;
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
