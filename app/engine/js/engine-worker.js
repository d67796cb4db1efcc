// The sync engine's dedicated Web Worker: loads the engine's wasm, whose start function listens to the
// UI and runs the sync loop (app/engine). A message posted before then is lost, so the UI holds what it
// sends until the engine says it is ready (app/src/engine.rs); if the engine cannot load, the UI hears
// so here and keeps the held changes on screen as not saved. The marks time the first render
// (app/bench/browser.mjs).
import init from "/pkg/engine.js";

performance.mark("engine-script");
try {
  await init();
  performance.mark("engine-wasm-ready");
} catch (err) {
  postMessage(JSON.stringify({ type: "failed", message: `the engine could not load (${err})` }));
}
