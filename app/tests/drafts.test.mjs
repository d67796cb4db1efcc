// Drafts: what a person types is kept on every keystroke and only ever discarded on purpose.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  serverForThisFile, launchProfile, openTracker, waitForList, titles, createIssue, serverLog, eventually, unique,
  syncLabel,
} from "./harness.mjs";

const server = serverForThisFile();

const dialog = (page) => page.getByRole("dialog");
const restoredNote = (page) => page.getByRole("note").filter({ hasText: "Draft restored" });
const row = (page, title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });

async function startNew(page, title, description) {
  await page.getByRole("button", { name: "New issue" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Description").fill(description);
}

/** A click beside the dialog, on its backdrop. */
const clickBeside = (page) => page.mouse.click(5, 5);

test("a new issue's draft survives a click beside the dialog and a reload, and Save clears it", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    const title = unique("Half typed");
    await startNew(page, title, "A paragraph\nthat took minutes.");
    await clickBeside(page);
    assert.equal(await dialog(page).count(), 0, "the click closed the dialog");

    await page.getByRole("button", { name: "New issue" }).click();
    await restoredNote(page).waitFor();
    assert.equal(await page.getByLabel("Title").inputValue(), title);
    assert.equal(await page.getByLabel("Description").inputValue(), "A paragraph\nthat took minutes.");
    await clickBeside(page);

    await page.reload();
    await waitForList(page);
    await page.getByRole("button", { name: "New issue" }).click();
    await restoredNote(page).waitFor();
    assert.equal(await page.getByLabel("Title").inputValue(), title);

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => (await titles(page)).includes(title), "the saved issue in the list");
    await page.getByRole("button", { name: "New issue" }).click();
    assert.equal(await page.getByLabel("Title").inputValue(), "", "saved: no draft left");
    assert.equal(await restoredNote(page).count(), 0);
  } finally {
    await a.close();
  }
});

test("Esc with changes asks first, and Esc twice discards the draft for good", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    await startNew(page, unique("Thrown away"), "on purpose");
    await page.keyboard.press("Escape");
    const question = page.getByRole("alertdialog", { name: "Discard your changes?" });
    await question.waitFor();
    assert.equal(await dialog(page).count(), 1, "still open: it asked");
    await page.getByRole("button", { name: "Keep editing" }).click();
    assert.equal(await question.count(), 0);

    await page.getByLabel("Title").focus();
    await page.keyboard.press("Escape");
    await question.waitFor();
    await page.keyboard.press("Escape");
    assert.equal(await dialog(page).count(), 0, "Esc twice discards");
    await page.reload();
    await waitForList(page);
    await page.getByRole("button", { name: "New issue" }).click();
    assert.equal(await page.getByLabel("Title").inputValue(), "");
    assert.equal(await restoredNote(page).count(), 0);

    // Without changes, Esc just closes.
    await page.keyboard.press("Escape");
    assert.equal(await dialog(page).count(), 0);
  } finally {
    await a.close();
  }
});

test("an edit draft shows what another person changed meanwhile, and saving keeps their change", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const [pa, pb] = await Promise.all([openTracker(a, server.url), openTracker(b, server.url)]);
    const title = unique("Edited by two");
    await createIssue(pa, title, "the first description");
    await eventually(async () => (await titles(pb)).includes(title), "B to have the issue");

    const mine = `${title} (A's title)`;
    await pa.getByRole("button", { name: title, exact: true }).click();
    await pa.getByLabel("Title").fill(mine);
    await clickBeside(pa);
    assert.equal(await row(pa, title).getByText("Draft", { exact: true }).count(), 1, "the list marks the draft");

    await pb.getByRole("button", { name: title, exact: true }).click();
    await pb.getByLabel("Description").fill("B's description");
    await pb.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => (await syncLabel(pb)) === "Live", "B's change on the server");

    await eventually(async () => {
      await pa.getByRole("button", { name: title, exact: true }).click();
      const changed = pa.getByRole("note", { name: "Changed meanwhile" });
      const shown = (await changed.count()) > 0 && /B's description/.test(await changed.textContent());
      if (!shown) await pa.mouse.click(5, 5);
      return shown;
    }, "A's dialog to show B's description");
    await restoredNote(pa).waitFor();
    assert.equal(await pa.getByLabel("Title").inputValue(), mine, "A's own draft as typed");
    await pa.getByRole("button", { name: "Save", exact: true }).click();

    for (const page of [pa, pb]) {
      await eventually(async () => (await titles(page)).includes(mine), "A's title everywhere");
    }
    await eventually(async () => (await syncLabel(pa)) === "Live", "A synced");
    const log = await serverLog(server.url);
    const edit = log.filter((e) => e.name === "updateIssue" && e.args.title === mine);
    assert.equal(edit.length, 1);
    assert.deepEqual(Object.keys(edit[0].args).sort(), ["id", "title", "updatedAt"], "only the title was sent");
    await pa.getByRole("button", { name: mine, exact: true }).click();
    assert.equal(await pa.getByLabel("Description").inputValue(), "B's description");
    assert.equal(await row(pa, mine).getByText("Draft", { exact: true }).count(), 0, "saved: no mark");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a description over the limit or with control characters keeps the dialog open with the message and the text", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    const long = "x".repeat(10_001);
    await startNew(page, unique("Too long"), long);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const message = page.getByRole("alert").filter({ hasText: "description must be at most 10000 characters" });
    await message.waitFor();
    assert.equal(await dialog(page).count(), 1, "the dialog stays open");
    assert.equal((await page.getByLabel("Description").inputValue()).length, 10_001, "the text is all there");
    assert.equal(await page.getByLabel("Description").getAttribute("aria-invalid"), "true");

    // Pasted text with a control character (a terminal's colour codes, say): the same.
    await page.getByLabel("Description").fill("copied from a terminal \u001b[31mred\u001b[0m");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "description must not contain control characters" }).waitFor();
    assert.equal(await dialog(page).count(), 1);
    assert.match(await page.getByLabel("Description").inputValue(), /copied from a terminal/);
  } finally {
    await a.close();
  }
});

test("a draft kept in one tab is marked in the list of another tab of the same browser", async () => {
  const a = await launchProfile();
  try {
    const one = await openTracker(a, server.url);
    const two = await openTracker(a, server.url);
    const title = unique("Drafted in one tab");
    await createIssue(one, title);
    await eventually(async () => (await titles(two)).includes(title), "the issue in the second tab");
    await one.getByRole("button", { name: title, exact: true }).click();
    await one.getByLabel("Description").fill("typed in tab one");
    await clickBeside(one);
    await eventually(async () => (await row(two, title).getByText("Draft", { exact: true }).count()) === 1, "the mark in tab two");
    await two.getByRole("button", { name: title, exact: true }).click();
    await restoredNote(two).waitFor();
    assert.equal(await two.getByLabel("Description").inputValue(), "typed in tab one");
  } finally {
    await a.close();
  }
});
