//! Which storage this tab's engine uses. Each tab's engine claims a numbered slot with the Web Locks
//! API and keeps it until the tab closes; a slot is an OPFS `sahpool` directory holding one replica
//! (its client id, base, optimistic state and pending queue). A new tab takes the lowest free slot, so
//! the storage of a tab that closed, pending mutations included, is reused by the next tab, which
//! pushes them. Where OPFS is unavailable (a private window, an old browser), the replica lives in
//! memory and the UI says so.

use shared::replica::Storage;
use sqlite_wasm_vfs::sahpool::{OpfsSAHError, OpfsSAHPoolCfgBuilder, OpfsSAHPoolUtil, install};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::messages::StorageKind;

/// More tabs than this share nothing on the device and run in memory.
pub const SLOTS: u32 = 16;

#[wasm_bindgen(module = "/js/slots.js")]
extern "C" {
    #[wasm_bindgen(js_name = claimSlot)]
    async fn claim_slot(slots: u32) -> wasm_bindgen::JsValue;

    /// Claims `slot` if a closed tab left storage there and no tab holds it: a function that
    /// releases it, or null.
    #[wasm_bindgen(js_name = claimLeftover)]
    pub async fn claim_leftover(slot: u32) -> wasm_bindgen::JsValue;
}

/// Claims a slot and opens its pool, or explains why the replica must live in memory.
pub async fn storage() -> (Storage, StorageKind) {
    let slot = claim_slot(SLOTS).await.as_f64().unwrap_or(-1.0);
    if slot < 0.0 {
        return memory("no free storage slot (Web Locks unavailable or too many tabs)");
    }
    let slot = slot as u32;
    match open_pool(slot).await {
        Ok((storage, _)) => (storage, StorageKind::Device { slot }),
        Err(err) => memory(&format!("OPFS is not available here ({err})")),
    }
}

/// Installs (or takes back) the `sahpool` VFS of `slot` in this worker.
pub async fn open_pool(slot: u32) -> Result<(Storage, OpfsSAHPoolUtil), OpfsSAHError> {
    let name = format!("tracker-slot-{slot}");
    let config = OpfsSAHPoolCfgBuilder::new()
        .vfs_name(&name)
        .directory(&format!(".{name}"))
        .build();
    let pool = install::<sqlite_wasm_rs::WasmOsCallback>(&config, false).await?;
    if pool.is_paused() {
        pool.resume().await?;
    }
    let storage = Storage::Vfs {
        vfs: name,
        prefix: "tracker".to_owned(),
    };
    Ok((storage, pool))
}

fn memory(reason: &str) -> (Storage, StorageKind) {
    (
        Storage::Memory,
        StorageKind::Memory {
            reason: reason.to_owned(),
        },
    )
}
