// The tracker's figures in headless Chromium, against `wrangler dev` on a fresh local D1:
//   - first render, cold, at 10,000 and at 100,000 issues: a new Chromium process on a profile whose
//     OPFS already holds every issue, from navigation start to the first row on screen and the frame
//     that paints it, with where the time goes (the page, the UI's wasm, the engine's worker and
//     wasm, OPFS open, the first query; from marks the page and the engine's worker set); and, as
//     ratios, against a floor measured in the same run, alternating with them: a static page
//     served the same way that paints one kept row from localStorage with no wasm (the machine's
//     and the browser's share, so the ratio travels between machines where milliseconds do not);
//   - each wasm module's compile time (WebAssembly.compile of its bytes, in the page), and what a
//     traced cold start compiles, per thread (functions compiled on their first call, hot ones
//     optimized in the background);
//   - at 100,000 issues: scrolling the whole list with the mouse wheel (the share of frames over
//     16.7 ms), a keystroke in the search field until the filtered list is on screen, and the page's
//     JS heap;
//   - a keypress that creates an issue (Ctrl+Enter in the dialog) until its row is on screen;
//   - the app's files, raw and gzip -9, and everything a first visit fetches;
//   - the client replica's benchmark (bench/, the same workload as natively) in a Web Worker on OPFS,
//     built by app/bench/build.sh into target/bench-web and served here.
// Usage: [BENCH_APP_ASSETS=<folder>] node app/bench/browser.mjs [--quick | --cold | --search]. Prints a markdown table,
// also written to target/bench/browser.md. `--cold` measures only the cold first render at 10,000 issues, with its
// breakdown (a minute or two, to work on start-up); `--search` only the search keystrokes at 100,000, each one's time
// (to work on search); `--scroll` only the scroll through 100,000 rows. These print, and write nothing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname } from "node:path";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, pushAs, root, seedIssues, setUp, signIn, startServer } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
const coldOnly = process.argv.includes("--cold");
const searchOnly = process.argv.includes("--search");
const scrollOnly = process.argv.includes("--scroll");
const SEARCHED = quick ? ["42"] : ["4242", "1776", "9001", "35"];
const ISSUES = quick ? 1_000 : 10_000;
const MANY = quick ? 5_000 : 100_000;
const COLD_LOADS = quick ? 2 : 7;
const KEYPRESSES = quick ? 5 : 21;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
/** Search samples as `"42" 12`: the text in the field after the keystroke, and its time in ms. */
const keystrokes = (samples) => samples.map((s) => `"${s.typed}" ${s.ms.toFixed(0)}`).join(", ");
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** The profile in `dir`, signed in as `who` (the first workspace's owner by default; a relaunched
 * profile does not keep a cookie added from outside). */
async function launch(dir, who = server.owner) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 800 },
  });
  await signIn(context, server, who);
  return context;
}

/** The profile in `dir` with `url` open, once its list shows a row. */
async function openList(dir, url, who) {
  const context = await launch(dir, who);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector(".row");
  return { context, page };
}

/** Pushes `n` issues into `who`'s workspace. */
const seed = (url, n = ISSUES, who = undefined) =>
  seedIssues(url, n, {
    base: 1_764_000_000_000,
    description: (i) => `Issue number ${i}, made for the benchmark.`,
    who,
  });

/** A description built to be hard on the Markdown renderer (the hostile text of
 * app/tests/conversation.test.mjs, at the longest a description may be), and plain text as long. */
const HOSTILE = (() => {
  const parts = [
    "# Plan", "- [ ] write the parser", "- [x] ship it", "",
    "[click me](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>", "",
    "| a | b |", "|:--|--:|", "| 1 | 2 |", "", "```rust", "fn main() {}", "```", "",
    `${">".repeat(400)} deep`, "", `${"- ".repeat(300)}nested`, "", `${"*a".repeat(500)}`, "",
  ].join("\n");
  return `${parts}\nx ${"`".repeat(10_000 - parts.length - 3)}`;
})();
const PLAIN = "plain words ".repeat(Math.floor(HOSTILE.length / 12));
const MARKDOWN_RUNS = quick ? 3 : 11;
// The two issues the Markdown figure opens, pushed into the first workspace beside its ISSUES.
const MARKDOWN_ISSUES = 2;

/** Opens each issue's page in the app, in turn, from the list (no reload: the app's own navigation),
 * and times the description on screen: `{plain: [ms...], hostile: [ms...]}`. */
