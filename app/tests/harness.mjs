// The browser tests' harness: the real worker under `wrangler dev` on a fresh local D1, and Debian's
// Chromium driven by playwright-core, each profile its own user-data folder (its own OPFS, cookies,
// service worker): two profiles are two users.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join as pathJoin, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const root = resolve(import.meta.dirname, "../..");
const tmp = pathJoin(root, ".tmp/browser-tests");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A port free now, below the kernel's ephemeral range (32768 and up): between this check and
 * wrangler's bind, no other process's connection or `bind(0)` (another server's workerd, say) can
 * be handed it, as a port from `listen(0)` could. */
async function freePort() {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise((done) => {
      const server = createServer();
      server.on("error", () => done(false));
      server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port between 20000 and 32000");
}

const env = { ...process.env, TRACKER_SKIP_BUILD: "1", WRANGLER_SEND_METRICS: "false", CI: "true" };

/** The protocol's schema version this build speaks (`shared::protocol::SCHEMA_VERSION`). */
export const SCHEMA_VERSION = 4;

/** The secrets every test server runs with: the tests set up workspaces and sign people in. */
export const SETUP_TOKEN = "setup-token-for-the-browser-tests";
export const SESSION_KEY = "session-key-for-the-browser-tests-0123456789abcdef";

/** Every server started here, by URL, and the one the calling test file shares. */
const servers = new Map();
let fileServer = null;

/** Starts `wrangler dev` on a fresh local D1 with the migrations applied; `https` serves it with
 * wrangler's self-signed certificate, as a deployment is served; `vars` (`NAME:value`) are set;
 * `assets`, a folder, serves that build of the app instead of app/dist (an older build's, say);
 * `cwd`, a checkout of another commit with its worker built, runs that worker and its migrations
 * (a benchmark's baseline). */
export async function startServer({ https = false, vars = [], assets = null, cwd = root } = {}) {
  mkdirSync(tmp, { recursive: true });
  const persist = mkdtempSync(pathJoin(tmp, "d1-"));
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "--config", "wrangler.local.toml"], {
    cwd,
    env,
    stdio: "ignore",
  });
  const port = await freePort();
  const inspector = await freePort();
  let currentVars = vars;
  let currentAssets = assets;
  const spawnWrangler = () =>
    spawn(
      "npx",
      ["wrangler", "dev", "--config", "wrangler.local.toml", "--ip", "127.0.0.1", "--port", `${port}`, "--inspector-port", `${inspector}`,
       "--persist-to", persist, "--show-interactive-dev-session=false", "--test-scheduled",
       "--var", `SETUP_TOKEN:${SETUP_TOKEN}`, "--var", `SESSION_KEY:${SESSION_KEY}`,
       ...currentVars.flatMap((v) => ["--var", v]),
       ...(currentAssets ? ["--assets", currentAssets] : []),
       ...(https ? ["--local-protocol", "https"] : [])],
      { cwd, env, stdio: "ignore", detached: true },
    );
  const url = `${https ? "https" : "http"}://127.0.0.1:${port}`;
  const kill = (child) => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  let child = spawnWrangler();
  if (!(await answers(url, true))) {
    kill(child);
    throw new Error(`wrangler dev did not answer on ${url} within 120 s`);
  }
  const server = {
    url,
    persist,
    /** The port of workerd's inspector (Chrome DevTools protocol): CPU profiles, subrequests. */
    inspector,
    async stop() {
      servers.delete(url);
      kill(child);
    },
    /** Fires the Cron Trigger (compaction), as the platform would. */
    async compact() {
      const response = await fetch(`${url}/__scheduled?cron=17+3+*+*+*`);
      if (response.status !== 200) throw new Error(`the scheduled event failed: ${response.status}`);
    },
    /** Stops the server (until `up`), keeping its port and database. */
    async down() {
      kill(child);
      await answers(url, false);
    },
    /** Stops it and starts it again with other `vars` (and, given `assets`, that build of the app;
     * `null` for app/dist), on the same port and database. */
    async restartWith(vars, { assets: nextAssets = currentAssets } = {}) {
      await server.down();
      currentVars = vars;
      currentAssets = nextAssets;
      await server.up();
    },
    /** Starts it again after `down`. */
    async up() {
      child = spawnWrangler();
      if (!(await answers(url, true))) throw new Error(`wrangler dev did not come back on ${url}`);
    },
    /** Stops the server and, after `downMs`, starts it again on the same port and database. */
    async restart(downMs = 0) {
      await server.down();
      await new Promise((r) => setTimeout(r, downMs));
      await server.up();
    },
  };
  // The workspace the file's tests share, and its owner (signed in by cookie, outside any browser).
  server.owner = await setUp(url, "Tests", "Owner");
  server.workspace = server.owner.workspace;
  server.app = `${url}/w/${server.workspace}`;
  servers.set(url, server);
  return server;
}

/** Waits up to 120 s until `url` answers (`up`) or no longer does; whether it did. */
async function answers(url, up) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    let ok = false;
    try {
      ok = (await fetch(`${url}/`)).ok;
    } catch {}
    if (ok === up) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** One server for the tests of the calling file: started before them, stopped after them. Its `url`
 * and `persist` are there once the tests run. */
export function serverForThisFile(options = {}) {
  const server = {};
  before(async () => {
    Object.assign(server, await startServer(options));
    fileServer = server;
  });
  after(async () => {
    fileServer = null;
    await server.stop?.();
  });
  return server;
}

/** The session cookie's value in a response's `Set-Cookie`. */
function sessionCookie(response) {
  const header = response.headers.get("set-cookie") ?? "";
  const match = /(?:__Host-)?tracker_session=([^;]+)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return match[1];
}

/** JSON to the API as the member whose session cookie is `cookie` (or no one). */
export async function api(url, path, { method = "POST", body, cookie } = {}) {
  const headers = { ...(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (cookie) headers.Cookie = `tracker_session=${cookie}`;
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response;
}

/** A new workspace through `POST /api/setup`: its owner `{ cookie, member, workspace }`. */
export async function setUp(url, workspaceName, name) {
  const response = await api(url, "/api/setup", { body: { token: SETUP_TOKEN, workspaceName, name } });
  if (response.status !== 201) throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  const info = await response.json();
  const made = info.workspaces.at(-1);
  return { cookie: sessionCookie(response), member: info.member.id, workspace: made.id };
}

/** A new member called `name` of `server`'s shared workspace, joined through an invite. */
export async function join(server, name) {
  const invite = await api(server.url, `/api/workspaces/${server.workspace}/invites`, { body: {}, cookie: server.owner.cookie });
  const { token } = await invite.json();
  const response = await api(server.url, "/api/invites/accept", { body: { token, name } });
  if (response.status !== 200) throw new Error(`joining failed: ${response.status} ${await response.text()}`);
  const info = await response.json();
  return { cookie: sessionCookie(response), member: info.member.id, workspace: server.workspace };
}

let members = 0;
/** Signs a browser profile in to `server` as `member` (by default a new member of its workspace). */
export async function signIn(context, server, member) {
  const who = member ?? (await join(server, `Member ${++members}`));
  await context.addCookies([{ name: "tracker_session", value: who.cookie, url: server.url }]);
  return who;
}

/** A browser profile of its own: a separate Chromium with a new, empty user-data folder. Signed in
 * as a new member of the file's shared workspace unless `signIn: false`. */
export async function launchProfile({ signIn: signedIn = true, dir: reopened, ...options } = {}) {
  mkdirSync(tmp, { recursive: true });
  const dir = reopened ?? mkdtempSync(pathJoin(tmp, "profile-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 800 },
    ...options,
  });
  if (signedIn && fileServer) context.member = await signIn(context, fileServer);
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  /** Quits this Chromium but keeps its user-data folder (its OPFS): `launchProfile({ dir })`
   * opens the same profile again. */
  context.quit = async () => {
    await close();
    return dir;
  };
  return context;
}

/** Opens the tracker in a new tab of `context` and waits until the engine's first list is shown. A
 * server's own URL opens its shared workspace. */
export async function openTracker(context, url) {
  const page = await context.newPage();
  watchErrors(page);
  await page.goto(servers.get(url)?.app ?? url);
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

/** What each page threw, for a failure's explanation (and printed as it happens). */
const pageErrors = new WeakMap();

export function watchErrors(page) {
  pageErrors.set(page, []);
  page.on("pageerror", (err) => {
    console.error("page error:", err.message);
    pageErrors.get(page)?.push(err.message);
  });
  page.on("crash", () => pageErrors.get(page)?.push("the page crashed"));
}

/** An error saying what `page` showed when `what` did not happen: its address, its dialogs and
 * status, what it threw; and a screenshot in .tmp/browser-tests/failures. For a failure seen once
 * on a loaded machine, that is all there is to go on. */
export async function explain(page, what, cause) {
  const shown = await page
    .evaluate(() => ({
      address: location.pathname + location.search,
      dialogs: [...document.querySelectorAll("[role=dialog]")].map(
        (d) => d.getAttribute("aria-label") ?? document.getElementById(d.getAttribute("aria-labelledby"))?.textContent ?? "?",
      ),
      status: document.querySelector("header .sync")?.textContent ?? "(no sync status)",
      focus: document.activeElement?.outerHTML.slice(0, 120) ?? "(nothing)",
    }))
    .catch((err) => ({ unreadable: err.message }));
  const folder = pathJoin(tmp, "failures");
  mkdirSync(folder, { recursive: true });
  const picture = pathJoin(folder, `${Date.now()}.png`);
  await page.screenshot({ path: picture }).catch(() => {});
  const errors = pageErrors.get(page) ?? [];
  return new Error(
    `${what} did not happen (${cause.message.split("\n")[0]}); the page showed ${JSON.stringify(shown)}; ` +
      `it threw ${errors.length ? JSON.stringify(errors) : "nothing"}; screenshot ${picture}`,
  );
}

/** Creates an issue through the dialog. */
export async function createIssue(page, title, description = "") {
  await page.getByRole("button", { name: "New issue" }).click();
  await page
    .getByRole("dialog", { name: "New issue" })
    .waitFor({ timeout: 30_000 })
    .catch(async (err) => {
      throw await explain(page, "the New issue dialog opening after the click", err);
    });
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill(description);
  await page.getByRole("button", { name: "Save", exact: true }).click();
}

/** The shared workspace's whole log (or that of `who`'s workspace), through the protocol, from its
 * start or from `from` (cookie 0: a client with no cookie at all would get a snapshot of the rows
 * instead). */
export async function serverLog(url, from = 0, who) {
  const server = servers.get(url);
  const as = who ?? server.owner;
  const entries = [];
  let cookie = from;
  for (;;) {
    const response = await api(url, `/api/workspaces/${as.workspace}/pull`, {
      body: { clientId: randomUUID(), schemaVersion: SCHEMA_VERSION, cookie },
      cookie: as.cookie,
    });
    const page = await response.json();
    entries.push(...page.mutations);
    cookie = page.cookie;
    if (!page.hasMore) return entries;
  }
}

/** Pushes mutations to the shared workspace as a client of its own (the owner's, or `member`'s),
 * outside any browser. */
export async function pushAs(url, clientId, mutations, firstId = 1, member) {
  const server = servers.get(url);
  const who = member ?? server.owner;
  const response = await api(url, `/api/workspaces/${who.workspace}/push`, {
    body: {
      clientId,
      schemaVersion: SCHEMA_VERSION,
      mutations: mutations.map((m, i) => ({ id: firstId + i, ...m })),
    },
    cookie: who.cookie,
  });
  if (!response.ok) throw new Error(`push failed: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Pushes `n` issues titled `${label} 1` to `${label} n`, each created at `base + i` (so the last is
 * the newest), as a client of its own, 100 a push; `who` as for `pushAs`. */
export async function seedIssues(url, n, { label = "Seeded issue", base = 1_700_000_000_000, description = () => "", who } = {}) {
  const client = randomUUID();
  for (let first = 1; first <= n; first += 100) {
    const batch = [];
    for (let i = first; i < first + 100 && i <= n; i++) {
      batch.push({
        name: "createIssue",
        args: { id: randomUUID(), title: `${label} ${i}`, description: description(i), owner: "seed", createdAt: base + i },
      });
    }
    await pushAs(url, client, batch, first, who);
  }
}

/** Every WCAG 2.1 A and AA rule axe-core checks, on the page as it is now: the violations. */
export async function audit(page) {
  if (!(await page.evaluate(() => "axe" in window))) {
    // Evaluated by the test driver: the page's own policy forbids inline scripts, rightly.
    await page.evaluate(readFileSync(pathJoin(root, "node_modules/axe-core/axe.min.js"), "utf8"));
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    const checked = [...result.passes, ...result.violations].some((rule) => rule.id === "color-contrast");
    if (!checked) throw new Error("axe did not check colour contrast on this screen");
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target} ${n.failureSummary}`).join("; ")}`);
  });
}

/** Audits `page` light and dark, adding `[screen, violations]` to `screens`. */
export async function auditBothSchemes(page, name, screens) {
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    screens.push([`${name}, ${scheme}`, await audit(page)]);
  }
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
// The header's status comes first on the page (the toasts come last); builds before 0.4 did not
// name it "Sync", and the upgrade tests run them.
export const syncLabel = (page) => page.getByRole("status").first().textContent();
