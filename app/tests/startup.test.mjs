// A page that is still starting: its engine's wasm is held back, as on a slow network, while a person
// acts at the first moment the page lets them. Nothing they do may be lost, and the page says what
// state it is in. Also the accessibility audit (axe-core) of every screen, light and dark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, titles, createIssue, serverLog, pushAs, eventually, sleep, unique, syncLabel, audit,
} from "./harness.mjs";

const server = serverForThisFile();

const unsent = (page, name) => page.getByRole("region", { name });
const waiting = (page) => unsent(page, "Saved once the tracker has started");
const issueList = (page) => page.getByRole("region", { name: "Issues" });

/** A new profile whose engine wasm arrives `delay` ms late (or never, with `fail`). */
async function slowStart({ delay = 2_000, fail = false, path = "/" } = {}) {
  const profile = await launchProfile();
  await profile.route("**/pkg/engine_bg.wasm", async (route) => {
    if (fail) return route.abort("failed");
    await sleep(delay);
    await route.continue();
  });
  const page = await profile.newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(`${server.app}${path.replace(/^\//, "")}`);
  await page.getByRole("button", { name: "New issue" }).waitFor();
  return { profile, page };
}

test("an issue created while the engine starts appears once it runs and reaches the server once", async () => {
  const { profile, page } = await slowStart();
  try {
    assert.equal(await syncLabel(page), "Starting…");
    const title = unique("Made at the first moment");
    await createIssue(page, title, "typed before the engine loaded");
    // Held, and shown as held, while the engine is still loading.
    assert.equal(await syncLabel(page), "Starting…");
    await waiting(page).getByRole("button", { name: title, exact: true }).waitFor();

    await issueList(page).getByRole("button", { name: title, exact: true }).waitFor();
    assert.equal(await waiting(page).count(), 0, "nothing is held once the engine runs");
    // "Live" can show for a moment before the engine has taken the held messages: wait for the push.
    const created = await eventually(async () => {
      const log = await serverLog(server.url);
      const found = log.filter((e) => e.name === "createIssue" && e.args.title === title);
      return found.length > 0 && found;
    }, "the issue on the server");
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to sync");
    const log = await serverLog(server.url);
    assert.equal(log.filter((e) => e.name === "createIssue" && e.args.title === title).length, 1);
    assert.equal(created[0].args.description, "typed before the engine loaded");
  } finally {
    await profile.close();
  }
});

test("three changes made while the engine starts reach it, and the server, in order", async () => {
  const { profile, page } = await slowStart({ delay: 3_000 });
  try {
    const title = unique("Three changes");
    await createIssue(page, title);
    const held = waiting(page);
    await held.getByRole("button", { name: /^Status: Not started/ }).click();
    await held.getByRole("button", { name: /^Status: In progress/ }).waitFor();
    await held.getByRole("button", { name: title, exact: true }).click();
    await page.getByRole("dialog").waitFor();
    await page.getByLabel("Description").fill("edited before the start");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    assert.equal(await syncLabel(page), "Starting…", "all three were made before the engine ran");
    assert.match(await held.textContent(), /3 changes/);

    const row = issueList(page).locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });
    await eventually(async () => (await row.locator(".status").textContent()) === "In progress", "the status change applied");
    const serverHas = async (n) => {
      const log = await serverLog(server.url);
      const id = log.find((e) => e.name === "createIssue" && e.args.title === title)?.args.id;
      return id && log.filter((e) => e.args.id === id).length === n;
    };
    await eventually(() => serverHas(3), "all three changes on the server");
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to sync");
    await row.getByRole("button", { name: title, exact: true }).click();
    assert.equal(await page.getByLabel("Description").inputValue(), "edited before the start");
    await page.keyboard.press("Escape");

    const log = await serverLog(server.url);
    const id = log.find((e) => e.name === "createIssue" && e.args.title === title).args.id;
    const mine = log.filter((e) => e.args.id === id);
    assert.deepEqual(mine.map((e) => e.name), ["createIssue", "updateIssueStatus", "updateIssue"]);
    assert.equal(mine[1].args.status, "in progress");
    assert.deepEqual(Object.keys(mine[2].args).sort(), ["description", "id", "updatedAt"]);
  } finally {
    await profile.close();
  }
});

