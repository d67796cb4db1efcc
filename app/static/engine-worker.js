// The sync engine's dedicated Web Worker: loads the engine's wasm, whose start function runs the sync
// loop (app/engine). Top-level await: messages from the UI queue until the engine listens.
import init from "/pkg/engine.js";

await init();
