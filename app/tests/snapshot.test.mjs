// Snapshots in the browser: a profile closed for longer than the log's retention (here 0 days, and
// compaction fired by hand as the Cron Trigger fires it) reopens below the horizon, with changes it
// made offline; it gets a snapshot instead of an error, keeps those changes, and they land once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, titles, createIssue, serverLog, pushAs, eventually,
  unique, syncLabel, signIn, api,
  SCHEMA_VERSION,
} from "./harness.mjs";

const server = serverForThisFile({ vars: ["LOG_RETENTION_DAYS:0"] });

const issueButton = (page, title) => page.getByRole("button", { name: title, exact: true });

test("a profile closed longer than the retention window reopens with its offline changes, and they land once", async () => {
  let a = await launchProfile();
  const member = a.member;
  try {
    let page = await openTracker(a, server.url);
    const kept = unique("Kept");
    await createIssue(page, kept);
    await eventually(async () => (await serverLog(server.url)).some((e) => e.args.title === kept), "the issue on the server");
    await eventually(async () => (await syncLabel(page)) === "Live", "everything sent");

    // The server goes away; the profile makes two changes, then is closed.
    await server.down();
    const retitled = `${kept} (retitled offline)`;
    await issueButton(page, kept).click();
    await page.getByRole("dialog").waitFor();
    await page.getByLabel("Title").fill(retitled);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const offline = unique("Made offline");
    await createIssue(page, offline);
    await eventually(async () => /2 pending/.test(await syncLabel(page)), "two changes pending");
    const dir = await a.quit();

    // While it is closed: someone else's change, then compaction takes the whole log.
    await server.up();
    const theirs = unique("Theirs");
    await pushAs(server.url, randomUUID(), [{
      name: "createIssue",
      args: { id: randomUUID(), title: theirs, description: "", owner: "someone", createdAt: Date.now() },
    }]);
    await server.compact();
    const head = await api(server.url, `/api/workspaces/${server.workspace}/pull`, {
      body: { clientId: randomUUID(), schemaVersion: SCHEMA_VERSION, cookie: 0 },
      cookie: server.owner.cookie,
    });
    const snapshot = await head.json();
    assert.equal(snapshot.snapshot?.reset, true, "the log before the horizon is gone: cookie 0 gets a snapshot");
    const horizon = snapshot.cookie;

    // Reopened, same profile and member: the offline changes are still there, and so is the
    // snapshot's news; nothing waits once it has synced.
    a = await launchProfile({ dir, signIn: false });
    await signIn(a, server, member);
    page = await openTracker(a, server.url);
    await eventually(async () => {
      const shown = await titles(page);
      return shown.includes(retitled) && shown.includes(offline) && shown.includes(theirs) && !shown.includes(kept);
    }, "the offline changes and the other member's issue, together");
    await eventually(async () => (await syncLabel(page)) === "Live", "everything sent", 30_000);

    // Each offline change is in the log once, after the horizon, and nothing else of this profile.
    const log = await serverLog(server.url, horizon);
    assert.deepEqual(
      log.map((e) => [e.name, e.args.title]).sort(),
      [["createIssue", offline], ["updateIssue", retitled]],
    );
    // It came back through a snapshot, as the inspector's events say.
    await page.getByRole("status").getByRole("button", { name: "Live" }).click();
    const events = page.getByRole("dialog", { name: "Sync inspector" }).getByRole("table", { name: "Last sync events" });
    await eventually(async () => /snapshot \(reset\)/.test(await events.textContent()), "a snapshot in the events");
  } finally {
    await a.close();
  }
});
