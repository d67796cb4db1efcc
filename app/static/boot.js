// Starts the app, and registers the service worker that keeps its files for offline use. A file of
// its own, not an inline script, so the Content-Security-Policy (_headers) can forbid inline code.
//
// On a workspace's page the engine's Web Worker starts first, before the UI's wasm is even fetched,
// so the two load and compile at once (on two cores); what it says before the UI listens is kept, in
// order, and the UI takes both over (app/src/engine_link.rs, `started_early`). The engine is told at
// once the session this browser remembers (app/src/session.rs keeps it), so it opens that member's
// replica while the UI is still loading (`remembered` in app/engine/src/messages.rs).
performance.mark("boot");
const workspace = /^\/w\/([0-9a-f-]{36})(\/|$)/i.exec(location.pathname)?.[1];
if (workspace && "Worker" in window) {
  try {
    const worker = new Worker("/engine-worker.js", { type: "module" });
    const early = [];
    worker.onmessage = (event) => early.push(event);
    worker.onerror = (event) => early.push(event);
    const session = rememberedSession();
    if (session) worker.postMessage(JSON.stringify({ type: "remembered", workspace, session }));
    window.trackerEngineBoot = { worker, early };
  } catch (err) {
    console.warn("the engine's worker starts with the app instead:", err);
  }
}

function rememberedSession() {
  try {
    return localStorage.getItem("tracker.session");
  } catch {
    return null;
  }
}
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((err) => console.warn("no offline app:", err));
}
const { default: init } = await import("/pkg/app.js");
performance.mark("app-js");
await init();
performance.mark("app-started");
