//! `tracker`: the tracker from a terminal. Each command opens the member's replica of the logged-in
//! workspace (the same shared replica the browser runs, on rusqlite), reads or changes it, and syncs
//! around that. See README, "Command line".

mod args;
mod client;
mod commands;
mod config;
mod editor;
mod error;
mod output;
mod sync;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use commands::{export, import, login, read, watch, write};
use config::Paths;
use error::Result;
use workspace::Workspace;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error[{}]: {}", err.code.name(), err.message);
            ExitCode::from(err.code.exit_status())
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let paths = Paths::find()?;
    let token = cli.token;
    let open = || Workspace::open(&paths, token.clone());
    match cli.command {
        Command::Login { url } => login::login(&paths, &url, token),
        Command::Logout => login::logout(&paths),
        Command::Whoami { json } => login::whoami(&open()?, json),
        Command::Ls(args) => read::ls(&mut open()?, &args),
        Command::Show { issue, json, read } => read::show(&mut open()?, &issue, json, read.offline),
        Command::Members { json } => read::members(&mut open()?, json),
        Command::New(args) => write::new(&mut open()?, &args),
        Command::Edit(args) => write::edit(&mut open()?, &args),
        Command::Status {
            issue,
            status,
            json,
        } => write::status(&mut open()?, &issue, status, json),
        Command::Delete { issue, json } => write::trash(&mut open()?, &issue, true, json),
        Command::Restore { issue, json } => write::trash(&mut open()?, &issue, false, json),
        Command::Comment { issue, body, json } => {
            write::comment(&mut open()?, &issue, body.as_deref(), json)
        }
        Command::Budget {
            member,
            extra,
            json,
        } => commands::budget(&mut open()?, &member, extra, json),
        Command::Sync { json } => commands::sync_command(&mut open()?, json),
        Command::Watch { json } => watch::watch(&paths, token, json),
        Command::Import { source } => import::import(&mut open()?, &source),
        Command::Export {
            format,
            output,
            read,
        } => export::export(&mut open()?, format, output.as_deref(), read.offline),
    }
}