test("the URL's search and the keyboard work while the engine starts", async () => {
  const marker = randomUUID().slice(0, 8);
  await pushAs(server.url, randomUUID(), [{
    name: "createIssue",
    args: { id: randomUUID(), title: "Elsewhere, not searched for", description: "", owner: "o", createdAt: Date.now() },
  }]);
  const { profile, page } = await slowStart({ path: `/?q=${marker}` });
  try {
    assert.equal(await syncLabel(page), "Starting…");
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    const title = `Typed at once ${marker}`;
    await page.keyboard.type(title);
    await page.keyboard.press("Control+Enter");
    assert.equal(await page.getByRole("dialog").count(), 0);
    await waiting(page).getByRole("button", { name: title, exact: true }).waitFor();

    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start and sync");
    await eventually(async () => JSON.stringify(await titles(page)) === JSON.stringify([title]), "the list the URL asks for");
    assert.equal(await page.getByRole("searchbox", { name: "Search" }).inputValue(), marker);
  } finally {
    await profile.close();
  }
});

test("when the engine cannot start the page says so and keeps the changes on screen as not saved", async () => {
  const { profile, page } = await slowStart({ fail: true });
  try {
    await page.getByRole("alert").filter({ hasText: "The tracker could not start" }).waitFor();
    assert.equal(await syncLabel(page), "Not running");
    const title = unique("Not saved anywhere");
    await createIssue(page, title);
    await unsent(page, "Not saved").getByRole("button", { name: title, exact: true }).waitFor();
    assert.match(await unsent(page, "Not saved").textContent(), /1 change/);
    const log = await serverLog(server.url);
    assert.equal(log.filter((e) => e.args.title === title).length, 0);
  } finally {
    await profile.close();
  }
});

test("a page whose remembered member changed while it loaded stops, rather than act as the other member", async () => {
  const profile = await launchProfile();
  try {
    const first = await openTracker(profile, server.url);
    const remembered = await first.evaluate(() => localStorage.getItem("tracker.session"));
    assert.ok(remembered, "the tracker remembers who is signed in");
    await first.close();
    // boot.js, which reads the session first, finds another member of this workspace (as if
    // someone else signed in on this browser at that moment); the UI then finds the real one.
    const other = JSON.parse(remembered);
    other.member.id = randomUUID();
    // Once: the reload below reads the real one.
    await profile.addInitScript((forged) => {
      const getItem = Storage.prototype.getItem;
      Storage.prototype.getItem = function (key) {
        if (key === "tracker.session" && !sessionStorage.getItem("forged")) {
          sessionStorage.setItem("forged", "yes");
          return forged;
        }
        return getItem.call(this, key);
      };
    }, JSON.stringify(other));
    const page = await profile.newPage();
    await page.goto(server.app);
    await page.getByRole("alert").filter({ hasText: "opened as the member signed in before; reload it" }).waitFor();
    assert.equal(await syncLabel(page), "Not running");
    const title = unique("Not made as another member");
    await createIssue(page, title);
    await unsent(page, "Not saved").getByRole("button", { name: title, exact: true }).waitFor();
    assert.equal((await serverLog(server.url)).filter((e) => e.args.title === title).length, 0);

    // A reload opens as the member signed in, with the list.
    await page.reload();
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start and sync");
    assert.equal(await page.getByRole("alert").filter({ hasText: "could not start" }).count(), 0);
  } finally {
    await profile.close();
  }
});

test("a start shows the rows this member saw last at once, and none for another filter, a stopped engine or once signed out", async () => {
  // No service worker: its cache would serve the engine's wasm past the route that holds it back.
  const profile = await launchProfile({ serviceWorkers: "block" });
  try {
    const page = await openTracker(profile, server.url);
    const title = unique("Kept from the last visit");
    await createIssue(page, title);
    await issueList(page).getByRole("button", { name: title, exact: true }).waitFor();
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to sync");

    // The engine's wasm held back: the rows seen last are on the page before the engine runs.
    let hold = 3_000;
    let fail = false;
    await profile.route("**/pkg/engine_bg.wasm", async (route) => {
      if (fail) return route.abort("failed");
      await sleep(hold);
      await route.continue();
    });
    await page.reload();
    await issueList(page).getByRole("button", { name: title, exact: true }).waitFor({ timeout: 2_000 });
    assert.equal(await syncLabel(page), "Starting…", "shown before the engine ran");
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start and sync");
    assert.equal(await issueList(page).getByRole("button", { name: title, exact: true }).count(), 1, "the engine's view has it too");

    // Another filter: nothing was kept for it, so the list waits for the engine.
    await page.goto(`${server.app}?q=${encodeURIComponent(title)}`);
    await issueList(page).getByText("Loading…").waitFor({ timeout: 2_000 });
    assert.equal(await syncLabel(page), "Starting…");
    await issueList(page).getByRole("button", { name: title, exact: true }).waitFor();

    // An engine that cannot start: the kept rows are not shown as if they were the list.
    await page.goto(server.app);
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start and sync");
    fail = true;
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "The tracker could not start" }).waitFor();
    await issueList(page).getByText("The list is not available").waitFor();
    assert.equal(await issueList(page).getByRole("listitem").count(), 0);
    const all = page.getByRole("radiogroup", { name: "Status" }).getByRole("radio", { name: "All" });
    assert.equal(await all.getAttribute("aria-description"), "0 issues", "nor the kept counts");

    // Signed out (the session cookie gone): the rows are forgotten with the session.
    fail = false;
    hold = 0;
    await profile.clearCookies();
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "You are signed out here" }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem("tracker.firstScreen")), null);
    assert.equal(await page.evaluate(() => localStorage.getItem("tracker.session")), null);
  } finally {
    await profile.close();
  }
});

