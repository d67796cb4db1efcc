//! The replica's benchmark (`replica-bench`) in the browser: the same workload as natively, in a Web
//! Worker, on OPFS through its own `sahpool` directory, with the floor's database there too.

use replica_bench::Host;
use rusqlite::{Connection, OpenFlags};
use shared::replica::Storage;
use sqlite_wasm_rs::vfs::VfsFilesManager;
use sqlite_wasm_vfs::sahpool::{OpfsSAHPoolCfgBuilder, OpfsSAHPoolUtil, install};
use wasm_bindgen::prelude::*;
use web_sys::{Performance, WorkerGlobalScope};

const VFS: &str = "tracker-bench";

struct Browser {
    performance: Performance,
    pool: OpfsSAHPoolUtil,
}

impl Host for Browser {
    fn now_ms(&self) -> f64 {
        self.performance.now()
    }

    fn replica_storage(&self, name: &str) -> Storage {
        Storage::Vfs {
            vfs: VFS.to_owned(),
            prefix: name.to_owned(),
        }
    }

    fn floor_connection(&self, name: &str) -> Connection {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags_and_vfs(format!("{name}-floor.sqlite3"), flags, VFS)
            .expect("open the floor on OPFS")
    }

    fn remove(&self, name: &str) {
        for file in self.pool.names().unwrap_or_default() {
            if file.trim_start_matches('/').starts_with(name) {
                let _ = self.pool.remove(&file);
            }
        }
    }
}

/// Runs the replica's benchmark here and returns its markdown table.
#[wasm_bindgen]
pub async fn bench_replica(quick: bool) -> Result<String, JsValue> {
    let config = OpfsSAHPoolCfgBuilder::new()
        .vfs_name(VFS)
        .directory(".tracker-bench")
        .clear_on_init(true)
        .initial_capacity(16)
        .build();
    let failed = |err: sqlite_wasm_vfs::sahpool::OpfsSAHError| JsValue::from_str(&err.to_string());
    let pool = install::<sqlite_wasm_rs::WasmOsCallback>(&config, false)
        .await
        .map_err(failed)?;
    let performance = js_sys::global()
        .unchecked_into::<WorkerGlobalScope>()
        .performance()
        .ok_or_else(|| JsValue::from_str("no performance clock in this worker"))?;
    Ok(replica_bench::run(quick, &Browser { performance, pool }))
}