async function markdownPages(dir, url, ids) {
  const { context, page } = await openList(dir, url);
  const times = { plain: [], hostile: [] };
  try {
    for (let run = 0; run < MARKDOWN_RUNS; run++) {
      for (const kind of ["plain", "hostile"]) {
        times[kind].push(
          await page.evaluate(async (path) => {
            const start = performance.now();
            history.pushState(null, "", path);
            dispatchEvent(new PopStateEvent("popstate"));
            await new Promise((done) => {
              const check = () =>
                document.querySelector(".issue-page .description .markdown") && location.pathname === path ? done() : requestAnimationFrame(check);
              check();
            });
            return performance.now() - start;
          }, new URL(`${url}/issue/${ids[kind]}`).pathname),
        );
        await page.evaluate((path) => {
          history.pushState(null, "", path);
          dispatchEvent(new PopStateEvent("popstate"));
        }, new URL(url).pathname);
        await page.waitForSelector(".row");
      }
    }
  } finally {
    await context.close();
  }
  return times;
}

/** Opens `url` in the profile in `dir` until every issue is in its OPFS (the "All" count says `n`). */
async function syncInto(dir, url, n, who) {
  const context = await launch(dir, who);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(
    (n) => document.querySelector(".chip .count")?.textContent === String(n),
    n,
    { timeout: 900_000 },
  );
  await context.close();
}

/** In the page, before its scripts: `__firstRow`, when a row of the list is first in the DOM, and
 * `__painted`, when the frame that paints it is done (two animation frames on). */