test("leaving the page while a change is not yet in the engine asks first, and not after", async () => {
  const { profile, page } = await slowStart({ delay: 4_000 });
  try {
    const title = unique("Not yet in the engine");
    await createIssue(page, title);
    const asked = new Promise((resolve) => page.once("dialog", resolve));
    await page.close({ runBeforeUnload: true });
    const dialog = await asked;
    assert.equal(dialog.type(), "beforeunload");
    await dialog.dismiss();
    assert.equal(page.isClosed(), false, "the person chose to stay");
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start and sync", 30_000);
    await eventually(async () => (await serverLog(server.url)).some((e) => e.args.title === title), "the change on the server");

    let askedAgain = false;
    page.once("dialog", (d) => {
      askedAgain = true;
      d.accept();
    });
    const closed = new Promise((resolve) => page.once("close", resolve));
    await page.close({ runBeforeUnload: true });
    await closed;
    assert.equal(askedAgain, false, "nothing left to lose: no question");
  } finally {
    await profile.close();
  }
});

test("accessibility: no axe-core violation on any screen, light or dark", async () => {
  const screens = [];
  const check = async (page, name) => {
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      screens.push([`${name}, ${scheme}`, await audit(page)]);
    }
  };
  const { profile, page } = await slowStart({ delay: 4_000 });
  try {
    await createIssue(page, unique("Held while starting"));
    await check(page, "starting, with a held change");
    await eventually(async () => (await syncLabel(page)) === "Live", "the engine to start");
    const statuses = [unique("Audit done"), unique("Audit in progress"), unique("Audit not started")];
    for (const title of statuses) await createIssue(page, title, "Something to read.");
    const status = (title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) })
      .getByRole("button", { name: /^Status:/ });
    await status(statuses[0]).click();
    await status(statuses[0]).click();
    await status(statuses[1]).click();
    await eventually(async () => (await syncLabel(page)) === "Live", "the changes to sync");
    await check(page, "the list, a row selected");
    await page.getByRole("button", { name: statuses[1], exact: true }).click();
    await page.getByRole("dialog").waitFor();
    await check(page, "the edit dialog");
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await check(page, "the delete confirmation");
    await page.keyboard.press("Escape");
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "title" }).waitFor();
    await check(page, "the new-issue dialog with an error");
    await page.getByLabel("Title").fill("Typed, then Esc");
    await page.keyboard.press("Escape");
    await page.getByRole("alertdialog", { name: "Discard your changes?" }).waitFor();
    await check(page, "the discard question");
    await page.keyboard.press("Escape");

    // An edit draft, with the issue changed meanwhile by someone else.
    const drafted = statuses[2];
    await page.getByRole("button", { name: drafted, exact: true }).click();
    await page.getByLabel("Title").fill(`${drafted} (draft)`);
    await page.mouse.click(5, 5);
    const id = (await serverLog(server.url)).find((e) => e.name === "createIssue" && e.args.title === drafted).args.id;
    await pushAs(server.url, randomUUID(), [{
      name: "updateIssue", args: { id, description: "Changed by someone else.", updatedAt: Date.now() },
    }]);
    await eventually(async () => {
      await page.getByRole("button", { name: drafted, exact: true }).click();
      const shown = (await page.getByRole("note", { name: "Changed meanwhile" }).count()) > 0;
      if (!shown) await page.mouse.click(5, 5);
      return shown;
    }, "the change shown beside the draft");
    await check(page, "an edit draft, changed meanwhile");
    await page.mouse.click(5, 5);
    await check(page, "the list with a draft mark");
  } finally {
    await profile.close();
  }
  const failed = await slowStart({ fail: true });
  try {
    await failed.page.getByRole("alert").filter({ hasText: "could not start" }).waitFor();
    await createIssue(failed.page, unique("Not saved"));
    await check(failed.page, "the engine could not start, a change not saved");
  } finally {
    await failed.profile.close();
  }
  const violations = screens.filter(([, found]) => found.length > 0);
  assert.deepEqual(violations, [], "screens with accessibility violations");
  assert.equal(screens.length, 18);
});
