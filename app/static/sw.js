// Keeps the app's own files so the tracker opens offline; the data itself lives in OPFS. On install it
// caches every file of this build (precache.json, written by scripts/build.sh). Requests then go to
// the network first, so a new deploy is picked up whenever the network answers, and fall back to the
// cache when it does not; every file the network answers replaces its cached copy, so once a page has
// loaded a new build, offline it gets that build again, never the one before it (whose engine could
// not open a replica the new one has upgraded). The API is never cached: the engine handles being
// offline.
const manifest = fetch("/precache.json", { cache: "no-store" }).then((r) => r.json());

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const { version, files } = await manifest;
      const cache = await caches.open(`tracker-${version}`);
      await cache.addAll(files);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const { version } = await manifest;
      for (const name of await caches.keys()) {
        if (name !== `tracker-${version}`) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith(
    (async () => {
      const navigate = event.request.mode === "navigate";
      try {
        const response = await fetch(event.request);
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(
            (async () => {
              const { version } = await manifest;
              const cache = await caches.open(`tracker-${version}`);
              await cache.put(navigate ? "/" : event.request, copy);
            })(),
          );
        }
        return response;
      } catch (offline) {
        const cached = await caches.match(navigate ? "/" : event.request, { ignoreSearch: navigate });
        if (cached) return cached;
        throw offline;
      }
    })(),
  );
});
