// Issue numbers, each issue's history, undo and redo, and the trash, as people use them: an address
// by number, search by number, a number arriving for an issue made offline, the thread telling who
// did what, Ctrl+Z refused when someone changed the field since, and delete → trash → restore with
// the comments and labels intact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, pushAs, eventually, unique, setUp, signIn, join, api, createIssue, titles,
  syncLabel,
} from "./harness.mjs";

const server = serverForThisFile();
const rowOf = (page, title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });

/** A workspace of its own whose issue key is `key`, with `titles` pushed by its owner (numbered 1, 2,
 * ... in that order): `{ owner, place, ids }`. */
async function numbered(key, titles) {
  const owner = await setUp(server.url, unique("Numbers"), "Olive Owner");
  const place = { ...server, workspace: owner.workspace, owner, app: `${server.url}/w/${owner.workspace}` };
  const set = await api(server.url, `/api/workspaces/${owner.workspace}/issue-key`, { body: { issueKey: key }, cookie: owner.cookie });
  assert.equal(set.status, 200, await set.text());
  const now = Date.now();
  const ids = titles.map(() => randomUUID());
  const answer = await pushAs(server.url, randomUUID(), titles.map((title, i) => ({
    name: "createIssue",
    args: { id: ids[i], title, description: "", owner: "Olive Owner", createdAt: now - (titles.length - i) * 60_000 },
  })), 1, owner);
  assert.deepEqual(answer.rejected, []);
  return { owner, place, ids };
}

test("issue numbers: the key is the owner's to set, an address and the search find an issue by number, and one made offline is numbered once it syncs", async () => {
  const { owner, place } = await numbered("trk", ["Login fails", "Export is slow", "Dark mode contrast"]);
  // The key's route: bad keys and members are refused, nothing changed.
  const member = await join(place, "Mo Member");
  for (const [body, cookie, status, code] of [
    [{ issueKey: "T1" }, owner.cookie, 400, "InvalidRequest"],
    [{ issueKey: "TOOLONG" }, owner.cookie, 400, "InvalidRequest"],
    [{ issueKey: "ABC", extra: 1 }, owner.cookie, 400, "InvalidRequest"],
    [{ issueKey: "MINE" }, member.cookie, 403, "Forbidden"],
    [{ issueKey: "MINE" }, undefined, 401, "Unauthenticated"],
  ]) {
    const refused = await api(server.url, `/api/workspaces/${owner.workspace}/issue-key`, { body, cookie });
    assert.equal(refused.status, status, JSON.stringify(body));
    assert.equal((await refused.json()).error, code);
  }
  const session = await (await api(server.url, "/api/session", { method: "GET", cookie: owner.cookie })).json();
  assert.equal(session.workspaces.find((w) => w.id === owner.workspace).issueKey, "TRK", "the key as set, upper case");

  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    // An address by number (any case of the key) opens that issue's page.
    const page = await context.newPage();
    await page.goto(`${place.app}/issue/trk-2`);
    await page.getByRole("heading", { name: "Export is slow", level: 2 }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(".issue-page .heading .issue-ref").textContent(), "TRK-2");
    assert.match(await page.getByRole("button", { name: "Copy link" }).getAttribute("title"), /\/issue\/TRK-2$/);
    // A number that does not exist says so.
    await page.goto(`${place.app}/issue/TRK-99`);
    await page.getByText("There is no issue TRK-99 here").waitFor({ timeout: 30_000 });

    await page.goto(place.app);
    await page.locator(".row").first().waitFor();
    assert.equal(await rowOf(page, "Dark mode contrast").locator(".issue-ref").textContent(), "TRK-3");
    for (const typed of ["TRK-1", "1", "#1"]) {
      await page.getByRole("searchbox", { name: "Search" }).fill(typed);
      await eventually(async () => {
        const shown = await titles(page);
        return shown.length === 1 && shown[0] === "Login fails";
      }, `"${typed}" finds TRK-1 and only it`);
    }
    await page.getByRole("searchbox", { name: "Search" }).fill("");

    // Made offline: shown at once without a number, numbered when it reaches the server.
    await context.setOffline(true);
    await createIssue(page, "Made on a plane");
    await rowOf(page, "Made on a plane").waitFor();
    assert.equal(await rowOf(page, "Made on a plane").locator(".issue-ref").textContent(), "TRK-…");
    await context.setOffline(false);
    await eventually(
      async () => (await rowOf(page, "Made on a plane").locator(".issue-ref").textContent()) === "TRK-4",
      "the number once synced",
    );
  } finally {
    await context.close();
  }
});

