// Keeps the app's own files so the tracker opens offline; the data itself lives in OPFS. Network
// first (a new deploy is picked up whenever the network answers), the cached copy when it does not.
// The API is never cached: the engine handles being offline.
const CACHE = "tracker-app-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(event.request);
        if (response.ok) await cache.put(event.request, response.clone());
        return response;
      } catch (offline) {
        const cached =
          (await cache.match(event.request, { ignoreSearch: event.request.mode === "navigate" })) ??
          (event.request.mode === "navigate" ? await cache.match("/") : undefined);
        if (cached) return cached;
        throw offline;
      }
    })(),
  );
});