function watchFirstRow() {
  const observer = new MutationObserver(() => {
    if (document.querySelector(".row")) {
      window.__firstRow = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => (window.__painted = performance.now())));
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** The floor a first render is measured against, served the same way as the app (by the worker,
 * from the app's assets, under the same headers): a static page with the app's stylesheet and one
 * small script that paints the first row kept from the last visit (localStorage, as the app's
 * `first_screen` keeps it), with no wasm. What it takes is the machine's and the browser's, not the
 * tracker's: first row and paint are reported as ratios to it, which travel between machines. */
const FLOOR_PAGE = "bench-floor.html";
const FLOOR_FILES = {
  [FLOOR_PAGE]: `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Floor</title><link rel="stylesheet" href="/style.css" /></head>
<body><div class="app"><section class="list"><ul id="issue-rows"></ul></section></div>
<script type="module" src="/bench-floor.js"></script></body></html>
`,
  "bench-floor.js": `const kept = JSON.parse(localStorage.getItem("tracker.firstScreen.view") ?? "null");
const issue = kept?.issues?.[0];
const row = document.createElement("li");
row.className = "row";
const title = document.createElement("button");
title.className = "title";
title.textContent = issue ? issue.title : "nothing kept";
row.append(title);
document.getElementById("issue-rows").append(row);
`,
};

/** Writes the floor's files into the assets folder served; returns a function that removes them. */
function writeFloor(assets) {
  for (const [name, text] of Object.entries(FLOOR_FILES)) writeFileSync(join(assets, name), text);
  return () => {
    for (const name of Object.keys(FLOOR_FILES)) rmSync(join(assets, name), { force: true });
  };
}

/** The floor's cold first render: a new Chromium on the profile in `dir` (whose localStorage keeps
 * the app's first screen), the floor page opened: its row in the DOM, and painted. */
async function floorRender(dir, origin, who) {
  const context = await launch(dir, who);
  try {
    const page = await context.newPage();
    await page.addInitScript(watchFirstRow);
    await page.goto(`${origin}/${FLOOR_PAGE}`);
    await page.waitForFunction(() => window.__painted, null, { timeout: 60_000 });
    const found = await page.evaluate(() => ({ row: window.__firstRow, painted: window.__painted, title: document.querySelector(".row .title").textContent }));
    if (found.title === "nothing kept") throw new Error("the floor page found no kept row: the profile has not shown the list");
    return found;
  } finally {
    await context.close();
  }
}

/** Cold first renders of the app and of the floor, alternated so that both see the same machine. */
async function coldRenders(dir, url, who) {
  const app = [];
  const floor = [];
  for (let i = 0; i < COLD_LOADS; i++) {
    floor.push(await floorRender(dir, server.url, who));
    app.push(await firstRender(dir, url, who));
  }
  return { app, floor };
}

/** "2.3x the floor (first row 241.5 ms against 105.0 ms)": medians, and their ratio. */
function againstFloor(app, floor, what) {
  const a = median(app.map((r) => r[what]));
  const f = median(floor.map((r) => r[what]));
  return `${(a / f).toFixed(2)}x the floor (${ms(a)} against ${ms(f)})`;
}

/** A cold first render: a new Chromium on the profile in `dir`. Times from navigation start: the
 * first row in the DOM, the frame that paints it, and the marks on the way (the page's and the
 * engine worker's, on one clock). */
async function firstRender(dir, url, who) {
  const context = await launch(dir, who);
  try {
    const page = await context.newPage();
    await page.addInitScript(watchFirstRow);
    await page.goto(url);
    // The engine's first window may come after the kept rows are painted: the breakdown waits for
    // it (3 s at most: an older build does not mark it).
    await page.waitForFunction(
      () =>
        window.__painted &&
        (performance.getEntriesByName("ui-first-view-on-page").length || performance.now() > window.__painted + 3_000),
      null,
      { timeout: 60_000 },
    );
    const times = await page.evaluate(() => {
      const at = {};
      const navigation = performance.getEntriesByType("navigation")[0];
      at.html = navigation.responseEnd;
      for (const mark of performance.getEntriesByType("mark")) at[mark.name] = mark.startTime;
      for (const entry of performance.getEntriesByType("resource")) {
        if (entry.name.endsWith("/pkg/app_bg.wasm")) at["app wasm fetched"] = entry.responseEnd;
      }
      return { at, origin: performance.timeOrigin, row: window.__firstRow, painted: window.__painted };
    });
    for (const worker of page.workers()) {
      const marks = await worker.evaluate(() => {
        const found = {};
        for (const mark of performance.getEntriesByType("mark")) found[mark.name] = performance.timeOrigin + mark.startTime;
        for (const entry of performance.getEntriesByType("resource")) {
          if (entry.name.endsWith("/pkg/engine_bg.wasm")) found["engine wasm fetched"] = performance.timeOrigin + entry.responseEnd;
        }
        found.started = performance.timeOrigin;
        return found;
      });
      if (!("engine-script" in marks)) continue;
      for (const [name, when] of Object.entries(marks)) times.at[name === "started" ? "engine worker started" : name] = when - times.origin;
    }
    return times;
  } finally {
    await context.close();
  }
}

/** The steps of a first render, as medians over `runs`: each step's end, from navigation start. */
const STEPS = [
  ["html", "the page (index.html) received"],
  ["boot", "boot.js runs: the engine's worker is started"],
  ["engine worker started", "the engine's worker runs"],
  ["app wasm fetched", "the UI's wasm fetched"],
  ["app-js", "the UI's JS modules loaded (app.js and what it imports)"],
  ["ui-main", "the UI's wasm instantiated (its code cache loaded), its main() runs"],
  ["app-started", "the UI's wasm compiled and started (first render: Loading…)"],
  ["ui-open-posted", "the UI tells the engine whose replica (Open)"],
  ["ui-subscribe-posted", "the UI asks for its first window (Subscribe)"],
  ["engine wasm fetched", "the engine's wasm fetched (in its worker)"],
  ["engine-wasm-ready", "the engine's wasm compiled and started"],
  ["open-asked", "the engine told whose replica to open"],
  ["slot-claimed", "its storage slot claimed (Web Locks)"],
  ["pool-open", "the slot's OPFS pool open (sahpool: a sync access handle per file)"],
  ["replica-open", "both databases open, migrations checked"],
  ["first-subscribe", "the UI's first window asked for"],
  ["first-view", "the first query: the first window read and posted to the UI"],
  ["row", "the first row in the DOM (the rows kept from the last visit, app/src/first_screen.rs)"],
  ["painted", "the frame that paints it"],
  ["ui-first-view", "the UI takes the engine's first window"],
  ["ui-first-view-on-page", "the engine's first window on the page, in place of the kept rows"],
];

function breakdown(runs) {
  return STEPS.map(([key, what]) => {
    const values = runs.map((r) => (key === "row" ? r.row : key === "painted" ? r.painted : r.at[key])).filter((x) => x !== undefined);
    return values.length ? `| ${what} | ${ms(median(values))} |` : `| ${what} | (not marked) |`;
  });
}

/** The medians of `compileWork` over `runs`, as a sentence. */
function compiling(runs) {
  const m = (f) => median(runs.map(f));
  return (
    `Compiling during a cold start (traced, median of ${runs.length}): the UI's wasm compiled ${m((r) => r.ui.lazy)} functions ` +
    `on their first call in ${ms(m((r) => r.ui.ms))} on the page's thread, the engine's ${m((r) => r.engine.lazy)} in ` +
    `${ms(m((r) => r.engine.ms))} on its worker; ${m((r) => r.background.units)} batches of hot functions were optimized on ` +
    `background threads in ${ms(m((r) => r.background.ms))}.`
  );
}

/** Each wasm module's compile time in the page (WebAssembly.compile of its bytes: Chromium's
 * baseline compiler; the optimizing tier follows in the background). */
async function compileTimes(url) {
  const dir = mkdtempSync(join(tmp, "compile-"));
  const context = await launch(dir);
  try {
    const page = await context.newPage();
    await page.goto(`${new URL(url).origin}/precache.json`);
    await page.waitForLoadState("networkidle");
    return await page.evaluate(async () => {
      const out = {};
      for (const name of ["app", "engine"]) {
        const bytes = await (await fetch(`/pkg/${name}_bg.wasm`)).arrayBuffer();
        const runs = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await WebAssembly.compile(bytes);
          runs.push(performance.now() - t0);
        }
        out[name] = runs.sort((a, b) => a - b)[2];
      }
      return out;
    });
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a cold start's wasm compiling goes, from a Chromium trace of one cold first render. V8
 * compiles a function on its first call (Liftoff, "lazy"), except what the code cache from earlier
 * visits holds, and recompiles hot ones with TurboFan on background threads (on this machine's two
 * cores, beside the page and the engine). Per thread: the UI's (the page's main thread), the
 * engine's (its dedicated worker), and the background. Tracing slows the start: these say where
 * the time goes, not how long the start takes. */
async function compileWork(dir, url, who) {
  const context = await launch(dir, who);
  try {
    const page = await context.newPage();
    await page.addInitScript(watchFirstRow);
    const cdp = await context.newCDPSession(page);
    const events = [];
    cdp.on("Tracing.dataCollected", (data) => events.push(...data.value));
    const complete = new Promise((resolve) => cdp.on("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.start", {
      categories: "v8.wasm,disabled-by-default-v8.wasm.detailed,devtools.timeline",
      transferMode: "ReportEvents",
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__painted, null, { timeout: 60_000 });
    await cdp.send("Tracing.end");
    await complete;
    const threads = new Map(
      events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]),
    );
    const page_pid = events.find((e) => e.name === "thread_name" && e.args.name === "CrRendererMain" && events.some((w) => w.pid === e.pid && w.name === "wasm.CompileLazy"))?.pid;
    const work = { ui: { lazy: 0, ms: 0 }, engine: { lazy: 0, ms: 0 }, background: { units: 0, ms: 0 } };
    for (const e of events) {
      if (e.pid !== page_pid || e.ph !== "X") continue;
      const thread = threads.get(`${e.pid}:${e.tid}`) ?? "";
      const into = thread === "CrRendererMain" ? work.ui : thread.startsWith("DedicatedWorker") ? work.engine : null;
      if (e.name === "wasm.CompileLazy" && into) {
        into.lazy++;
        into.ms += e.dur / 1000;
      } else if (e.name === "wasm.TopTierCompilation") {
        work.background.units++;
        work.background.ms += e.dur / 1000;
      }
    }
    return work;
  } finally {
    await context.close();
  }
}

/** Scrolls the whole list with the mouse wheel, top to bottom: every frame's length meanwhile. */
async function scrollFrames(page) {
  await page.mouse.move(500, 400);
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const started = Date.now();
  for (;;) {
    await page.mouse.wheel(0, 2_000);
    const done = await page.evaluate(() => window.scrollY + innerHeight >= document.documentElement.scrollHeight - 2);
    if (done) break;
    if (Date.now() - started > 600_000) throw new Error("scrolling did not reach the bottom in 10 minutes");
  }
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames.slice(1);
  });
  // The last window may still be on its way.
  const lastTitle = () =>
    page.evaluate(() => {
      // The row furthest down the list (by its place, where rows say it; else the DOM's last).
      const items = [...document.querySelectorAll("section.list:not(.unsent) li")];
      const place = (li) => Number(li?.getAttribute("aria-posinset") ?? 0);
      const last = items.reduce((a, b) => (place(b) > place(a) ? b : a), items.at(-1));
      return last?.querySelector(".title")?.textContent;
    });
  let last = await lastTitle();
  for (let i = 0; i < 20 && last !== "Seeded issue 1"; i++) {
    await page.waitForTimeout(100);
    last = await lastTitle();
  }
  return { frames, seconds: (Date.now() - started) / 1000, last };
}

/** A keystroke in the search field until the list shows its result: each of `text`'s characters
 * typed, then each erased, timed from keydown to the list's change. Each sample: the text then in
 * the field, and the time. */
async function searchKeystrokes(page, texts) {
  const samples = [];
  await page.getByRole("searchbox").click();
  let typed = "";
  for (const text of texts) {
    const keys = [...text, ...[...text].map(() => "Backspace")];
    for (const key of keys) {
      const measured = page.evaluate(
        () =>
          new Promise((resolve) => {
            // The list's count and first row (and, in builds before the list was virtualized, its
            // "Showing N of M" line).
            const shown = () => {
              const section = document.querySelector("section.list:not(.unsent)");
              const first = section?.querySelector("li");
              return `${first?.getAttribute("aria-setsize")}|${first?.textContent}|${section?.querySelector(".more")?.textContent}|${section?.querySelector(".empty")?.textContent}`;
            };
            const before = shown();
            let pressed;
            const onKey = () => {
              pressed = performance.now();
              document.removeEventListener("keydown", onKey, { capture: true });
            };
            document.addEventListener("keydown", onKey, { capture: true });
            const observer = new MutationObserver(() => {
              if (pressed !== undefined && shown() !== before) {
                observer.disconnect();
                resolve(performance.now() - pressed);
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
            setTimeout(() => resolve(Number.NaN), 10_000);
            window.__armedSearch = true;
          }),
      );
      await page.waitForFunction(() => window.__armedSearch);
      await page.evaluate(() => (window.__armedSearch = false));
      await page.keyboard.press(key);
      const sample = await measured;
      typed = key === "Backspace" ? typed.slice(0, -1) : typed + key;
      if (!Number.isNaN(sample)) samples.push({ typed, ms: sample });
    }
  }
  return samples;
}

/** The page's JS heap (the UI; the engine's rows live in its worker's wasm memory), via DevTools. */
async function jsHeap(page) {
  const session = await page.context().newCDPSession(page);
  await session.send("HeapProfiler.collectGarbage");
  await session.send("Performance.enable");
  const { metrics } = await session.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "JSHeapUsedSize").value;
}

async function keypressToScreen(page, n) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const title = `Timed ${i} ${randomUUID().slice(0, 6)}`;
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.type(title);
    const measured = page.evaluate(
      (title) =>
        new Promise((resolve) => {
          let pressed;
          const onKey = (e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              pressed = performance.now();
              document.removeEventListener("keydown", onKey, { capture: true });
            }
          };
          document.addEventListener("keydown", onKey, { capture: true });
          const observer = new MutationObserver(() => {
            for (const el of document.querySelectorAll(".row .title")) {
              if (el.textContent === title && pressed !== undefined) {
                observer.disconnect();
                resolve(performance.now() - pressed);
                return;
              }
            }
          });
          observer.observe(document.body, { childList: true, subtree: true, characterData: true });
          setTimeout(() => resolve(Number.NaN), 10_000);
          window.__armed = title;
        }),
      title,
    );
    await page.waitForFunction((title) => window.__armed === title, title);
    await page.keyboard.press("Control+Enter");
    const sample = await measured;
    if (Number.isNaN(sample)) throw new Error(`issue ${i} never appeared on screen`);
    samples.push(sample);
  }
  return samples;
}

