// The worker's entry point: the Rust worker that worker-build made, behind one guard, so that every
// failure is answered as the protocol's JSON 500 rather than the runtime's error page or a hang.
//
// A Rust panic traps the Wasm instance. worker-build's shim notices the trap (the guard calls it from
// outside, so it does) and resets the instance before the next request. But requests that were in
// flight on the dead instance would never settle, and the runtime would cancel them as hung. So the
// Rust panic hook (worker/src/panic_hook.rs) counts panics here, and each request in flight watches
// that count from its own context: once it moves, the request answers 500 and its client retries.
import { WorkerEntrypoint } from "cloudflare:workers";
import RustWorker from "./build/index.js";

// Each workspace's live channel, a Durable Object (worker/src/live/object.rs).
export { LiveWorkspace } from "./build/index.js";

let panics = 0;
globalThis.__trackerPanicked = () => {
  panics += 1;
};

const WATCH_MS = 20;

function internalError() {
  return Response.json(
    {
      error: "InternalError",
      message: "the worker failed unexpectedly; the request may be retried",
    },
    { status: 500, headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } },
  );
}

export default class Worker extends WorkerEntrypoint {
  async fetch(request) {
    const panicsBefore = panics;
    let watch;
    const panicked = new Promise((_, reject) => {
      watch = setInterval(() => {
        if (panics !== panicsBefore) reject(new Error("a panic killed the instance this request ran on"));
      }, WATCH_MS);
    });
    try {
      const rust = new RustWorker(this.ctx, this.env);
      return await Promise.race([rust.fetch(request), panicked]);
    } catch (err) {
      console.error("unhandled error in the worker:", err);
      return internalError();
    } finally {
      clearInterval(watch);
    }
  }

  // The Cron Trigger: compaction (worker/src/compaction.rs).
  async scheduled(controller) {
    const rust = new RustWorker(this.ctx, this.env);
    await rust.scheduled(controller);
  }
}
