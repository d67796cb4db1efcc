// The browser tests' harness: the real worker under `wrangler dev` on a fresh local D1, and Debian's
// Chromium driven by playwright-core, each profile its own user-data folder (its own OPFS, cookies,
// service worker): two profiles are two users.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const root = resolve(import.meta.dirname, "../..");
const tmp = join(root, ".tmp/browser-tests");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const env = { ...process.env, TRACKER_SKIP_BUILD: "1", WRANGLER_SEND_METRICS: "false", CI: "true" };

/** Starts `wrangler dev` on a fresh local D1 with the migrations applied; `https` serves it with
 * wrangler's self-signed certificate, as a deployment is served. */
export async function startServer({ https = false } = {}) {
  mkdirSync(tmp, { recursive: true });
  const persist = mkdtempSync(join(tmp, "d1-"));
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: root,
    env,
    stdio: "ignore",
  });
  const port = await freePort();
  const inspector = await freePort();
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", `${port}`, "--inspector-port", `${inspector}`,
     "--persist-to", persist, "--show-interactive-dev-session=false",
     ...(https ? ["--local-protocol", "https"] : [])],
    { cwd: root, env, stdio: "ignore", detached: true },
  );
  const url = `${https ? "https" : "http"}://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  let up = false;
  while (!up && Date.now() < deadline) {
    try {
      up = (await fetch(`${url}/`)).ok;
    } catch {}
    if (!up) await new Promise((r) => setTimeout(r, 250));
  }
  if (!up) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    throw new Error(`wrangler dev did not answer on ${url} within 120 s`);
  }
  return {
    url,
    persist,
    async stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    },
  };
}

/** One server for the tests of the calling file: started before them, stopped after them. Its `url`
 * and `persist` are there once the tests run. */
export function serverForThisFile() {
  const server = {};
  before(async () => {
    Object.assign(server, await startServer());
  });
  after(async () => {
    await server.stop?.();
  });
  return server;
}

/** A browser profile of its own: a separate Chromium with a new, empty user-data folder. */
export async function launchProfile(options = {}) {
  mkdirSync(tmp, { recursive: true });
  const dir = mkdtempSync(join(tmp, "profile-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 800 },
    ...options,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  return context;
}

/** Opens the tracker in a new tab of `context` and waits until the engine's first list is shown. */
export async function openTracker(context, url) {
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(url);
  await waitForList(page);
  return page;
}

export async function waitForList(page) {
  await page.waitForFunction(() => document.querySelector(".list") && !document.querySelector(".list .empty")?.textContent?.includes("Loading"), null, { timeout: 30_000 });
}

/** The titles in the list, top to bottom. */
export async function titles(page) {
  return page.locator(".row .title").allTextContents();
}

/** Creates an issue through the dialog. */
export async function createIssue(page, title, description = "") {
  await page.getByRole("button", { name: "New issue" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill(description);
  await page.getByRole("button", { name: "Save" }).click();
}

/** The server's whole log, through the protocol, as a new client would read it. */
export async function serverLog(url) {
  const entries = [];
  let cookie = null;
  for (;;) {
    const response = await fetch(`${url}/api/pull`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ clientId: randomUUID(), schemaVersion: 1, cookie }),
    });
    const page = await response.json();
    entries.push(...page.mutations);
    cookie = page.cookie;
    if (!page.hasMore) return entries;
  }
}

/** Pushes mutations as a client of its own, outside any browser. */
export async function pushAs(url, clientId, mutations, firstId = 1) {
  const response = await fetch(`${url}/api/push`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      clientId,
      schemaVersion: 1,
      mutations: mutations.map((m, i) => ({ id: firstId + i, ...m })),
    }),
  });
  if (!response.ok) throw new Error(`push failed: ${response.status} ${await response.text()}`);
  return response.json();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns something truthy. */
export async function eventually(check, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result) return result;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${last.message})` : ""}`);
}

/** A title no other test uses. */
export const unique = (label) => `${label} ${randomUUID().slice(0, 8)}`;

/** What the sync indicator says. */
export const syncLabel = (page) => page.getByRole("status").textContent();