/** The app's files as served: app/dist, or the other build's folder (BENCH_APP_ASSETS). */
const APP_FILES = process.env.BENCH_APP_ASSETS ? resolve(process.env.BENCH_APP_ASSETS) : join(root, "app/dist");

function sizes() {
  const files = [
    [join(root, "worker/build/index_bg.wasm"), "worker wasm (server)"],
    [join(root, "worker/build/index.js"), "worker JS glue"],
    [join(APP_FILES, "pkg/app_bg.wasm"), "app wasm (Dioxus UI)"],
    [join(APP_FILES, "pkg/app.js"), "app JS glue"],
    [join(APP_FILES, "pkg/engine_bg.wasm"), "engine wasm (SQLite, replica)"],
    [join(APP_FILES, "pkg/engine.js"), "engine JS glue"],
    [join(APP_FILES, "index.html"), "index.html"],
    [join(APP_FILES, "engine-worker.js"), "engine worker loader"],
    [join(APP_FILES, "sw.js"), "service worker"],
  ];
  return files.map(([path, label]) => {
    const bytes = readFileSync(path);
    const file = path.startsWith(root) ? path.slice(root.length + 1) : path;
    return [`${label} (\`${file}\`)`, statSync(path).size, gzipSync(bytes, { level: 9 }).length];
  });
}

