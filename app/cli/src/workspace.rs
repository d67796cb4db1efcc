//! One workspace as the CLI holds it: the login, the server, the replica on disk (locked while a
//! command uses it: one `Replica` owns its files) and the members' names last read.

use std::fs::File;
use std::path::PathBuf;

use shared::Actor;
use shared::api::{Members, WorkspaceInfo};
use shared::numbers::IssueKey;
use shared::replica::{Replica, Storage};
use uuid::Uuid;

use crate::client::Client;
use crate::config::{Login, Paths};
use crate::error::{CliError, Code, Result, io};

pub struct Workspace {
    pub client: Client,
    pub replica: Replica,
    pub dir: PathBuf,
    /// The members' names as last read from the server (`members.json` beside the replica).
    pub members: Members,
    /// Held while the workspace is open: another command on the same replica waits for it.
    _lock: File,
}

impl Workspace {
    /// The logged-in workspace's replica; `token` (a flag or `TRACKER_TOKEN`) stands in for the
    /// login's own.
    pub fn open(paths: &Paths, token: Option<String>) -> Result<Workspace> {
        let Some(mut login) = paths.read_login()? else {
            return Err(CliError::new(
                Code::NotSignedIn,
                "not logged in: run `tracker login <workspace URL>` with an API token (Members, \
                 API tokens, in the web app)",
            ));
        };
        if let Some(token) = token.filter(|token| !token.trim().is_empty()) {
            login.token = token.trim().to_owned();
        }
        Workspace::open_as(paths, login)
    }

    pub fn open_as(paths: &Paths, login: Login) -> Result<Workspace> {
        let dir = paths.replica(&login);
        std::fs::create_dir_all(&dir).map_err(|err| io(&dir, err))?;
        // The replica is the workspace's data: its owner's only, like the login.
        crate::config::private_folder(&paths.data)?;
        let lock_path = dir.join("lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|err| io(&lock_path, err))?;
        lock.lock().map_err(|err| io(&lock_path, err))?;
        let actor = Actor::new(login.workspace, login.member);
        let replica = Replica::open(&Storage::Directory(dir.clone()), actor)?;
        let members = std::fs::read_to_string(dir.join("members.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Ok(Workspace {
            client: Client::new(login),
            replica,
            dir,
            members,
            _lock: lock,
        })
    }

    /// Reads the members again and keeps them for commands that run offline.
    pub fn refresh_members(&mut self) -> Result<()> {
        self.members = self.client.members()?;
        let path = self.dir.join("members.json");
        let text = serde_json::to_string(&self.members).unwrap_or_default();
        std::fs::write(&path, text).map_err(|err| io(&path, err))
    }

    pub fn me(&self) -> Uuid {
        self.client.login.member
    }

    pub fn info(&self) -> Option<&WorkspaceInfo> {
        self.members.workspace.as_ref()
    }

    /// The workspace's issue key (`TRK`), once known.
    pub fn key(&self) -> Option<IssueKey> {
        self.info().map(WorkspaceInfo::key)
    }

    /// `TRK-42`, `#42` when the key is unknown, or the start of the id before the issue has a number.
    pub fn issue_ref(&self, id: Uuid, number: Option<u64>) -> String {
        match (number, self.key()) {
            (Some(number), Some(key)) => key.issue(number),
            (Some(number), None) => format!("#{number}"),
            (None, _) => id.to_string()[..8].to_owned(),
        }
    }

    /// A member's name, the names of people removed included, when this device knows it.
    pub fn known_name(&self, id: Uuid) -> Option<String> {
        self.members
            .members
            .iter()
            .map(|m| (m.id, &m.name))
            .chain(self.members.former.iter().map(|m| (m.id, &m.name)))
            .find(|(member, _)| *member == id)
            .map(|(_, name)| name.clone())
    }

    /// A member's name, or "someone" when this device does not know it.
    pub fn name_of(&self, id: Uuid) -> String {
        self.known_name(id).unwrap_or_else(|| "someone".to_owned())
    }

    /// Whom `name` assigns an issue to: `none` (or `no one`, `nobody`) is no one, else as
    /// [`Workspace::member_named`].
    pub fn assignee_named(&self, name: &str) -> Result<Option<Uuid>> {
        match name.trim().to_lowercase().as_str() {
            "none" | "no one" | "nobody" => Ok(None),
            _ => self.member_named(name).map(Some),
        }
    }

    /// The member called `name` (case does not matter), or `me`.
    pub fn member_named(&self, name: &str) -> Result<Uuid> {
        if name.eq_ignore_ascii_case("me") {
            return Ok(self.me());
        }
        let found: Vec<Uuid> = self
            .members
            .members
            .iter()
            .filter(|m| m.name.eq_ignore_ascii_case(name.trim()))
            .map(|m| m.id)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(CliError::not_found(format!(
                "no member named {name:?} in this workspace (`tracker members` lists them)"
            ))),
            _ => Err(CliError::usage(format!(
                "more than one member is named {name:?}"
            ))),
        }
    }
}
