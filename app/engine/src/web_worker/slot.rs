//! Which storage this tab's engine uses. Each workspace has its own family of numbered slots; a tab's
//! engine claims the lowest free one of its workspace's with the Web Locks API and keeps it until the
//! tab closes. A slot is an OPFS `sahpool` directory holding one replica (its client id, base,
//! optimistic state and pending queue), so the storage of a tab that closed, pending mutations
//! included, is reused by the next tab of that workspace, which pushes them. The workspace that took
//! a deployment's data from before workspaces keeps the slots this browser used then. Where OPFS is
//! unavailable (a private window, an old browser), the replica lives in memory and the UI says so.

use shared::replica::Storage;
use sqlite_wasm_vfs::sahpool::{OpfsSAHError, OpfsSAHPoolCfgBuilder, OpfsSAHPoolUtil, install};
use uuid::Uuid;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::messages::StorageKind;

/// More tabs of one workspace than this share nothing on the device and run in memory.
pub const SLOTS: u32 = 16;

#[wasm_bindgen(module = "/js/slots.js")]
extern "C" {
    #[wasm_bindgen(js_name = claimSlot)]
    async fn claim_slot(name: &str, slots: u32) -> wasm_bindgen::JsValue;

    /// Claims slot `slot` of `name` if a closed tab left storage there and no tab holds it: a
    /// function that releases it, or null.
    #[wasm_bindgen(js_name = claimLeftover)]
    pub async fn claim_leftover(name: &str, slot: u32) -> wasm_bindgen::JsValue;
}

/// The slots of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family(String);

impl Family {
    pub fn of(workspace: Uuid, legacy: bool) -> Family {
        if legacy {
            // The names every build before workspaces used.
            Family("tracker-slot".to_owned())
        } else {
            Family(format!("tracker-{workspace}-slot"))
        }
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Claims a slot of `family` and opens its pool, or explains why the replica must live in memory.
pub async fn storage(family: &Family) -> (Storage, StorageKind) {
    let slot = claim_slot(family.name(), SLOTS)
        .await
        .as_f64()
        .unwrap_or(-1.0);
    if slot < 0.0 {
        return memory("no free storage slot (Web Locks unavailable or too many tabs)");
    }
    super::mark("slot-claimed");
    let slot = slot as u32;
    match open_pool(family, slot).await {
        Ok((storage, _)) => {
            super::mark("pool-open");
            (storage, StorageKind::Device { slot })
        }
        Err(err) => memory(&format!("OPFS is not available here ({err})")),
    }
}

/// Installs (or takes back) the `sahpool` VFS of `family`'s `slot` in this worker.
pub async fn open_pool(
    family: &Family,
    slot: u32,
) -> Result<(Storage, OpfsSAHPoolUtil), OpfsSAHError> {
    let name = format!("{}-{slot}", family.name());
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
