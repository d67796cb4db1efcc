//! `tracker watch`: the live channel, as the browser's engine holds it. Each poke is applied to the
//! replica (or, when it cannot be, a pull runs) and every entry that arrives is printed: who did
//! what to which issue. The socket is pinged as the browser pings it; a dropped socket is opened
//! again after a backoff; a refused token ends the watch (exit status 3).

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use shared::live::{
    CLOSE_REMOVED, CLOSE_SIGNED_OUT, HEARTBEAT_MS, LiveMessage, PING, PONG, PONG_WITHIN_MS, Poke,
};
use shared::protocol::LogEntry;
use shared::replica::PokeOutcome;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::config::Paths;
use crate::error::{CliError, Code, Result};
use crate::sync;
use crate::workspace::Workspace;

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// How often the socket is read between pings: the longest a Ctrl-C waits, too.
const TICK: Duration = Duration::from_millis(500);

pub fn watch(paths: &Paths, token: Option<String>, json: bool) -> Result<()> {
    let mut backoff = Duration::from_secs(1);
    loop {
        // The replica is opened (and locked) only while a poke is taken, so other commands run
        // meanwhile, on the same replica.
        let (url, token, client_id, name) = {
            let mut ws = Workspace::open(paths, token.clone())?;
            // Whoever joined while no socket was open was told to no one here.
            let _ = ws.refresh_members();
            caught_up(&mut ws)?;
            let name = ws.info().map(|i| i.name.clone()).unwrap_or_default();
            (
                ws.client.url("live"),
                ws.client.login.token.clone(),
                ws.replica.client_id(),
                name,
            )
        };
        let socket = match connect(&url, &token, &client_id.to_string()) {
            Ok(socket) => socket,
            Err(err) if err.code == Code::NotSignedIn => return Err(err),
            Err(err) => {
                eprintln!("live channel: {err}; again in {} s", backoff.as_secs());
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        eprintln!("watching {name} (Ctrl-C stops)");
        backoff = Duration::from_secs(1);
        match listen(socket, paths, &token, json) {
            Ok(()) => {}
            Err(err) if err.code == Code::NotSignedIn => return Err(err),
            Err(err) => eprintln!("live channel: {err}; opening it again"),
        }
        std::thread::sleep(backoff);
    }
}

/// Pulls what arrived while no socket was open (printed as nothing: it is not news).
fn caught_up(ws: &mut Workspace) -> Result<()> {
    match sync::sync(&mut ws.replica, &ws.client, None) {
        Ok(_) => Ok(()),
        Err(stopped) if stopped.error.code == Code::Offline => Ok(()),
        Err(stopped) => Err(stopped.error),
    }
}

fn connect(url: &str, token: &str, client_id: &str) -> Result<Socket> {
    let url = format!("{}?clientId={client_id}", url.replacen("http", "ws", 1));
    let mut request = url
        .into_client_request()
        .map_err(|err| CliError::failed(format!("the live channel's address: {err}")))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| CliError::usage("the token has characters a header cannot carry"))?;
    request.headers_mut().insert("Authorization", bearer);
    match tungstenite::connect(request) {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let code = if matches!(status, 401 | 403) {
                Code::NotSignedIn
            } else {
                Code::Failed
            };
            Err(CliError::new(
                code,
                format!("the server refused the live channel (HTTP {status})"),
            ))
        }
        Err(err) => Err(CliError::new(Code::Offline, err.to_string())),
    }
}

fn listen(mut socket: Socket, paths: &Paths, token: &str, json: bool) -> Result<()> {
    set_read_timeout(&mut socket, TICK);
    let mut pinged_at = Instant::now();
    let mut awaiting_pong = false;
    loop {
        if awaiting_pong && pinged_at.elapsed() >= Duration::from_millis(PONG_WITHIN_MS) {
            return Err(CliError::new(Code::Offline, "no answer to a ping"));
        }
        if !awaiting_pong && pinged_at.elapsed() >= Duration::from_millis(HEARTBEAT_MS) {
            socket
                .send(Message::text(PING))
                .map_err(|err| CliError::new(Code::Offline, err.to_string()))?;
            pinged_at = Instant::now();
            awaiting_pong = true;
        }
        let message = match socket.read() {
            Ok(message) => message,
            Err(tungstenite::Error::Io(err))
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(err) => return Err(CliError::new(Code::Offline, err.to_string())),
        };
        match message {
            Message::Text(text) if text.as_str() == PONG => awaiting_pong = false,
            Message::Text(text) => match serde_json::from_str::<LiveMessage>(text.as_str()) {
                Ok(LiveMessage::Poke(poke)) => take(paths, token, &poke, json)?,
                Ok(LiveMessage::Members | LiveMessage::Workspace) => {
                    let mut ws = Workspace::open(paths, Some(token.to_owned()))?;
                    let _ = ws.refresh_members();
                }
                Err(_) => {}
            },
            Message::Close(frame) => {
                let code = frame.as_ref().map(|f| u16::from(f.code));
                return Err(match code {
                    Some(CLOSE_SIGNED_OUT | CLOSE_REMOVED) => CliError::new(
                        Code::NotSignedIn,
                        "the server closed the live channel: the token was revoked or its member \
                         removed",
                    ),
                    _ => CliError::new(Code::Offline, "the server closed the live channel"),
                });
            }
            _ => {}
        }
    }
}

/// Takes a poke into the replica and prints what it brought.
fn take(paths: &Paths, token: &str, poke: &Poke, json: bool) -> Result<()> {
    let mut ws = Workspace::open(paths, Some(token.to_owned()))?;
    let before = ws.replica.cookie();
    let entries: Vec<LogEntry> = match ws.replica.take_poke(poke)? {
        PokeOutcome::Ignored => Vec::new(),
        PokeOutcome::Applied { .. } => before
            .and_then(|cookie| poke.entries_after(cookie))
            .map(<[LogEntry]>::to_vec)
            .unwrap_or_default(),
        PokeOutcome::Pull => match sync::sync(&mut ws.replica, &ws.client, None) {
            Ok(synced) => synced.entries,
            Err(stopped) => return Err(stopped.error),
        },
    };
    let mut out = std::io::stdout().lock();
    for entry in entries {
        let line = if json {
            let issue = entry_issue(&ws, &entry);
            serde_json::json!({
                "logId": entry.log_id,
                "name": entry.name,
                "member": ws.person(entry.member_id),
                "args": entry.args,
                "issue": issue,
            })
            .to_string()
        } else {
            format!(
                "{}  {}",
                crate::output::when(sync::now()),
                ws.describe(&entry)
            )
        };
        // A closed pipe (`tracker watch | head`) ends the watch quietly.
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            std::process::exit(0);
        }
    }
    Ok(())
}

/// The issue an entry is about, as it is now: `{id, key, title}`.
fn entry_issue(ws: &Workspace, entry: &LogEntry) -> serde_json::Value {
    match ws.entry_issue(entry) {
        Some(issue) => serde_json::json!({
            "id": issue.id,
            "key": issue.number.map(|n| ws.issue_ref(issue.id, Some(n))),
            "title": issue.title,
        }),
        None => serde_json::Value::Null,
    }
}

fn set_read_timeout(socket: &mut Socket, timeout: Duration) {
    let stream = match socket.get_mut() {
        MaybeTlsStream::Plain(stream) => stream,
        MaybeTlsStream::Rustls(stream) => stream.get_mut(),
        _ => return,
    };
    let _ = stream.set_read_timeout(Some(timeout));
}