test("history and undo: the thread says who did what; Ctrl+Z and the toast undo, Ctrl+Shift+Z redoes, and an undo is refused when someone changed the field since", async () => {
  const { owner, place, ids } = await numbered("UND", ["Flaky upload"]);
  const grace = await join(place, "Grace Hopper");
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await context.newPage();
    await page.goto(`${place.app}/issue/UND-1`);
    await page.getByRole("heading", { name: "Flaky upload", level: 2 }).waitFor({ timeout: 30_000 });
    const activity = page.getByRole("region", { name: "Activity" });
    await activity.getByText("Olive Owner created the issue").waitFor();
    const status = page.getByRole("combobox", { name: "Status", exact: true });

    await status.selectOption("done");
    await page.getByRole("status").filter({ hasText: "Status → Done" }).waitFor();
    await activity.getByText("Olive Owner set status to Done").waitFor();
    // The toast's button undoes it: a new change, in the history too.
    await page.getByRole("button", { name: "Undo", exact: true }).click();
    await eventually(async () => (await status.inputValue()) === "not started", "undone by the toast");
    await activity.getByText("Olive Owner set status to Not started").waitFor();
    // Ctrl+Shift+Z redoes, Ctrl+Z undoes again (focus on the page, not in a field).
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Control+Shift+Z");
    await eventually(async () => (await status.inputValue()) === "done", "redone by Ctrl+Shift+Z");
    await page.keyboard.press("Control+Z");
    await eventually(async () => (await status.inputValue()) === "not started", "undone by Ctrl+Z");

    // My priority change, then Grace's: undoing mine would overwrite hers, so it is refused.
    await page.getByRole("combobox", { name: "Priority", exact: true }).selectOption({ label: "High" });
    await eventually(async () => (await api(server.url, `/api/workspaces/${owner.workspace}/pull`, {
      body: { clientId: randomUUID(), schemaVersion: 3, cookie: null }, cookie: owner.cookie,
    }).then((r) => r.json())).snapshot.issues[0].priority === "high", "my change on the server");
    const answer = await pushAs(server.url, randomUUID(), [
      { name: "setIssuePriority", args: { id: ids[0], priority: "low", updatedAt: Date.now() } },
    ], 1, grace);
    assert.deepEqual(answer.rejected, []);
    await activity.getByText("Grace Hopper set priority to Low").waitFor({ timeout: 20_000 });
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Control+Z");
    await page.getByRole("alert").filter({ hasText: "someone changed this since" }).waitFor();
    assert.equal(await page.getByRole("combobox", { name: "Priority", exact: true }).inputValue(), "low", "hers stays");

    // The stack is this tab's: after a reload there is nothing to undo.
    await page.reload();
    await page.getByRole("heading", { name: "Flaky upload", level: 2 }).waitFor({ timeout: 30_000 });
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Control+Z");
    await page.getByRole("alert").filter({ hasText: "Nothing to undo" }).waitFor();
  } finally {
    await context.close();
  }
});

test("the trash: a deleted issue leaves the list, waits in the trash with its comments and labels, and comes back on Restore or Ctrl+Z", async () => {
  const { owner, place, ids } = await numbered("BIN", ["Keep me", "Throw me away"]);
  const label = randomUUID();
  const now = Date.now();
  await pushAs(server.url, randomUUID(), [
    { name: "createLabel", args: { id: label, name: "Bug", color: "#d73a4a", createdAt: now } },
    { name: "addIssueLabel", args: { issueId: ids[1], labelId: label, updatedAt: now } },
    { name: "addComment", args: { id: randomUUID(), issueId: ids[1], body: "Seen on Tuesday", createdAt: now } },
  ], 1, owner);
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    await rowOf(page, "Throw me away").waitFor();
    await rowOf(page, "Throw me away").getByRole("button", { name: "Throw me away", exact: true }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("button", { name: "Delete issue" }).click();
    await eventually(async () => !(await titles(page)).includes("Throw me away"), "gone from the list");
    await page.getByRole("status").filter({ hasText: "Moved to the trash" }).waitFor();

    await page.getByRole("link", { name: "Trash" }).click();
    const trash = page.getByRole("region", { name: "Trash" });
    await trash.getByText("Throw me away").waitFor();
    assert.match(await trash.locator(".trash-row").first().textContent(), /BIN-2.*Deleted by Olive Owner/);
    await trash.getByRole("button", { name: "Restore BIN-2: Throw me away" }).click();
    await trash.getByText("The trash is empty.").waitFor();
    await page.getByRole("button", { name: "← All issues" }).click();
    await rowOf(page, "Throw me away").waitFor();
    assert.match(await rowOf(page, "Throw me away").textContent(), /Bug/, "its label came back");
    await rowOf(page, "Throw me away").getByRole("link", { name: /Open/ }).click();
    await page.getByText("Seen on Tuesday").waitFor();
    const activity = page.getByRole("region", { name: "Activity" });
    await activity.getByText("Olive Owner moved it to the trash").waitFor();
    await activity.getByText("Olive Owner restored it from the trash").waitFor();

    // Deleted again, from its page; Ctrl+Z brings it back.
    await page.getByRole("button", { name: "Edit", exact: true }).first().click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("button", { name: "Delete issue" }).click();
    await page.getByRole("status").filter({ hasText: "Moved to the trash" }).waitFor();
    await page.getByRole("note").filter({ hasText: "In the trash" }).waitFor();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("Control+Z");
    await eventually(async () => (await page.getByRole("note").filter({ hasText: "In the trash" }).count()) === 0, "restored by Ctrl+Z");
  } finally {
    await context.close();
  }
});

