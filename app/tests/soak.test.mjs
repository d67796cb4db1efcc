// The soak run's browser half (tests/tests/soak.rs is the native one): two Chromium profiles, two
// members, make changes through the page (new issues, status clicks) while the worker fails on
// purpose: D1 calls failing before they run and after they committed, slow answers, live sockets
// dropped instead of poked. A compaction and a restart of workerd come in the middle. Then the
// faults stop, and: each profile has nothing pending and is live again; what each profile's replica
// holds (read through its own export, built from the replica in the engine) equals D1 issue for
// issue; every issue made is there once; the engine's memory grew by less than a stated bound.
// SOAK_SECONDS sets how long the changes go on (20 by default; scripts/soak.sh runs 300).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  createIssue,
  eventually,
  launchProfile,
  openTracker,
  root,
  serverForThisFile,
  sleep,
  syncLabel,
  unique,
} from "./harness.mjs";

const server = serverForThisFile({ vars: ["TRACKER_TEST_ROUTES:1", "RATE_LIMITS:off", "LOG_RETENTION_DAYS:0"] });
const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const FAULTS = { d1Before: 0.05, d1After: 0.05, delayMs: 40, socketDrop: 0.2 };
// The engine's WebAssembly memory only grows. Measured: 2.8 MB once the list is shown, 3.2 MB after
// the 20 s run, 8.8 to 9.0 MB after 300 s and 1,234 issues made (their rows and SQLite's caches).
// A leak of what each change or poke holds would pass this within minutes.
const MEMORY_GROWTH_BOUND_MB = 16;

/** Sets the worker's faults; false while it does not answer (restarting). */
async function setFaults(faults) {
  try {
    const response = await fetch(`${server.url}/api/test/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(faults),
    });
    assert.equal(response.status, 200, await response.text());
    return true;
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return false;
  }
}

/** The engine's memory in MB, as the sync inspector shows it. */
async function engineMemory(page) {
  await page.getByRole("status").first().getByRole("button", { name: /Live|pending|Connecting/ }).click();
  const inspector = page.getByRole("dialog", { name: "Sync inspector" });
  const text = await eventually(async () => {
    const shown = await inspector.textContent();
    return /Engine memory\s*[\d.]+ MB/.test(shown) ? shown : null;
  }, "the engine's memory in the inspector");
  await inspector.getByRole("button", { name: "Close" }).click();
  return Number(text.match(/Engine memory\s*([\d.]+) MB/)[1]);
}

/** What the profile's replica holds, through its own export (palette, "Export as JSON"). */
async function exported(page) {
  await page.keyboard.press("Control+k");
  await page.getByRole("dialog", { name: "Command palette" }).getByRole("combobox").fill("Export as JSON");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  const file = JSON.parse(readFileSync(await download.path(), "utf8"));
  return file.issues.map((i) => JSON.stringify([i.number, i.status, i.title])).sort();
}

/** The workspace's issues in D1, read from its local file by wrangler. */
function inD1() {
  const out = execFileSync(
    "npx",
    ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", server.persist, "--config", "wrangler.local.toml", "--json",
     "--command", `SELECT number, status, title FROM issue WHERE workspace_id = '${server.workspace}' AND deleted_at IS NULL`],
    { cwd: root, env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, encoding: "utf8" },
  );
  return JSON.parse(out)[0].results.map((r) => JSON.stringify([r.number, r.status, r.title])).sort();
}

test(`two profiles working for ${SECONDS} s through D1 failures, dropped sockets, a compaction and a restart end equal to D1, with nothing lost`, async () => {
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    const pages = [await openTracker(a, server.url), await openTracker(b, server.url)];
    for (const page of pages) await eventually(async () => (await syncLabel(page)) === "Live", "live");
    const memoryBefore = await Promise.all(pages.map(engineMemory));
    assert.ok(await setFaults(FAULTS));

    const made = [];
    let statusClicks = 0;
    let restarted = false;
    let compactions = 0;
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    for (let step = 0; elapsed() < SECONDS; step++) {
      const page = pages[step % 2];
      if (!restarted && elapsed() > SECONDS * 0.4) {
        // workerd killed and started again while both profiles work: its isolate starts without
        // faults, so they are set again.
        restarted = true;
        await server.restart(1000);
        while (!(await setFaults(FAULTS))) await sleep(200);
      }
      if (step % 15 === 7) {
        // Compaction, as the Cron Trigger runs it; under faults it may fail, as it may in production.
        compactions += await fetch(`${server.url}/__scheduled?cron=17+3+*+*+*`).then((r) => (r.ok ? 1 : 0), () => 0);
      }
      if (step % 3 === 2) {
        const statuses = page.getByRole("region", { name: "Issues" }).getByRole("button", { name: /^Status: / });
        const n = await statuses.count();
        if (n > 0) {
          await statuses.nth(step % n).click();
          statusClicks++;
          continue;
        }
      }
      const title = unique(`Soak ${step}`);
      await createIssue(page, title);
      made.push(title);
    }

    // The faults stop: each profile sends what waits, takes what it missed, and is live again.
    assert.ok(await setFaults({}));
    for (const page of pages) {
      await eventually(async () => (await syncLabel(page)) === "Live", "live with nothing pending", 90_000);
    }
    const d1 = await eventually(async () => {
      const rows = inD1();
      const [mine, theirs] = [await exported(pages[0]), await exported(pages[1])];
      return JSON.stringify(mine) === JSON.stringify(rows) && JSON.stringify(theirs) === JSON.stringify(rows) ? rows : null;
    }, "both profiles' replicas equal to D1", 60_000);
    const titles = d1.map((row) => JSON.parse(row)[2]);
    for (const title of made) {
      assert.equal(titles.filter((t) => t === title).length, 1, `${title} is there once`);
    }
    const numbers = d1.map((row) => JSON.parse(row)[0]);
    assert.equal(new Set(numbers).size, numbers.length, "no number twice");

    const memoryAfter = await Promise.all(pages.map(engineMemory));
    console.log(
      `soak (browser): ${SECONDS} s, 2 profiles; ${made.length} issues made, ${statusClicks} status clicks, ` +
        `${compactions} compactions, 1 restart; engine memory ${memoryBefore.join(", ")} MB -> ${memoryAfter.join(", ")} MB`,
    );
    for (const [i, after] of memoryAfter.entries()) {
      assert.ok(after - memoryBefore[i] < MEMORY_GROWTH_BOUND_MB, `profile ${i}'s engine grew ${after - memoryBefore[i]} MB`);
    }
  } finally {
    await a.close();
    await b.close();
  }
});