/** Everything a first visit fetches, in a new profile (nothing cached, no service worker yet):
 * each of the app's files once (however many times it was asked for: the service worker's
 * precache asks again) with its size raw and gzip -9, and the API's answers as they came. */
async function firstLoad(url) {
  const dir = mkdtempSync(join(root, ".tmp/bench-first-load-"));
  const context = await launch(dir);
  const files = new Map();
  const api = [];
  context.on("response", async (response) => {
    const { pathname, origin } = new URL(response.url());
    if (origin !== new URL(url).origin) return;
    if (pathname.startsWith("/api/")) {
      try {
        api.push((await response.body()).length);
      } catch {}
      return;
    }
    // Only the app's own files: an address the worker does not serve is no part of a visit.
    if (!response.ok()) return;
    // Navigations to the tracker's addresses are index.html (single-page application).
    const file = pathname.startsWith("/w/") || pathname === "/" ? "/index.html" : pathname;
    files.set(file, (files.get(file) ?? 0) + 1);
  });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector(".row", { timeout: 120_000 });
    // Let the service worker finish its precache.
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active, null, { timeout: 60_000 });
    await page.waitForTimeout(1_000);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = [...files.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, times]) => {
    const bytes = readFileSync(join(APP_FILES, path));
    return { path, times, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { rows, api: api.reduce((a, b) => a + b, 0), requests: api.length };
}

/** The replica's benchmark in Chromium, served from target/bench-web on a port of its own. */
async function replicaInBrowser() {
  const dir = join(root, "target/bench-web");
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
  const files = createServer((req, res) => {
    const path = join(dir, new URL(req.url, "http://x").pathname);
    try {
      const body = readFileSync(path);
      res.writeHead(200, { "Content-Type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => files.listen(0, "127.0.0.1", done));
  const profile = mkdtempSync(join(tmp, "replica-"));
  const context = await launch(profile);
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${files.address().port}/replica.html?quick=${quick ? 1 : 0}`);
    await page.waitForFunction(() => window.benchResult, null, { timeout: 900_000 });
    const result = await page.evaluate(() => window.benchResult);
    if (result.error) throw new Error(`the replica benchmark failed in the browser: ${result.error}`);
    return result.table;
  } finally {
    await context.close();
    files.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const tmp = join(root, ".tmp/bench");
mkdirSync(tmp, { recursive: true });
// Limits off: the seeding pushes 10,000 issues as one member as fast as it can.
// BENCH_APP_ASSETS=<folder> serves another build of the app (an older one's files, to compare in
// the same session); the sizes are that build's too (the worker's are this one's).
const removeFloor = writeFloor(process.env.BENCH_APP_ASSETS ?? join(root, "app/dist"));
const server = await startServer({ vars: ["RATE_LIMITS:off"], assets: process.env.BENCH_APP_ASSETS ?? null });
const dir = mkdtempSync(join(tmp, "profile-"));
const bigDir = mkdtempSync(join(tmp, "profile-"));
try {
  // `--cold` stops early; the server and profiles are removed below either way.
  measure: {
    const log = (what) => process.stderr.write(`bench: ${what}\n`);
    await seed(server.url);
    // The two descriptions the Markdown figure opens, newest (the list's first rows).
    const described = { plain: randomUUID(), hostile: randomUUID() };
    await pushAs(server.url, randomUUID(), Object.entries(described).map(([kind, id], i) => ({
      name: "createIssue",
      args: { id, title: `Markdown bench: ${kind}`, description: kind === "plain" ? PLAIN : HOSTILE, owner: "bench", createdAt: 1_800_000_000_000 + i },
    })));
    log(`seeded ${ISSUES} issues`);
    if (coldOnly) {
      await syncInto(dir, server.app, ISSUES + MARKDOWN_ISSUES);
      const { app: cold, floor } = await coldRenders(dir, server.app);
      const traced = [];
      for (let i = 0; i < 3; i++) traced.push(await compileWork(dir, server.app));
      const rows = cold.map((r) => r.row);
      process.stdout.write(
        [
          `first row: median ${ms(median(rows))} (${rows.map((x) => x.toFixed(0)).join(", ")}); painted ${ms(median(cold.map((r) => r.painted)))}`,
          `first row: ${againstFloor(cold, floor, "row")}; painted: ${againstFloor(cold, floor, "painted")}`,
          "",
          `| step, ${ISSUES} issues | ends at |`,
          "| --- | --- |",
          ...breakdown(cold),
          "",
          compiling(traced),
          "",
        ].join("\n"),
      );
      break measure;
    }
    // A second workspace with MANY issues.
    const big = await setUp(server.url, "Many issues", "Owner of many");
    const bigApp = `${server.url}/w/${big.workspace}`;
    await seed(server.url, MANY, big);
    log(`seeded ${MANY} issues in a second workspace`);
    if (scrollOnly) {
      await syncInto(bigDir, bigApp, MANY, big);
      const { context, page } = await openList(bigDir, bigApp, big);
      const { frames, seconds } = await scrollFrames(page);
      await context.close();
      const slow = frames.filter((f) => f > 1000 / 60 + 0.5).length;
      process.stdout.write(
        `scrolling ${MANY} rows: ${frames.length} frames in ${seconds.toFixed(1)} s, ${slow} (${((100 * slow) / frames.length).toFixed(1)}%) over 16.7 ms, the longest ${ms(Math.max(...frames))}\n`,
      );
      break measure;
    }
    if (searchOnly) {
      await syncInto(bigDir, bigApp, MANY, big);
      const { context, page } = await openList(bigDir, bigApp, big);
      const searched = [];
      for (let run = 0; run < 3; run++) searched.push(...(await searchKeystrokes(page, SEARCHED)));
      await context.close();
      const all = searched.map((s) => s.ms);
      process.stdout.write(
        `search keystroke at ${MANY}: median ${ms(median(all))} (${ms(Math.min(...all))} to ${ms(Math.max(...all))}, ${all.length} keystrokes)\n${keystrokes(searched)}\n`,
      );
      break measure;
    }
    // Sync everything into each profile's OPFS once.
    await syncInto(dir, server.app, ISSUES + MARKDOWN_ISSUES);
    await syncInto(bigDir, bigApp, MANY, big);
    log("synced into OPFS");
    const { app: cold, floor } = await coldRenders(dir, server.app);
    const { app: coldBig, floor: floorBig } = await coldRenders(bigDir, bigApp, big);
    log(`cold renders: ${cold.map((x) => x.row.toFixed(0)).join(", ")} ms; at ${MANY}: ${coldBig.map((x) => x.row.toFixed(0)).join(", ")} ms`);
    const traced = [];
    for (let i = 0; i < 3; i++) traced.push(await compileWork(dir, server.app));
    const compiled = await compileTimes(server.app).catch((err) => {
      log(`compile times not measured: ${err.message}`);
      return { app: Number.NaN, engine: Number.NaN };
    });

    // The big list: scroll it, search it, weigh it.
    const { context: bigContext, page: bigPage } = await openList(bigDir, bigApp, big);
    const heap = await jsHeap(bigPage);
    const scrolled = await scrollFrames(bigPage);
    // The oldest issue is the list's last row: the end of the list was reached, not the end of a
    // limited list (builds before the list was virtualized showed 500 rows).
    const reachedEnd = scrolled.last === "Seeded issue 1";
    log(`scrolled ${MANY} rows in ${scrolled.seconds.toFixed(1)} s`);
    await bigPage.evaluate(() => window.scrollTo(0, 0));
    const searched = await searchKeystrokes(bigPage, SEARCHED);
    log(`search keystrokes: ${keystrokes(searched)}`);
    const searches = searched.map((s) => s.ms);
    await bigContext.close();
    const slow = scrolled.frames.filter((f) => f > 1000 / 60 + 0.5).length;

    const first = await firstLoad(server.app);
    log(`first load: ${first.rows.length} files`);
    const { context, page } = await openList(dir, server.app);
    const keys = await keypressToScreen(page, KEYPRESSES);
    await context.close();
    const rendered = await markdownPages(dir, server.app, described);
    log(`descriptions on screen: plain ${rendered.plain.map((x) => x.toFixed(0)).join(", ")}; hostile ${rendered.hostile.map((x) => x.toFixed(0)).join(", ")} ms`);

    const rowsAt = (runs) => runs.map((r) => r.row);
    const paintedAt = (runs) => runs.map((r) => r.painted);
    const spread = (xs) => `${ms(median(xs))} | ${ms(Math.min(...xs))} to ${ms(Math.max(...xs))} | ${xs.length}`;
    const lines = [
      quick ? `Quick run (${ISSUES} and ${MANY} issues, few runs): figures are only indicative.\n` : "",
      `| figure | median | min to max | runs |`,
      "| --- | --- | --- | --- |",
      `| first render, cold, ${ISSUES} issues: first row in the DOM | ${spread(rowsAt(cold))} |`,
      `| first render, cold, ${ISSUES} issues: painted | ${spread(paintedAt(cold))} |`,
      `| first render, cold, ${MANY} issues: first row in the DOM | ${spread(rowsAt(coldBig))} |`,
      `| first render, cold, ${MANY} issues: painted | ${spread(paintedAt(coldBig))} |`,
      `| the floor (a static page painting one kept row, no wasm): row in the DOM | ${spread(rowsAt(floor))} |`,
      `| the floor: painted | ${spread(paintedAt(floor))} |`,
      `| keystroke in the search field to the list on screen, ${MANY} issues | ${spread(searches)} |`,
      `| keypress (Ctrl+Enter) to the new issue on screen, ${ISSUES} issues | ${spread(keys)} |`,
      `| an issue's page, its description on screen: ${PLAIN.length} characters of plain text (the baseline) | ${spread(rendered.plain)} |`,
      `| the same, ${HOSTILE.length} characters of hostile Markdown (deep nesting, raw HTML, 9,000 backticks) | ${spread(rendered.hostile)} |`,
      "",
      `Hostile Markdown against plain text of the same length, in the same run: ${(median(rendered.hostile) / median(rendered.plain)).toFixed(2)}x the time to the description on screen.`,
      "",
      `Against the floor, measured in the same run (alternating with the app's cold starts): at ${ISSUES} issues the first row is ${againstFloor(cold, floor, "row")}, painted ${againstFloor(cold, floor, "painted")}; at ${MANY}, ${againstFloor(coldBig, floorBig, "row")} and ${againstFloor(coldBig, floorBig, "painted")}.`,
      "",
      `Scrolling ${reachedEnd ? `all ${MANY} rows` : "the list (it ends before the last issue: this build shows a limited list)"} with the mouse wheel (2,000 px a notch) took ${scrolled.seconds.toFixed(1)} s and ${scrolled.frames.length} frames:`,
      `${slow} of them (${((100 * slow) / scrolled.frames.length).toFixed(1)}%) took longer than 16.7 ms; the median frame ${ms(median(scrolled.frames))}, the longest ${ms(Math.max(...scrolled.frames))}.`,
      `The page's JS heap with ${MANY} issues listed: ${(heap / 1024 / 1024).toFixed(1)} MB (the rows live in the engine's worker, in its wasm memory).`,
      `Compiling each wasm module in the page (WebAssembly.compile, median of 5): the UI's ${ms(compiled.app)}, the engine's ${ms(compiled.engine)}.`,
      compiling(traced),
      "",
      `Where a cold first render's time goes (medians over ${COLD_LOADS} runs, from navigation start; the engine's worker runs beside the UI):`,
      "",
      `| step, ${ISSUES} issues | ends at |`,
      "| --- | --- |",
      ...breakdown(cold),
      "",
      `| step, ${MANY} issues | ends at |`,
      "| --- | --- |",
      ...breakdown(coldBig),
      "",
      "| file | raw | gzip -9 |",
      "| --- | --- | --- |",
      ...sizes().map(([file, raw, gz]) => `| ${file} | ${kb(raw)} | ${kb(gz)} |`),
      "",
      `A first visit (new profile, nothing cached) fetches these files of the app (each counted once;`,
      `asked for twice: the page, then the service worker's precache) and ${first.requests} API answers of ${kb(first.api)} in all:`,
      "",
      "| file | times asked | raw | gzip -9 |",
      "| --- | --- | --- | --- |",
      ...first.rows.map((r) => `| \`${r.path}\` | ${r.times} | ${kb(r.raw)} | ${kb(r.gzip)} |`),
      `| **all of them** | | ${kb(first.rows.reduce((a, r) => a + r.raw, 0))} | ${kb(first.rows.reduce((a, r) => a + r.gzip, 0))} |`,
    ];
    const out = lines.join("\n") + "\n";
    process.stdout.write(out);
    mkdirSync(join(root, "target/bench"), { recursive: true });
    // Another build's files measure the tracker only (the replica's benchmark is its own build).
    const outFile = process.env.BENCH_APP_ASSETS ? "browser-other-build.md" : "browser.md";
    writeFileSync(join(root, "target/bench", outFile), out);
    if (!process.env.BENCH_APP_ASSETS) {
      log("the replica's benchmark in a worker");
      const replica = await replicaInBrowser();
      process.stdout.write(`\n${replica}`);
      writeFileSync(join(root, "target/bench/replica-browser.md"), replica);
    }
  }
} finally {
  await server.stop();
  removeFloor();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bigDir, { recursive: true, force: true });
}
