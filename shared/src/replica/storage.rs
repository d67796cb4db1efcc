//! Where a replica keeps its two databases. Their tables come from the migrations in `schema`.

use std::path::PathBuf;

use rusqlite::{Connection, OpenFlags};

/// Where the base and optimistic databases live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Two private in-memory databases, for tests: nothing survives the replica.
    Memory,
    /// `base.sqlite3` and `optimistic.sqlite3` in a directory, created if missing.
    Directory(PathBuf),
    /// `{prefix}-base.sqlite3` and `{prefix}-optimistic.sqlite3` in a registered SQLite VFS, such as
    /// OPFS in the browser.
    Vfs { vfs: String, prefix: String },
}

impl Storage {
    /// Opens `(base, optimistic)`.
    pub(super) fn open(&self) -> rusqlite::Result<(Connection, Connection)> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let (base, optimistic) = match self {
            Storage::Memory => (Connection::open_in_memory()?, Connection::open_in_memory()?),
            Storage::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|err| {
                    rusqlite::Error::InvalidPath(PathBuf::from(format!("{}: {err}", dir.display())))
                })?;
                let open = |name: &str| -> rusqlite::Result<Connection> {
                    let conn = Connection::open_with_flags(dir.join(name), flags)?;
                    // Each transaction touches one database, so WAL's per-file atomicity is enough.
                    conn.pragma_update(None, "journal_mode", "WAL")?;
                    conn.pragma_update(None, "synchronous", "NORMAL")?;
                    Ok(conn)
                };
                (open("base.sqlite3")?, open("optimistic.sqlite3")?)
            }
            Storage::Vfs { vfs, prefix } => (
                Connection::open_with_flags_and_vfs(
                    format!("{prefix}-base.sqlite3"),
                    flags,
                    vfs.as_str(),
                )?,
                Connection::open_with_flags_and_vfs(
                    format!("{prefix}-optimistic.sqlite3"),
                    flags,
                    vfs.as_str(),
                )?,
            ),
        };
        Ok((base, optimistic))
    }
}
