//! The rows a mutation touches, named so that the client's rebase can reset and replay only what can
//! be stale (`shared/src/replica/rebase.rs`).
//!
//! **Each mutation names the rows it reads and writes**, as scopes that never overlap:
//! - [`Scope::Issue`]: one issue row, its comments and its label links (the rows that live and die
//!   with it: deleting an issue deletes them);
//! - [`Scope::Labels`]: every label row of the workspace (few; a name's uniqueness is read across
//!   all of them);
//! - [`Scope::Inbox`]: the member's inbox read marks (a replica holds its own member's only).
//!
//! A mutation's statements must stay inside the scopes it names. That is why deleting a label leaves
//! its links behind, unseen (every read joins `label`): deleting them would write into every issue's
//! scope at once.

use super::fields::IssueId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Issue(IssueId),
    Labels,
    Inbox,
}

impl Scope {
    /// The issue this scope is, if it is one.
    pub fn issue(self) -> Option<IssueId> {
        match self {
            Scope::Issue(id) => Some(id),
            Scope::Labels | Scope::Inbox => None,
        }
    }
}
