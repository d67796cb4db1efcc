// The tracker's figures in headless Chromium, against `wrangler dev` on a fresh local D1:
//   - first render, cold: a new Chromium process on a profile whose OPFS already holds every issue,
//     from navigation start to the first row on screen;
//   - a keypress that creates an issue (Ctrl+Enter in the dialog) until its row is on screen;
//   - the app's files, raw and gzip -9, and everything a first visit fetches;
//   - the client replica's benchmark (bench/, the same workload as natively) in a Web Worker on OPFS,
//     built by app/bench/build.sh into target/bench-web and served here.
// Usage: [BENCH_APP_ASSETS=<folder>] node app/bench/browser.mjs [--quick]. Prints a markdown table, also written to
// target/bench/browser.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname } from "node:path";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, pushAs, root, signIn, startServer } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
const ISSUES = quick ? 1_000 : 10_000;
const COLD_LOADS = quick ? 2 : 7;
const KEYPRESSES = quick ? 5 : 21;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** The profile in `dir`, signed in as the workspace's owner (a relaunched profile does not keep a
 * cookie added from outside). */
async function launch(dir) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 800 },
  });
  await signIn(context, server, server.owner);
  return context;
}

async function seed(url) {
  const client = randomUUID();
  for (let first = 1; first <= ISSUES; first += 100) {
    const batch = [];
    for (let i = first; i < first + 100 && i <= ISSUES; i++) {
      batch.push({
        name: "createIssue",
        args: { id: randomUUID(), title: `Seeded issue ${i}`, description: `Issue number ${i}, made for the benchmark.`,
                owner: "bench", createdAt: 1_764_000_000_000 + i },
      });
    }
    await pushAs(url, client, batch, first);
  }
}

async function firstRender(dir, url) {
  const context = await launch(dir);
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const observer = new MutationObserver(() => {
        if (document.querySelector(".row")) {
          window.__firstRow = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__firstRow, null, { timeout: 60_000 });
    return await page.evaluate(() => window.__firstRow);
  } finally {
    await context.close();
  }
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

function sizes() {
  const files = [
    ["worker/build/index_bg.wasm", "worker wasm (server)"],
    ["worker/build/index.js", "worker JS glue"],
    ["app/dist/pkg/app_bg.wasm", "app wasm (Dioxus UI)"],
    ["app/dist/pkg/app.js", "app JS glue"],
    ["app/dist/pkg/engine_bg.wasm", "engine wasm (SQLite, replica)"],
    ["app/dist/pkg/engine.js", "engine JS glue"],
    ["app/dist/index.html", "index.html"],
    ["app/dist/engine-worker.js", "engine worker loader"],
    ["app/dist/sw.js", "service worker"],
  ];
  return files.map(([file, label]) => {
    const bytes = readFileSync(join(root, file));
    return [`${label} (\`${file}\`)`, statSync(join(root, file)).size, gzipSync(bytes, { level: 9 }).length];
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
    const bytes = readFileSync(join(root, "app/dist", path));
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
// the same session); the files table still reads app/dist.
const server = await startServer({ vars: ["RATE_LIMITS:off"], assets: process.env.BENCH_APP_ASSETS ?? null });
const dir = mkdtempSync(join(tmp, "profile-"));
try {
  const log = (what) => process.stderr.write(`bench: ${what}\n`);
  await seed(server.url);
  log(`seeded ${ISSUES} issues`);
  // Sync everything into the profile's OPFS once.
  {
    const context = await launch(dir);
    const page = await context.newPage();
    await page.goto(server.app);
    await page.waitForFunction(
      (n) => document.querySelector(".chip .count")?.textContent === String(n),
      ISSUES,
      { timeout: 300_000 },
    );
    await context.close();
  }
  log("synced into OPFS");
  const cold = [];
  for (let i = 0; i < COLD_LOADS; i++) cold.push(await firstRender(dir, server.app));

  const first = await firstLoad(server.app);
  log(`first load: ${first.rows.length} files`);
  const context = await launch(dir);
  const page = await context.newPage();
  await page.goto(server.app);
  await page.waitForSelector(".row");
  log(`cold renders: ${cold.map((x) => x.toFixed(0)).join(", ")} ms`);
  const keys = await keypressToScreen(page, KEYPRESSES);
  await context.close();

  const lines = [
    quick ? "Quick run (1,000 issues, few runs): figures are only indicative.\n" : "",
    `| figure (${ISSUES} issues) | median | min to max | runs |`,
    "| --- | --- | --- | --- |",
    `| first render, cold (new browser process, data in OPFS) | ${ms(median(cold))} | ${ms(Math.min(...cold))} to ${ms(Math.max(...cold))} | ${cold.length} |`,
    `| keypress (Ctrl+Enter) to the new issue on screen | ${ms(median(keys))} | ${ms(Math.min(...keys))} to ${ms(Math.max(...keys))} | ${keys.length} |`,
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
  writeFileSync(join(root, "target/bench/browser.md"), out);
  log("the replica's benchmark in a worker");
  const replica = await replicaInBrowser();
  process.stdout.write(`\n${replica}`);
  writeFileSync(join(root, "target/bench/replica-browser.md"), replica);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
