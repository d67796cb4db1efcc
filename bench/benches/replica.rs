//! The replica's benchmark natively, on files. Prints the markdown table and writes it to
//! `target/bench/replica.md`; `-- --quick` runs a small version that only shows it works.

use std::path::PathBuf;
use std::time::Instant;

use replica_bench::Host;
use shared::replica::Storage;

struct Native {
    started: Instant,
    dir: PathBuf,
}

impl Host for Native {
    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn replica_storage(&self, name: &str) -> Storage {
        Storage::Directory(self.dir.join(name).join("replica"))
    }

    fn floor_connection(&self, name: &str) -> rusqlite::Connection {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir).expect("a folder for the floor");
        let conn = rusqlite::Connection::open(dir.join("floor.sqlite3")).expect("open the floor");
        // As the replica's own files natively.
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.pragma_update(None, "synchronous", "NORMAL")
            .expect("synchronous");
        conn
    }

    fn remove(&self, name: &str) {
        std::fs::remove_dir_all(self.dir.join(name)).ok();
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let host = Native {
        started: Instant::now(),
        dir: std::env::temp_dir().join(format!("replica-bench-{}", std::process::id())),
    };
    let table = replica_bench::run(quick, &host);
    std::fs::remove_dir_all(&host.dir).ok();
    print!("{table}");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    if std::fs::create_dir_all(&out).is_ok() {
        std::fs::write(out.join("replica.md"), &table).ok();
    }
}
