//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tracker",
    version,
    about = "The tracker from a terminal, on the same replica as the browser: works offline, syncs \
             on the next command that reaches the server.",
    after_help = "Exit status: 0 done, 1 failed, 2 usage, 3 not signed in, 4 not found, \
                  5 server unreachable (changes kept), 6 refused by the server, 7 held back."
)]
pub struct Cli {
    /// An API token to use instead of the login's.
    #[arg(long, global = true, env = "TRACKER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in to a workspace with an API token: `tracker login https://host/w/<workspace>`.
    Login {
        /// The workspace's address, as the web app shows it.
        url: String,
    },
    /// Forget the login (the local replica stays, for the next login).
    Logout,
    /// Who the token acts as, in which workspace, and what is waiting to sync.
    Whoami {
        #[arg(long)]
        json: bool,
    },
    /// List issues, with the web app's filters and sorts.
    Ls(ListArgs),
    /// One issue in full: fields, description, comments.
    Show {
        /// TRK-42, 42, or the issue's id.
        issue: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A new issue. Without a title, $EDITOR opens.
    New(NewArgs),
    /// Change an issue's fields. With none given, $EDITOR opens on its title and description.
    Edit(EditArgs),
    /// Set an issue's status: not-started, in-progress or done.
    Status {
        issue: String,
        status: StatusArg,
        #[arg(long)]
        json: bool,
    },
    /// Move an issue to the trash (anyone restores it within 30 days).
    Delete {
        issue: String,
        #[arg(long)]
        json: bool,
    },
    /// Bring an issue back from the trash.
    Restore {
        issue: String,
        #[arg(long)]
        json: bool,
    },
    /// Comment on an issue. Without a body, $EDITOR opens; `-` reads it from standard input.
    Comment {
        issue: String,
        body: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The workspace's members.
    Members {
        #[arg(long)]
        json: bool,
    },
    /// Give a member more changes for today than the deployment's daily budget (owners): for a
    /// large import.
    Budget {
        /// The member's name (`me` for yourself).
        member: String,
        /// How many more changes, today (UTC), up to 100,000.
        extra: u64,
        #[arg(long)]
        json: bool,
    },
    /// Push local changes and pull the server's.
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// Print changes as they arrive on the live channel, until interrupted.
    Watch {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Bring issues in: from GitHub (`gh issue list --json ...`), a CSV file, or an export.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Write the whole workspace out, from the local replica.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Where to write it (standard output when absent).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// The output of `gh issue list --state all --limit 10000 --json
    /// number,title,body,state,labels,assignees,author,comments,createdAt,updatedAt`.
    Github {
        file: PathBuf,
        /// The repository (`owner/name`), when the file has no `url` fields to say.
        #[arg(long)]
        repo: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A CSV file with a header row: `title` (required), `description`, `status`, `labels`.
    Csv {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// A `tracker export --format json` file, into this workspace.
    Json {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    #[value(alias = "todo", alias = "not_started")]
    NotStarted,
    #[value(alias = "in_progress", alias = "started")]
    InProgress,
    #[value(alias = "closed")]
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PriorityArg {
    None,
    Low,
    Medium,
    High,
    Urgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Created,
    Updated,
    Priority,
}

/// How a reading command treats the server.
#[derive(Debug, Clone, Copy, Args)]
pub struct ReadArgs {
    /// Read the local replica only: no request to the server.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Issues carrying this label (repeat for all of several).
    #[arg(long)]
    pub label: Vec<String>,
    /// `me`, `none`, or a member's name (repeat for any of several).
    #[arg(long)]
    pub assignee: Vec<String>,
    #[arg(long, value_enum)]
    pub priority: Vec<PriorityArg>,
    /// Text in the title or description.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, value_enum, default_value = "created")]
    pub sort: SortArg,
    /// At most this many (0: all).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Issues in the trash instead.
    #[arg(long)]
    pub trash: bool,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    pub title: Option<String>,
    #[arg(long, short)]
    pub description: Option<String>,
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    #[arg(long, value_enum)]
    pub priority: Option<PriorityArg>,
    /// A label's name (repeat for several; a new name makes the label).
    #[arg(long)]
    pub label: Vec<String>,
    /// `me` or a member's name.
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub issue: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, short)]
    pub description: Option<String>,
    #[arg(long, value_enum)]
    pub priority: Option<PriorityArg>,
    /// `me`, `none`, or a member's name.
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub add_label: Vec<String>,
    #[arg(long)]
    pub remove_label: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

impl StatusArg {
    pub fn status(self) -> shared::mutations::fields::Status {
        use shared::mutations::fields::Status;
        match self {
            StatusArg::NotStarted => Status::NotStarted,
            StatusArg::InProgress => Status::InProgress,
            StatusArg::Done => Status::Done,
        }
    }
}

impl PriorityArg {
    pub fn priority(self) -> shared::mutations::fields::Priority {
        use shared::mutations::fields::Priority;
        match self {
            PriorityArg::None => Priority::None,
            PriorityArg::Low => Priority::Low,
            PriorityArg::Medium => Priority::Medium,
            PriorityArg::High => Priority::High,
            PriorityArg::Urgent => Priority::Urgent,
        }
    }
}

impl SortArg {
    pub fn sort(self) -> shared::issue::Sort {
        use shared::issue::Sort;
        match self {
            SortArg::Created => Sort::Created,
            SortArg::Updated => Sort::Updated,
            SortArg::Priority => Sort::Priority,
        }
    }
}
