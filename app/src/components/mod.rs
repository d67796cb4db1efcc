//! The tracker's components, one file each.

mod account;
mod bulk;
mod comments;
mod dialog;
mod filters;
mod header;
mod history;
mod home;
mod icons;
mod inbox;
mod inspector;
mod issue_fields;
mod issue_form;
mod issue_page;
mod join;
mod list;
mod markdown;
mod markdown_field;
mod members;
mod name_setting;
mod notices;
mod page;
mod palette;
mod qr;
mod question;
mod reactions;
mod setup;
mod shortcuts;
mod signin;
mod trash;
mod undo_toast;
mod unsent;

pub use bulk::{BulkBar, clear as clear_picked, toggle_selected as toggle_picked};
pub use dialog::Dialog;
pub use filters::FilterBar;
pub use header::Header;
pub use home::Home;
pub use inbox::{InboxPage, open_inbox};
pub use issue_page::{IssuePage, NumberedIssue, close_issue, neighbour, open_issue};
pub use join::JoinPage;
pub use list::IssueList;
pub use notices::Notices;
pub use setup::SetupPage;
pub use signin::SignInPage;
pub use trash::{TrashPage, open_trash};
pub use unsent::Unsent;

use shared::mutations::fields::{Priority, Status};

/// How a priority reads on screen.
pub fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::None => "No priority",
        Priority::Low => "Low",
        Priority::Medium => "Medium",
        Priority::High => "High",
        Priority::Urgent => "Urgent",
    }
}

/// How a status reads on screen.
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "Not started",
        Status::InProgress => "In progress",
        Status::Done => "Done",
    }
}

/// The status a click on the row's status button moves to.
pub fn next_status(status: Status) -> Status {
    match status {
        Status::NotStarted => Status::InProgress,
        Status::InProgress => Status::Done,
        Status::Done => Status::NotStarted,
    }
}
