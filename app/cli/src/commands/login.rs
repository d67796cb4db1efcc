//! `tracker login <url>`, `tracker logout`, `tracker whoami`.

use crate::output::say;
use std::io::{BufRead, IsTerminal, Write};

use uuid::Uuid;

use crate::config::{Login, Paths};
use crate::error::{CliError, Code, Result};
use crate::output::print_json;
use crate::sync;
use crate::workspace::Workspace;

/// What every API token starts with.
const TOKEN_PREFIX: &str = "trk_";

pub fn login(paths: &Paths, url: &str, token: Option<String>) -> Result<()> {
    let (origin, workspace) = parse_workspace_url(url)?;
    let token = match token.filter(|token| !token.trim().is_empty()) {
        Some(token) => token.trim().to_owned(),
        None => read_token()?,
    };
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(CliError::usage(format!(
            "that is not an API token (they start with {TOKEN_PREFIX}): make one in the web app, \
             Members, API tokens"
        )));
    }
    let mut login = Login {
        url: origin,
        workspace,
        member: Uuid::nil(),
        token,
    };
    let members = crate::client::Client::new(login.clone()).members()?;
    login.member = members.you.ok_or_else(|| {
        CliError::failed("the server did not say who the token is: it is older than this CLI")
    })?;
    let mut ws = Workspace::open_as(paths, login.clone())?;
    ws.refresh_members()?;
    paths.write_login(&login)?;
    let bar = spinner("pulling the workspace");
    let synced = sync::sync(&mut ws.replica, &ws.client, None);
    bar.finish_and_clear();
    synced.map_err(|stopped| stopped.error)?;
    let name = ws.info().map(|info| info.name.clone()).unwrap_or_default();
    let issues = ws.replica.status_counts()?;
    eprintln!(
        "logged in to {name} as {}: {} open issues here",
        ws.name_of(ws.me()),
        issues.not_started + issues.in_progress
    );
    Ok(())
}

pub fn logout(paths: &Paths) -> Result<()> {
    if paths.remove_login()? {
        eprintln!("logged out (the token itself still works until revoked in the web app)");
    } else {
        eprintln!("not logged in");
    }
    Ok(())
}

pub fn whoami(ws: &Workspace, json: bool) -> Result<()> {
    let pending = ws.replica.pending_count()?;
    let info = ws.info();
    if json {
        print_json(&serde_json::json!({
            "url": ws.client.login.url,
            "workspace": {
                "id": ws.client.login.workspace,
                "name": info.map(|info| info.name.clone()),
                "issueKey": ws.key().map(|key| key.as_str().to_owned()),
            },
            "member": ws.person(ws.me()),
            "role": info.map(|info| info.role),
            "pending": pending,
            "clientId": ws.replica.client_id(),
        }));
    } else {
        say!(
            "{} in {} ({}), {}; {pending} change{} waiting to sync",
            ws.name_of(ws.me()),
            info.map(|info| info.name.as_str()).unwrap_or("a workspace"),
            ws.client.login.workspace,
            ws.client.login.url,
            if pending == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `https://host[:port]/w/<workspace>[/anything]` → (`https://host[:port]`, workspace). Plain
/// `http://` only to this machine: a token must not cross a network in the clear.
pub fn parse_workspace_url(url: &str) -> Result<(String, Uuid)> {
    let bad = || {
        CliError::usage(format!(
            "{url:?} is not a workspace's address: copy it from the web app, like \
             https://tracker.example.com/w/<workspace id>"
        ))
    };
    let (scheme, rest) = url.trim().split_once("://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    if host.is_empty() || host.contains(['@', '?', '#', ' ']) {
        return Err(bad());
    }
    let local =
        host.starts_with("localhost") || host.starts_with("127.0.0.1") || host.starts_with("[::1]");
    match scheme {
        "https" => {}
        "http" if local => {}
        "http" => {
            return Err(CliError::usage(
                "plain http:// sends the token in the clear: use https:// (http:// is for this \
                 machine only)",
            ));
        }
        _ => return Err(bad()),
    }
    let workspace = path
        .strip_prefix("w/")
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(bad)?;
    Ok((format!("{scheme}://{host}"), workspace))
}

/// The token from standard input (a prompt when it is a terminal).
fn read_token() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("API token (make one in the web app: Members, API tokens): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|err| CliError::failed(format!("reading the token: {err}")))?;
    let token = line.trim().to_owned();
    if token.is_empty() {
        return Err(CliError::new(
            Code::Usage,
            "no token: pass --token, set TRACKER_TOKEN, or paste it when asked",
        ));
    }
    Ok(token)
}

pub fn spinner(message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_address_gives_its_server_and_id() {
        let id = "0190a3c4-0000-4000-8000-000000000001";
        let (origin, workspace) =
            parse_workspace_url(&format!("https://t.example.com/w/{id}/issue/TRK-2")).unwrap();
        assert_eq!(origin, "https://t.example.com");
        assert_eq!(workspace.to_string(), id);
        let (origin, _) = parse_workspace_url(&format!("http://127.0.0.1:8787/w/{id}")).unwrap();
        assert_eq!(origin, "http://127.0.0.1:8787");
        for bad in [
            format!("http://t.example.com/w/{id}"),
            format!("ftp://t.example.com/w/{id}"),
            "https://t.example.com/w/not-an-id".to_owned(),
            format!("https://user@t.example.com/w/{id}"),
            "t.example.com".to_owned(),
        ] {
            let err = parse_workspace_url(&bad).unwrap_err();
            assert_eq!(err.code, Code::Usage, "{bad}");
        }
    }
}
