//! Pushes what closed tabs left behind. A tab that closes while offline leaves its pending mutations
//! in its slot; the next tab to take that slot pushes them, but with fewer tabs open that may never
//! happen. So every engine also looks, at start and then every minute, for slots of its workspace
//! that exist on the device and that no tab holds, and syncs each until its queue is empty, then lets
//! it go. (Another workspace's leftovers wait until that workspace is opened.)

use shared::Actor;
use shared::replica::Replica;
use wasm_bindgen::JsCast;

use super::{jitter, log, now, slot, transport};

const EVERY_MS: u32 = 60_000;
/// Steps of the sync loop for one leftover slot before leaving it for the next scan.
const ROUNDS: usize = 40;
/// How long a step with nothing due waits (a backoff, or the pull timer).
const WAIT_MS: u32 = 250;

pub async fn run(family: slot::Family, actor: Actor, own: Option<u32>) {
    loop {
        for leftover in (0..slot::SLOTS).filter(|s| Some(*s) != own) {
            let release = slot::claim_leftover(family.name(), leftover).await;
            let Some(release) = release.dyn_ref::<js_sys::Function>() else {
                continue;
            };
            drain(&family, actor, leftover).await;
            let _ = release.call0(&wasm_bindgen::JsValue::NULL);
        }
        gloo_timers::future::TimeoutFuture::new(EVERY_MS).await;
    }
}

/// Syncs one leftover slot until nothing is pending, the network fails, or the round limit.
async fn drain(family: &slot::Family, actor: Actor, leftover: u32) {
    let Ok((storage, pool)) = slot::open_pool(family, leftover).await else {
        return;
    };
    if let Ok(mut replica) = Replica::open(&storage, actor) {
        sync_until_empty(&mut replica).await;
    }
    // The replica is closed: give the files back for the tab that takes this slot next.
    let _ = pool.pause();
}

/// The live engine's sync loop (`due`, send, `take`), awaited one request at a time.
async fn sync_until_empty(replica: &mut Replica) {
    for _ in 0..ROUNDS {
        if replica.pending_count().unwrap_or(0) == 0 || !replica.online() {
            return;
        }
        let requests = match replica.due(now()) {
            Ok(requests) => requests,
            Err(err) => return log("recovering a slot", &err.to_string()),
        };
        if requests.is_empty() {
            gloo_timers::future::TimeoutFuture::new(WAIT_MS).await;
        }
        for request in requests {
            let (answer, _) = transport::send(replica.actor().workspace_id, request).await;
            if let Err(err) = replica.take(answer, now(), jitter()) {
                log("recovering a slot", &err.to_string());
            }
        }
    }
}
