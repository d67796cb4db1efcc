//! Where the CLI keeps things: the login (`login.json`, readable by its owner only: it holds an API
//! token) in the user's config folder, and each workspace's replica in the user's data folder.
//! `TRACKER_HOME` puts both under one folder instead (tests, or several logins side by side).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{CliError, Code, Result, io};

/// What `tracker login` learnt: the server, the workspace and who the token acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Login {
    /// The server's origin, `https://tracker.example.com` (no trailing slash).
    pub url: String,
    pub workspace: Uuid,
    pub member: Uuid,
    pub token: String,
}

/// The folders the CLI reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Paths {
    pub fn find() -> Result<Paths> {
        if let Some(home) = std::env::var_os("TRACKER_HOME").filter(|home| !home.is_empty()) {
            let home = PathBuf::from(home);
            return Ok(Paths {
                config: home.join("config"),
                data: home.join("data"),
            });
        }
        let dirs = directories::ProjectDirs::from("", "", "tracker").ok_or_else(|| {
            CliError::failed("no home folder to keep the login in: set TRACKER_HOME")
        })?;
        Ok(Paths {
            config: dirs.config_dir().to_owned(),
            data: dirs.data_dir().to_owned(),
        })
    }

    pub fn login_file(&self) -> PathBuf {
        self.config.join("login.json")
    }

    /// One member's replica of one workspace (workspace ids are unique across servers: a server
    /// reached at another address is the same replica).
    pub fn replica(&self, login: &Login) -> PathBuf {
        self.data
            .join(login.workspace.to_string())
            .join(login.member.to_string())
    }

    pub fn read_login(&self) -> Result<Option<Login>> {
        let path = self.login_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io(&path, err)),
        };
        serde_json::from_str(&text).map(Some).map_err(|err| {
            CliError::new(
                Code::NotSignedIn,
                format!(
                    "{} is not a login this build reads ({err}): run `tracker login` again",
                    path.display()
                ),
            )
        })
    }

    /// Writes the login readable and writable by its owner only (0600), replacing any other.
    pub fn write_login(&self, login: &Login) -> Result<()> {
        std::fs::create_dir_all(&self.config).map_err(|err| io(&self.config, err))?;
        private_folder(&self.config)?;
        let path = self.login_file();
        let text = serde_json::to_string_pretty(login).unwrap_or_default();
        write_private(&path, text.as_bytes())
    }

    pub fn remove_login(&self) -> Result<bool> {
        let path = self.login_file();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(io(&path, err)),
        }
    }
}

/// Makes `folder` readable by its owner only (0700): what is in it is the workspace's.
pub fn private_folder(folder: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
            .map_err(|err| io(folder, err))?;
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Writes `bytes` to a new file at `path` that only its owner may read, then moves it into place, so
/// the secret is never readable by others, not even for a moment.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&temporary)
        .map_err(|err| io(&temporary, err))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|err| io(&temporary, err))?;
    std::fs::rename(&temporary, path).map_err(|err| io(path, err))
}
