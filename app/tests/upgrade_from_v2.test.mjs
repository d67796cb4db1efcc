// The second schema change after release, in a browser, by the path the first one proved
// (upgrade.test.mjs): a profile on the last version-2 build (kept as
// app/tests/fixtures/schema-v2-app.tar.gz, built from 23eee11, the commit before version 3) goes
// offline and makes changes; the server and the build are upgraded and someone makes a version-3
// change (an undo); back online, the old page pushes, is told a new version is available, waits while
// a dialog holds typed text, then reloads into version 3 (its replica migrated in place, then a
// snapshot for the server's numbers), shows every issue numbered, and every change it made is on the
// server exactly once.
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

/** The version-2 build's files, unpacked for `wrangler dev --assets`. */
function versionTwoBuild() {
  const dir = pathJoin(root, ".tmp/browser-tests");
  mkdirSync(dir, { recursive: true });
  const unpacked = mkdtempSync(pathJoin(dir, "schema-v2-app-"));
  execFileSync("tar", ["-xzf", pathJoin(root, "app/tests/fixtures/schema-v2-app.tar.gz"), "-C", unpacked]);
  return unpacked;
}

const server = serverForThisFile({ assets: versionTwoBuild() });

const issueButton = (page, title) => page.getByRole("button", { name: title, exact: true });
const rowOf = (page, title) => page.locator(".row", { has: issueButton(page, title) });

test("a profile on the version-2 build comes through the upgrade to version 3 with every offline change, once, and numbered", async () => {
  const a = await launchProfile();
  try {
    let page = await openTracker(a, server.url);
    const kept = unique("Before the upgrade");
    await createIssue(page, kept);
    await eventually(async () => (await serverLog(server.url)).some((e) => e.args.title === kept), "the issue on the server");
    await eventually(async () => (await syncLabel(page)) === "Live", "everything sent");
    // This is the old build: no numbers on its rows (the server numbered the issue all the same:
    // creating one moves no workspace to version 3, so the old build keeps syncing).
    assert.equal(await rowOf(page, kept).locator(".issue-ref").count(), 0, "the version-2 row");

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

    // The server and the build are upgraded, and another client makes a version-3 change: an undo
    // of a priority nobody set, which writes it back as urgent.
    await server.restartWith([], { assets: null });
    const keptId = (await serverLog(server.url)).find((e) => e.args.title === kept).args.id;
    const answer = await pushAs(server.url, randomUUID(), [
      { name: "revertIssue", args: { id: keptId, updatedAt: Date.now(), priority: { from: "none", to: "urgent" } } },
    ]);
    assert.deepEqual(answer.rejected, []);

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
    const reloaded = page.waitForEvent("load", { timeout: 60_000 });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await reloaded;
    assert.ok(await page.evaluate(() => sessionStorage.getItem("tracker-version-reload")), "it reloaded for the new version");
    await eventually(async () => {
      const shown = await titles(page);
      return shown.includes(retitled) && shown.includes(offline) && shown.includes(typed);
    }, "the offline changes and the one typed meanwhile, shown by the new build", 30_000);
    // The new build shows the version-3 change, and every issue with the server's number.
    await eventually(async () => /Urgent/.test(await rowOf(page, retitled).textContent()), "the priority the undo wrote", 30_000);
    await eventually(async () => (await syncLabel(page)) === "Live", "nothing pending", 30_000);
    const log = await serverLog(server.url);
    for (const title of [retitled, offline, typed]) {
      const id = log.find((e) => e.name === "createIssue" && (e.args.title === title || (title === retitled && e.args.title === kept))).args.id;
      const number = log.find((e) => e.name === "createIssue" && e.args.id === id).number;
      assert.ok(number > 0, `the server numbered ${title}`);
      await eventually(
        async () => new RegExp(`-${number}$`).test(await rowOf(page, title).locator(".issue-ref").textContent()),
        `${title} shows its number ${number}`,
        30_000,
      );
    }

    // Each offline change is on the server exactly once.
    const mine = log.filter((e) => e.memberId === a.member.member);
    assert.deepEqual(
      mine.map((e) => [e.name, e.args.title]).sort(),
      [["createIssue", kept], ["createIssue", offline], ["createIssue", typed], ["updateIssue", retitled]].sort(),
    );
  } finally {
    await a.close();
  }
});
