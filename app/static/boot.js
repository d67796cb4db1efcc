// Starts the app, and registers the service worker that keeps its files for offline use. A file of
// its own, not an inline script, so the Content-Security-Policy (_headers) can forbid inline code.
import init from "/pkg/app.js";

init();
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch((err) => console.warn("no offline app:", err));
}
