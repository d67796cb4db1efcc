// The first schema change after release, in a browser: a profile on the last version-1 build (kept as
// app/tests/fixtures/schema-v1-app.tar.gz, built from the commit before version 2) goes offline and
// makes changes; the server and the build are upgraded and someone makes a version-2 change; back
// online, the old page pushes, is told a new version is available, waits while a dialog holds typed
// text, then reloads into version 2 (its replica migrated in place), and every change it made is on
// the server exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join as pathJoin } from "node:path";
import { randomUUID } from "node:crypto";
import {
  root, serverForThisFile, launchProfile, openTracker, titles, createIssue, serverLog, pushAs,
  eventually, unique, syncLabel, sleep,
} from "./harness.mjs";

/** The version-1 build's files, unpacked for `wrangler dev --assets`. */
function versionOneBuild() {
  const dir = pathJoin(root, ".tmp/browser-tests");
  mkdirSync(dir, { recursive: true });
  const unpacked = mkdtempSync(pathJoin(dir, "schema-v1-app-"));
  execFileSync("tar", ["-xzf", pathJoin(root, "app/tests/fixtures/schema-v1-app.tar.gz"), "-C", unpacked]);
  return unpacked;
}

const server = serverForThisFile({ assets: versionOneBuild() });

const issueButton = (page, title) => page.getByRole("button", { name: title, exact: true });

test("a profile on the version-1 build comes through the upgrade with every offline change, once", async () => {
  const a = await launchProfile();
  try {
    let page = await openTracker(a, server.url);
    // This is the old build: its dialog knows nothing of priorities.
    await page.getByRole("button", { name: "New issue" }).click();
    assert.equal(await page.getByRole("dialog").getByLabel("Priority").count(), 0, "the version-1 dialog");
    await page.keyboard.press("Escape");
    const kept = unique("Before the upgrade");
    await createIssue(page, kept);
    await eventually(async () => (await serverLog(server.url)).some((e) => e.args.title === kept), "the issue on the server");
    await eventually(async () => (await syncLabel(page)) === "Live", "everything sent");

    // Offline, two changes.
    await a.setOffline(true);
    await eventually(async () => /Offline|Connecting/.test(await syncLabel(page)), "the page knows it is offline");
    const retitled = `${kept} (retitled offline)`;
    await issueButton(page, kept).click();
    await page.getByRole("dialog").waitFor();
    await page.getByLabel("Title").fill(retitled);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const offline = unique("Made offline");
    await createIssue(page, offline);
    await eventually(async () => /2 pending/.test(await syncLabel(page)), "two changes pending");

    // The server and the build are upgraded, and another client makes a version-2 change.
    await server.restartWith([], { assets: null });
    const keptId = (await serverLog(server.url)).find((e) => e.args.title === kept).args.id;
    await pushAs(server.url, randomUUID(), [
      { name: "setIssuePriority", args: { id: keptId, priority: "urgent", updatedAt: Date.now() } },
    ]);

    // Someone is typing a new issue when the page comes back online: it pushes, hears it is too
    // old, and says so, but waits.
    let reloads = 0;
    page.on("load", () => reloads++);
    await page.getByRole("button", { name: "New issue" }).click();
    const typed = unique("Typed while the upgrade waited");
    await page.getByRole("dialog").getByLabel("Title").fill(typed);
    await a.setOffline(false);
    await page.getByRole("alert").filter({ hasText: "A new version of the tracker is available" }).waitFor({ timeout: 30_000 });
    await eventually(async () => (await serverLog(server.url)).some((e) => e.args.title === retitled), "the offline changes pushed by the old build");
    await sleep(1_000);
    assert.equal(reloads, 0, "no reload while the dialog holds typed text");
    // Saved: the next safe moment. The page reloads into version 2.
    const reloaded = page.waitForEvent("load", { timeout: 60_000 });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await reloaded;
    assert.ok(await page.evaluate(() => sessionStorage.getItem("tracker-version-reload")), "it reloaded for the new version");
    await eventually(async () => {
      const shown = await titles(page);
      return shown.includes(retitled) && shown.includes(offline) && shown.includes(typed);
    }, "the offline changes and the one typed meanwhile, shown by the new build", 30_000);
    // The new build shows the version-2 change it pulled, on the old replica's rows.
    const row = page.locator(".row", { has: issueButton(page, retitled) });
    await eventually(async () => /Urgent/.test(await row.textContent()), "the priority set by version 2", 30_000);
    await eventually(async () => (await syncLabel(page)) === "Live", "nothing pending", 30_000);
    await page.getByRole("button", { name: "New issue" }).click();
    assert.equal(await page.getByRole("dialog").getByLabel("Priority").count(), 1, "the version-2 dialog");
    await page.keyboard.press("Escape");

    // Each offline change is on the server exactly once.
    const log = await serverLog(server.url);
    const mine = log.filter((e) => e.memberId === a.member.member);
    assert.deepEqual(
      mine.map((e) => [e.name, e.args.title]).sort(),
      [["createIssue", kept], ["createIssue", offline], ["createIssue", typed], ["updateIssue", retitled]].sort(),
    );
  } finally {
    await a.close();
  }
});
