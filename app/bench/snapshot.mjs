// A new device's catch-up in headless Chromium: today's replay of the log against the snapshot.
// Two workspaces of the same ISSUES issues: one whose log holds 2 entries an issue (a create and an
// edit), one 20 (a create and 19 edits). The same build and database serve both ways: first with
// `SNAPSHOT_PULL=off` (a device with no cookie replays the log from its start, as before snapshots),
// then restarted without it. For each, new Chromium profiles open the tracker: time from navigation
// to the first row and to the full list (every issue counted, the list's size N, and the newest
// one's last edit shown: the whole log applied), the pull requests the engine sent until then, and
// the bytes of their answers, on the wire (gzip, as Workers compresses them) and decoded.
// Usage: node app/bench/snapshot.mjs [--quick]. Prints markdown, also written to
// target/bench/snapshot.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { launchProfile, pushAs, root, setUp, signIn, startServer } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
// Over 500: more than the first snapshot page holds, so the full list needs a second page.
const ISSUES = quick ? 600 : 10_000;
const LOADS = quick ? 1 : 3;
const VARS = ["RATE_LIMITS:off", "MEMBER_DAILY_MUTATIONS:1000000000"];

const log = (what) => process.stderr.write(`bench snapshot: ${what}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const WORDS = ["sync", "replica", "issue", "cookie", "server", "client", "the", "a", "of", "when", "pending",
  "mutation", "log", "page", "push", "pull", "after", "before", "while", "status", "owner", "worker",
  "browser", "offline", "change", "title", "should", "never", "again", "edit", "list", "tab"];
/** `len` characters of words picked by a small generator seeded with `n`: text that compresses about
 * as prose does, not a repeated pattern. */
function text(n, len) {
  let state = (n * 2654435761 + 1) >>> 0;
  let out = "";
  while (out.length < len) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += `${WORDS[state >>> 27]} `;
  }
  return out.slice(0, len);
}

/** A workspace of ISSUES issues, each created and then edited `edits` times, pushed as its owner. */
async function seed(url, name, edits) {
  const owner = await setUp(url, name, "Owner");
  const client = randomUUID();
  const ids = Array.from({ length: ISSUES }, () => randomUUID());
  let next = 1;
  const push = async (mutations) => {
    for (let at = 0; at < mutations.length; at += 100) {
      const batch = mutations.slice(at, at + 100);
      await pushAs(url, client, batch, next, owner);
      next += batch.length;
    }
  };
  await push(ids.map((id, n) => ({
    name: "createIssue",
    args: { id, title: `Issue ${n}: ${text(n, 50)}`, description: text(n, 500), owner: "Ada Lovelace",
            createdAt: 1_764_000_000_000 + n },
  })));
  for (let edit = 1; edit <= edits; edit++) {
    await push(ids.map((id, n) => ({
      name: "updateIssue",
      args: { id, title: `Issue ${n}, edit ${edit}: ${text(n, 40)}`, updatedAt: 1_764_000_000_000 + ISSUES + edit },
    })));
  }
  return { ...owner, edits };
}

/** A new profile opens `owner`'s workspace: its figures until the full list shows. */
async function newDevice(server, owner) {
  const context = await launchProfile({ signIn: false });
  const traffic = [];
  const started = new Map();
  context.on("request", (request) => started.set(request, Date.now()));
  context.on("requestfinished", async (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith("/api/workspaces/")) return;
    const sizes = await request.sizes().catch(() => null);
    const body = await (await request.response())?.body().catch(() => null);
    traffic.push({ path, at: started.get(request) ?? 0, wire: sizes?.responseBodySize ?? 0, decoded: body?.length ?? 0 });
  });
  try {
    await signIn(context, server, owner);
    const page = await context.newPage();
    await page.addInitScript(([issues, newest]) => {
      const observer = new MutationObserver(() => {
        if (!window.__firstRow && document.querySelector(".row")) window.__firstRow = performance.now();
        const list = document.querySelector(".list");
        // Every issue in the list (its rows say how many it has; only a window of them is in the
        // DOM) and the newest one's last edit shown at its top.
        const first = list?.querySelector("#issue-rows .row");
        if (first?.getAttribute("aria-setsize") === String(issues) && first.querySelector(".title")?.textContent.startsWith(newest)) {
          window.__fullList = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { childList: true, subtree: true, characterData: true });
    }, [ISSUES, `Issue ${ISSUES - 1}, edit ${owner.edits}:`]);
    await page.goto(`${server.url}/w/${owner.workspace}`);
    await page.waitForFunction(() => window.__fullList, null, { timeout: 600_000, polling: 100 });
    const [firstRow, fullList, origin] = await page.evaluate(() => [window.__firstRow, window.__fullList, performance.timeOrigin]);
    // Let the answers in flight finish counting.
    await page.waitForTimeout(500);
    // The pulls sent before the full list showed (not those the socket's opening asks for after).
    const pulls = traffic.filter((t) => t.path.endsWith("/pull") && t.at <= origin + fullList);
    return {
      firstRow,
      fullList,
      pulls: pulls.length,
      wire: pulls.reduce((s, t) => s + t.wire, 0),
      decoded: pulls.reduce((s, t) => s + t.decoded, 0),
    };
  } finally {
    await context.close();
  }
}

async function measure(server, owner, label) {
  const runs = [];
  for (let i = 0; i < LOADS; i++) {
    runs.push(await newDevice(server, owner));
    log(`${label}: ${JSON.stringify(runs.at(-1))}`);
  }
  return {
    firstRow: median(runs.map((r) => r.firstRow)),
    fullList: median(runs.map((r) => r.fullList)),
    pulls: median(runs.map((r) => r.pulls)),
    wire: median(runs.map((r) => r.wire)),
    decoded: median(runs.map((r) => r.decoded)),
  };
}

const server = await startServer({ vars: [...VARS, "SNAPSHOT_PULL:off"] });
const figures = {};
try {
  log(`seeding ${ISSUES} issues twice: 2 and 20 log entries each`);
  const small = await seed(server.url, "Two entries an issue", 1);
  const large = await seed(server.url, "Twenty entries an issue", 19);
  figures.replaySmall = await measure(server, small, "replay, 2 an issue");
  figures.replayLarge = await measure(server, large, "replay, 20 an issue");
  await server.restartWith(VARS);
  figures.snapshotSmall = await measure(server, small, "snapshot, 2 an issue");
  figures.snapshotLarge = await measure(server, large, "snapshot, 20 an issue");
} finally {
  await server.stop();
}
// The baseline must really be a replay: with SNAPSHOT_PULL=off the log comes a page at a time.
if (!(figures.replayLarge.pulls > figures.snapshotLarge.pulls)) {
  throw new Error(`the replay took ${figures.replayLarge.pulls} pulls, the snapshot ${figures.snapshotLarge.pulls}: is SNAPSHOT_PULL=off still honoured?`);
}

const n = (x) => x.toLocaleString("en");
const small = `${n(ISSUES * 2)} entries`;
const large = `${n(ISSUES * 20)} entries`;
const row = (name, f) =>
  `| ${name} | ${f(figures.replaySmall)} | ${f(figures.replayLarge)} | ${f(figures.snapshotSmall)} | ${f(figures.snapshotLarge)} |`;
const out = [
  `A new Chromium profile opens a workspace of ${n(ISSUES)} issues (medians of ${LOADS}): today's replay of the log (\`SNAPSHOT_PULL=off\`) against the snapshot, same build and database.`,
  "",
  `| new device, ${n(ISSUES)} issues | replay, ${small} | replay, ${large} | snapshot, ${small} | snapshot, ${large} |`,
  "| --- | --- | --- | --- | --- |",
  row("first row on screen", (f) => ms(f.firstRow)),
  row("full list (every issue, the newest one's last edit shown)", (f) => ms(f.fullList)),
  row("pull requests until then", (f) => `${f.pulls}`),
  row("bytes received, on the wire (gzip)", (f) => mb(f.wire)),
  row("bytes received, decoded JSON", (f) => mb(f.decoded)),
  "",
  `Full list, ${large} against ${small}: replay ${(figures.replayLarge.fullList / figures.replaySmall.fullList).toFixed(2)}x, snapshot ${(figures.snapshotLarge.fullList / figures.snapshotSmall.fullList).toFixed(2)}x; snapshot against replay at ${large}: ${(figures.replayLarge.fullList / figures.snapshotLarge.fullList).toFixed(1)}x faster.`,
  "",
].join("\n");
process.stdout.write(out);
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/snapshot.md"), out);
