// The sync engine's dedicated Web Worker: loads the engine's wasm, whose start function listens to the
// UI and runs the sync loop (app/engine). What the page posts meanwhile (boot.js says whose replica
// to open at once) waits here, in order, and the engine takes it first. The UI itself holds its
// changes until the engine says it is ready (app/src/engine_link.rs); if the engine cannot load, the
// UI hears so here and keeps them on screen as not saved. The marks time the first render
// (app/bench/browser.mjs).
import init from "/pkg/engine.js";

const early = [];
globalThis.trackerEngineEarly = early;
self.onmessage = (event) => early.push(event.data);
performance.mark("engine-script");
try {
  await init();
  performance.mark("engine-wasm-ready");
} catch (err) {
  postMessage(JSON.stringify({ type: "failed", message: `the engine could not load (${err})` }));
}
