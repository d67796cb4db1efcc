//! Pushes what closed tabs left behind. A tab that closes while offline leaves its pending mutations
//! in its slot; the next tab to take that slot pushes them, but with fewer tabs open that may never
//! happen. So every engine also looks, at start and then every minute, for slots that exist on the
//! device and that no tab holds, and syncs each until its queue is empty, then lets it go.

use shared::replica::Replica;
use wasm_bindgen::JsCast;

use super::{slot, transport};

const EVERY_MS: u32 = 60_000;
/// Rounds of push-then-pull for one leftover slot before leaving it for the next scan.
const ROUNDS: usize = 20;

pub async fn run(own: Option<u32>) {
    loop {
        for leftover in (0..slot::SLOTS).filter(|s| Some(*s) != own) {
            let release = slot::claim_leftover(leftover).await;
            let Some(release) = release.dyn_ref::<js_sys::Function>() else {
                continue;
            };
            drain(leftover).await;
            let _ = release.call0(&wasm_bindgen::JsValue::NULL);
        }
        gloo_timers::future::TimeoutFuture::new(EVERY_MS).await;
    }
}

/// Syncs one leftover slot until nothing is pending, or the network fails.
async fn drain(leftover: u32) {
    let Ok((storage, pool)) = slot::open_pool(leftover).await else {
        return;
    };
    if let Ok(mut replica) = Replica::open(&storage) {
        for _ in 0..ROUNDS {
            if replica.pending_count().unwrap_or(0) == 0 || !round(&mut replica).await {
                break;
            }
        }
    }
    // The replica is closed: give the files back for the tab that takes this slot next.
    let _ = pool.pause();
}

/// One push and the pulls that follow it; false when the network failed.
async fn round(replica: &mut Replica) -> bool {
    if let Ok(Some((ticket, request))) = replica.next_push() {
        match transport::push(request).await {
            Ok(response) => {
                replica.push_succeeded(ticket, &response);
            }
            Err(failure) => {
                let _ = replica.push_failed(ticket, &failure);
                if failure.is_network() {
                    return false;
                }
            }
        }
    }
    while let Some((ticket, request)) = replica.next_pull() {
        match transport::pull(request).await {
            Ok(response) => match replica.pull_succeeded(ticket, &response) {
                Ok(outcome) if outcome.has_more => continue,
                _ => break,
            },
            Err(failure) => {
                let _ = replica.pull_failed(ticket, &failure);
                return !failure.is_network();
            }
        }
    }
    true
}