test("undo of each kind: a change to two picked issues as one step, a title, a label and an assignee, each back as it was", async () => {
  const { owner, place } = await numbered("EAC", ["One", "Two", "Three"]);
  await pushAs(server.url, randomUUID(), [
    { name: "createLabel", args: { id: randomUUID(), name: "Bug", color: "#d73a4a", createdAt: Date.now() } },
  ], 1, owner);
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    await rowOf(page, "One").waitFor();
    const calm = () => page.locator("body").click({ position: { x: 5, y: 5 } });

    // Two picked rows set to Urgent at once: one Ctrl+Z takes both back.
    await page.getByRole("checkbox", { name: "Select One" }).click();
    await page.getByRole("checkbox", { name: "Select Two" }).click();
    await page.getByRole("toolbar", { name: "Change 2 selected issues" }).getByLabel("Priority").selectOption("urgent");
    await page.getByRole("status").filter({ hasText: "Priority → Urgent · 2 issues" }).waitFor();
    await eventually(async () => /Urgent/.test(await rowOf(page, "One").textContent()) && /Urgent/.test(await rowOf(page, "Two").textContent()), "both urgent");
    await page.keyboard.press("Escape");
    await calm();
    await page.keyboard.press("Control+Z");
    await eventually(async () => !/Urgent/.test(await rowOf(page, "One").textContent()) && !/Urgent/.test(await rowOf(page, "Two").textContent()), "both back, by one undo");

    // A title and a priority saved together in the dialog: one step.
    await page.getByRole("button", { name: "Three", exact: true }).click();
    await page.getByRole("dialog").getByLabel("Title").fill("Three, renamed");
    await page.getByRole("dialog").getByLabel("Priority").selectOption({ label: "High" });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Title changed" }).waitFor();
    await eventually(async () => /High/.test(await rowOf(page, "Three, renamed").textContent()), "renamed and high");
    await calm();
    await page.keyboard.press("Control+Z");
    await eventually(async () => (await titles(page)).includes("Three") && !(await titles(page)).includes("Three, renamed"), "the old title back");
    assert.ok(!/High/.test(await rowOf(page, "Three").textContent()), "and the priority, by the same undo");

    // A label and an assignee, on the issue's page.
    await rowOf(page, "Three").getByRole("link", { name: /Open/ }).click();
    await page.getByRole("heading", { name: "Three", level: 2 }).waitFor();
    await page.getByLabel("Add label").selectOption({ label: "Bug" });
    const on = page.getByRole("list", { name: "Labels on this issue" });
    await on.getByText("Bug").waitFor();
    await calm();
    await page.keyboard.press("Control+Z");
    await eventually(async () => (await on.getByText("Bug").count()) === 0, "the label off again");
    await page.getByRole("button", { name: "Assign to me" }).click();
    const assignee = page.getByRole("combobox", { name: "Assignee", exact: true });
    await eventually(async () => (await assignee.inputValue()) === owner.member, "assigned to me");
    await calm();
    await page.keyboard.press("Control+Z");
    await eventually(async () => (await assignee.inputValue()) === "", "no one again");
    // And redo brings the assignment back.
    await page.keyboard.press("Control+Shift+Z");
    await eventually(async () => (await assignee.inputValue()) === owner.member, "redone");
  } finally {
    await context.close();
  }
});

test("a new issue key set in the owner's Members dialog reaches another member's open page without a reload, and old links still open", async () => {
  const { owner, place } = await numbered("OLD", ["First"]);
  const mo = await join(place, "Mo Member");
  const [oc, mc] = await Promise.all([launchProfile({ signIn: false }), launchProfile({ signIn: false })]);
  try {
    await signIn(oc, place, owner);
    await signIn(mc, place, mo);
    const po = await openTracker(oc, place.app);
    const pm = await openTracker(mc, place.app);
    const ref = () => rowOf(pm, "First").locator(".issue-ref").textContent();
    await eventually(async () => (await ref()) === "OLD-1", "the old key");
    await eventually(async () => (await syncLabel(pm)) === "Live", "the member's page is live");
    await po.getByRole("button", { name: "Members" }).click();
    const dialog = po.getByRole("dialog");
    // A bad key says why and changes nothing.
    await dialog.getByLabel("Issue key").fill("N1");
    await dialog.getByRole("button", { name: "Save key" }).click();
    await dialog.getByRole("alert").filter({ hasText: "2 to 5 letters" }).waitFor();
    await dialog.getByLabel("Issue key").fill("new");
    await dialog.getByRole("button", { name: "Save key" }).click();
    await dialog.getByRole("status").filter({ hasText: "Issues now read NEW-42." }).waitFor();
    await eventually(async () => (await ref()) === "NEW-1", "the member's open page reads the new key, no reload", 20_000);
    await pm.goto(`${place.app}/issue/OLD-1`);
    await pm.getByRole("heading", { name: "First", level: 2 }).waitFor({ timeout: 30_000 });
    assert.equal(await pm.locator(".issue-page .heading .issue-ref").textContent(), "NEW-1");
  } finally {
    await Promise.all([oc.close(), mc.close()]);
  }
});
