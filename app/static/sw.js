// Keeps the app's own files so the tracker opens offline and fast; the data itself lives in OPFS.
//
// Each build's files are one cache, `tracker-<version>`, named by precache.json (written by
// scripts/build.sh with a hash of every file), and marked complete once all of them are in it. Each
// navigation asks the network which build is live (precache.json, never cached):
//   - its cache is complete: the page and every file it loads come from that cache, without the
//     network (a cold start then reads its wasm from disk, and Chromium keeps its compiled code);
//   - it is not (a new deploy, or the first visit): the network first, each answer kept in that
//     build's cache, which is filled in the background so that the next start is from the cache;
//   - no network: the cache of the build last seen, so the tracker opens offline.
// So a page never mixes two builds' files, and once a page has loaded a new build, offline it gets
// that build again, never the one before it (whose engine could not open a replica the new one has
// upgraded). The API is never cached: the engine handles being offline.
const COMPLETE = "/.complete";

/** The build the last navigation found live: `{ version, files }`. */
let live = null;

async function liveBuild() {
  const response = await fetch("/precache.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`precache.json: HTTP ${response.status}`);
  return response.json();
}

const cacheOf = (build) => caches.open(`tracker-${build.version}`);

async function complete(build) {
  return Boolean(build && (await (await cacheOf(build)).match(COMPLETE)));
}

/** Puts every file of `build` in its cache, marks it complete, and drops every other build's cache:
 * offline, the newest build is then the only one to fall back to (sw.js is the same file in every
 * build, so no new service worker activates to clear them). */
async function fill(build) {
  const cache = await cacheOf(build);
  await cache.addAll(build.files);
  await cache.put(COMPLETE, new Response(build.version));
  for (const name of await caches.keys()) {
    if (name.startsWith("tracker-") && name !== `tracker-${build.version}`) await caches.delete(name);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      live = await liveBuild();
      await fill(live);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      live = live ?? (await liveBuild());
      for (const name of await caches.keys()) {
        if (name !== `tracker-${live.version}`) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** From the network, the answer kept in `build`'s cache; from any cache when offline. */
async function networkFirst(event, build, key) {
  try {
    const response = await fetch(event.request);
    if (response.ok && build) {
      const copy = response.clone();
      event.waitUntil(cacheOf(build).then((cache) => cache.put(key, copy)));
    }
    return response;
  } catch (offline) {
    const cached = await caches.match(key, { ignoreSearch: event.request.mode === "navigate" });
    if (cached) return cached;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith(
    (async () => {
      if (event.request.mode === "navigate") {
        try {
          live = await liveBuild();
        } catch {
          // Offline: the page of the last build seen.
          return networkFirst(event, null, "/");
        }
        if (await complete(live)) {
          const page = await (await cacheOf(live)).match("/", { ignoreVary: true });
          if (page) return page;
        }
        const build = live;
        event.waitUntil(fill(build).catch((err) => console.warn("tracker: not kept for offline:", err)));
        return networkFirst(event, build, "/");
      }
      if (await complete(live)) {
        const cached = await (await cacheOf(live)).match(event.request, { ignoreVary: true });
        if (cached) return cached;
      }
      return networkFirst(event, live, event.request);
    })(),
  );
});
