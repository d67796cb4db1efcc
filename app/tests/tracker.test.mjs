// The tracker in real headless Chromium, against the real worker under `wrangler dev` on a fresh
// local D1. Two profiles are two users; tabs of one profile share its storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  root, serverForThisFile, launchProfile, openTracker, waitForList, titles, createIssue, serverLog, pushAs,
  eventually, unique, syncLabel, sleep, auditBothSchemes, setUp, signIn,
} from "./harness.mjs";

const server = serverForThisFile();

const row = (page, title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });

async function openIssue(page, title) {
  await page.getByRole("button", { name: title, exact: true }).click();
  await page.getByRole("dialog").waitFor();
}

test("an issue and its edits, status changes and deletion reach the other profile within seconds", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const [pa, pb] = await Promise.all([openTracker(a, server.url), openTracker(b, server.url)]);
    const title = unique("Shared");
    await createIssue(pa, title, "Made in profile A");
    await eventually(async () => (await titles(pb)).includes(title), "B to show the new issue");

    const edited = `${title} (edited)`;
    await openIssue(pa, title);
    await pa.getByLabel("Title").fill(edited);
    await pa.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => (await titles(pb)).includes(edited), "B to show the edit");
    assert.ok(!(await titles(pb)).includes(title));

    await row(pa, edited).getByRole("button", { name: /^Status: Not started/ }).click();
    await eventually(
      async () => (await row(pb, edited).locator(".status").textContent()) === "In progress",
      "B to show the status change",
    );

    await openIssue(pb, edited);
    await pb.getByLabel("Description").fill("Described in B");
    await pb.getByRole("button", { name: "Save", exact: true }).click();
    await openIssue(pb, edited);
    await pb.getByRole("button", { name: "Delete", exact: true }).click();
    await pb.getByRole("button", { name: "Delete issue" }).click();
    await eventually(async () => !(await titles(pa)).includes(edited), "A to lose the deleted issue");
    assert.ok(!(await titles(pb)).includes(edited));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("changes made offline survive a reload and reach the other profile exactly once", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const [pa, pb] = await Promise.all([openTracker(a, server.url), openTracker(b, server.url)]);
    await pa.evaluate(() => navigator.serviceWorker.ready);
    const base = unique("Before going offline");
    await createIssue(pa, base);
    await eventually(async () => (await titles(pb)).includes(base), "B to show the first issue");
    await eventually(async () => (await syncLabel(pa)) === "Live", "A to be synced");

    await a.setOffline(true);
    const one = unique("Offline one");
    const two = unique("Offline two");
    await createIssue(pa, one, "written on a train");
    await createIssue(pa, two);
    await row(pa, base).getByRole("button", { name: /^Status:/ }).click();
    await eventually(async () => /Offline · 3 pending/.test(await syncLabel(pa)), "A to say it is offline with 3 pending");
    // Headless Chromium refuses persistent storage: the page says what that risks, while it does.
    const risk = pa.getByRole("note").filter({ hasText: "may clear changes that are not synced yet (3 changes now)" });
    await risk.waitFor();

    // Chromium's offline emulation can let a reloading page's new Web Worker through for a moment
    // (a request nothing in the page sees): with the server down as well, the reload is offline.
    await server.down();
    await pa.reload();
    await waitForList(pa);
    for (const title of [one, two, base]) assert.ok((await titles(pa)).includes(title), `${title} after the reload`);
    await eventually(async () => /Offline · 3 pending/.test(await syncLabel(pa)), "the 3 changes still pending after the reload");
    await server.up();
    await sleep(2_000);
    assert.ok(!(await serverLog(server.url)).some((e) => e.args.title === one), "nothing reached the server while A was offline");
    assert.ok(!(await titles(pb)).includes(one), "nor B");

    await a.setOffline(false);
    await eventually(async () => (await syncLabel(pa)) === "Live", "A to sync once online");
    assert.equal(await pa.getByRole("note").filter({ hasText: "may clear changes" }).count(), 0, "nothing at risk now");
    await eventually(async () => {
      const seen = await titles(pb);
      return seen.includes(one) && seen.includes(two);
    }, "B to show both offline issues");
    await eventually(
      async () => (await row(pb, base).locator(".status").textContent()) === "In progress",
      "B to show the offline status change",
    );
    const log = await serverLog(server.url);
    const created = (title) => log.filter((e) => e.name === "createIssue" && e.args.title === title).length;
    assert.equal(created(one), 1);
    assert.equal(created(two), 1);
    const baseId = log.find((e) => e.name === "createIssue" && e.args.title === base).args.id;
    assert.equal(log.filter((e) => e.name === "updateIssueStatus" && e.args.id === baseId).length, 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("an offline edit of the title and an online edit of the description of one issue both survive", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const [pa, pb] = await Promise.all([openTracker(a, server.url), openTracker(b, server.url)]);
    const title = unique("Edited twice");
    await createIssue(pa, title, "the original description");
    await eventually(async () => (await titles(pb)).includes(title), "B to show the issue");
    await eventually(async () => (await syncLabel(pa)) === "Live", "A to be synced");

    await a.setOffline(true);
    const retitled = `${title} (retitled offline)`;
    await openIssue(pa, title);
    await pa.getByLabel("Title").fill(retitled);
    await pa.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => /Offline · 1 pending/.test(await syncLabel(pa)), "A's edit pending offline");

    await openIssue(pb, title);
    await pb.getByLabel("Description").fill("described online by B");
    await pb.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => (await syncLabel(pb)) === "Live", "B's edit to reach the server");

    await a.setOffline(false);
    for (const page of [pa, pb]) {
      // A shows its own title at once; Live says it has also pulled what B did meanwhile.
      await eventually(async () => (await titles(page)).includes(retitled), "the offline title everywhere");
      await eventually(async () => (await syncLabel(page)) === "Live", "every change pulled");
      await openIssue(page, retitled);
      assert.equal(await page.getByLabel("Description").inputValue(), "described online by B");
      await page.keyboard.press("Escape");
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("two tabs of one profile edit at once and converge with each other and the server", async () => {
  const a = await launchProfile();
  const b = await launchProfile();
  try {
    const tab1 = await openTracker(a, server.url);
    const tab2 = await openTracker(a, server.url);
    const observer = await openTracker(b, server.url);
    const first = unique("From tab one");
    const second = unique("From tab two");
    await Promise.all([createIssue(tab1, first), createIssue(tab2, second)]);
    for (const page of [tab1, tab2, observer]) {
      await eventually(async () => {
        const seen = await titles(page);
        return seen.includes(first) && seen.includes(second);
      }, "every tab to show both issues");
    }
    await row(tab2, first).getByRole("button", { name: /^Status:/ }).click();
    await row(tab1, second).getByRole("button", { name: /^Status:/ }).click();
    for (const page of [tab1, tab2, observer]) {
      for (const title of [first, second]) {
        await eventually(
          async () => (await row(page, title).locator(".status").textContent()) === "In progress",
          `${title} in progress everywhere`,
        );
      }
    }
    const log = await serverLog(server.url);
    assert.equal(log.filter((e) => e.name === "createIssue" && [first, second].includes(e.args.title)).length, 2);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("changes left pending by tabs that closed offline are pushed by a later tab", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const keeper = await openTracker(a, server.url);
    const closing = [await openTracker(a, server.url), await openTracker(a, server.url)];
    const observer = await openTracker(b, server.url);
    await a.setOffline(true);
    const left = [unique("Left behind one"), unique("Left behind two")];
    for (const [page, title] of closing.map((page, i) => [page, left[i]])) {
      await createIssue(page, title);
      await eventually(async () => /1 pending/.test(await syncLabel(page)), "the change pending in its tab");
      await page.close();
    }
    await a.setOffline(false);
    // The tab that stays reloads: its engine starts again and looks for storage left behind.
    await keeper.reload();
    await waitForList(keeper);
    await eventually(async () => {
      const seen = await titles(observer);
      return left.every((title) => seen.includes(title));
    }, "the other profile to get both left-behind changes", 30_000);
    const log = await serverLog(server.url);
    for (const title of left) {
      assert.equal(log.filter((e) => e.name === "createIssue" && e.args.title === title).length, 1, title);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("without device storage the tracker runs in memory, says so, and still syncs", async () => {
  // Sixteen tabs hold the sixteen storage slots; the seventeenth has none left.
  const a = await launchProfile();
  try {
    const tabs = [];
    for (let i = 0; i < 16; i++) tabs.push(await openTracker(a, server.url));
    for (const tab of tabs) assert.equal(await tab.getByRole("note").count(), 0, "tabs with a slot say nothing");
    const last = await openTracker(a, server.url);
    const note = last.getByRole("note");
    await eventually(async () => (await note.count()) === 1, "the in-memory notice");
    assert.match(await note.textContent(), /Not saved on this device: no free storage slot/);
    const title = unique("From memory");
    await createIssue(last, title);
    await eventually(async () => (await titles(tabs[0])).includes(title), "a slot tab to get the in-memory tab's issue");
  } finally {
    await a.close();
  }
});

test("a change the server rejects shows its message and disappears from the list", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    // Another client takes an issue id first, while this profile is offline and cannot know it.
    await a.setOffline(true);
    const id = randomUUID();
    await pushAs(server.url, randomUUID(), [{
      name: "createIssue",
      args: { id, title: unique("Taken first"), description: "", owner: "someone else", createdAt: Date.now() },
    }]);
    const doomed = unique("Doomed");
    await page.evaluate(
      ([id, title]) => window.trackerEngine.postMessage(JSON.stringify({
        type: "mutate",
        mutation: { name: "createIssue", args: { id, title, description: "", owner: "me", createdAt: Date.now() } },
      })),
      [id, doomed],
    );
    await eventually(async () => (await titles(page)).includes(doomed), "the optimistic issue");
    await a.setOffline(false);
    const alert = page.getByRole("alert").filter({ hasText: "rejected" });
    await eventually(async () => (await alert.count()) > 0, "the rejection notice");
    assert.match(await alert.first().textContent(), new RegExp(`an issue with the id ${id} already exists`));
    await eventually(async () => !(await titles(page)).includes(doomed), "the rejected issue to disappear");
  } finally {
    await a.close();
  }
});

test("the keyboard flow: c, a title, Enter, a description, Ctrl+Enter", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    await createIssue(page, unique("Below the typed one"));
    const title = unique("Typed");
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.type(title);
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), "TEXTAREA");
    await page.keyboard.type("Line one");
    await page.keyboard.press("Control+Enter");
    await eventually(async () => (await titles(page)).includes(title), "the typed issue in the list");
    assert.equal(await page.getByRole("dialog").count(), 0);

    // The new issue is selected; arrows move the selection, Enter opens it, Esc closes.
    const list = await titles(page);
    assert.equal(list[0], title);
    assert.equal(await page.locator(".row.selected .title").textContent(), title);
    const openSelected = async () => {
      await page.keyboard.press("Enter");
      await page.getByRole("dialog").waitFor();
      const shown = await page.getByLabel("Title").inputValue();
      await page.keyboard.press("Escape");
      assert.equal(await page.getByRole("dialog").count(), 0);
      return shown;
    };
    await page.keyboard.press("ArrowDown");
    assert.equal(await openSelected(), list[1]);
    await page.keyboard.press("ArrowUp");
    assert.equal(await openSelected(), list[0]);

    // Shortcuts still work with focus on a button, as after a click on a row's status.
    await row(page, list[1]).getByRole("button", { name: /^Status:/ }).click();
    await page.keyboard.press("c");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
  } finally {
    await a.close();
  }
});

test("the status filter and the search live in the URL", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    const marker = randomUUID().slice(0, 8);
    await createIssue(page, `Filter done ${marker}`);
    await createIssue(page, `Filter open ${marker}`);
    await row(page, `Filter done ${marker}`).getByRole("button", { name: /^Status: Not started/ }).click();
    await row(page, `Filter done ${marker}`).getByRole("button", { name: /^Status: In progress/ }).click();
    await page.getByRole("radio", { name: "Done", exact: true }).click();
    await page.getByRole("searchbox", { name: "Search" }).fill(marker);
    await eventually(async () => JSON.stringify(await titles(page)) === JSON.stringify([`Filter done ${marker}`]), "the filtered list");
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("status"), "done");
    assert.equal(url.searchParams.get("q"), marker);

    const linked = await openTracker(a, page.url());
    await eventually(async () => JSON.stringify(await titles(linked)) === JSON.stringify([`Filter done ${marker}`]), "the same list from the link");
    assert.equal(await linked.getByRole("radio", { name: "Done", exact: true }).getAttribute("aria-checked"), "true");
  } finally {
    await a.close();
  }
});

test("screenshots of the main screens: light, dark and phone width", async () => {
  const dir = join(root, "target/screenshots");
  mkdirSync(dir, { recursive: true });
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    for (const [title, description] of [
      ["Login fails on Safari", "Steps: open the login page, type the password, press Enter."],
      ["Dark mode for the settings page", ""],
      ["Export issues as CSV", "Finance wants a monthly export."],
    ]) {
      await createIssue(page, title, description);
    }
    await row(page, "Export issues as CSV").getByRole("button", { name: /^Status:/ }).click();
    await page.screenshot({ path: join(dir, "list-light.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(dir, "list-dark.png") });
    await openIssue(page, "Login fails on Safari");
    await page.screenshot({ path: join(dir, "dialog-dark.png") });
    await page.keyboard.press("Escape");
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: join(dir, "list-phone.png") });
    // At phone width nothing spills sideways.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  } finally {
    await a.close();
  }
});

test("the README's picture: a team's workspace at desktop width, light, every change saved", async () => {
  // Written to docs/ only when asked (TRACKER_UPDATE_SCREENSHOT=1), so a test run leaves the
  // checkout as it was; otherwise to target/screenshots/.
  const owner = await setUp(server.url, "Acme web", "Ada Lovelace");
  const grace = { ...owner };
  const at = Date.now() - 3 * 24 * 3600 * 1000;
  const labels = { bug: randomUUID(), design: randomUUID(), backend: randomUUID() };
  const issues = [
    ["Checkout button does nothing on Safari 17", "in progress", "urgent", ["bug"]],
    ["Dark mode for the settings page", "not started", "medium", ["design"]],
    ["Export issues as CSV for the finance team", "not started", "low", ["backend"]],
    ["Rate-limit the password reset endpoint", "in progress", "high", ["backend", "bug"]],
    ["New onboarding checklist", "not started", "none", ["design"]],
    ["Search ignores accents (café, cafe)", "done", "medium", ["bug"]],
    ["Nightly backup of the database to R2", "done", "high", ["backend"]],
  ];
  const mutations = [
    ...Object.entries(labels).map(([name, id], i) => ({
      name: "createLabel", args: { id, name: name[0].toUpperCase() + name.slice(1), color: ["#d73a4a", "#a371f7", "#1f883d"][i], createdAt: at },
    })),
  ];
  issues.forEach(([title, status, priority, tags], i) => {
    const id = randomUUID();
    const createdAt = at + i * 3600 * 1000;
    mutations.push({ name: "createIssue", args: { id, title, description: "", owner: "Ada Lovelace", status, createdAt } });
    mutations.push({ name: "setIssuePriority", args: { id, priority, updatedAt: createdAt } });
    if (i % 2 === 0) mutations.push({ name: "assignIssue", args: { id, assignee: grace.member, updatedAt: createdAt } });
    for (const tag of tags) mutations.push({ name: "addIssueLabel", args: { issueId: id, labelId: labels[tag], updatedAt: createdAt } });
  });
  await pushAs(server.url, randomUUID(), mutations, 1, owner);
  const a = await launchProfile({ signIn: false, viewport: { width: 1280, height: 560 } });
  try {
    await signIn(a, server, owner);
    const page = await openTracker(a, `${server.url}/w/${owner.workspace}`);
    await eventually(async () => (await titles(page)).length === issues.length, "every issue listed");
    await eventually(async () => (await syncLabel(page)) === "Live", "every change saved, live");
    const dir = join(root, "target/screenshots");
    mkdirSync(dir, { recursive: true });
    const path = process.env.TRACKER_UPDATE_SCREENSHOT === "1" ? join(root, "docs/screenshot.png") : join(dir, "readme.png");
    await page.screenshot({ path });
  } finally {
    await a.close();
  }
});

test("? opens the keyboard shortcuts, which name this build's version, as does the inspector", async () => {
  const version = readFileSync(join(root, "app/Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
  const a = await launchProfile();
  const screens = [];
  try {
    const page = await openTracker(a, server.url);
    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await sheet.waitFor();
    assert.match(await sheet.textContent(), new RegExp(`Tracker ${version.replaceAll(".", "\\.")}`));
    for (const [key, what] of [["c", "New issue"], ["/", "Search"], ["?", "This sheet"]]) {
      assert.ok((await sheet.getByRole("definition").allTextContents()).includes(what), what);
      assert.ok((await sheet.getByRole("term").allTextContents()).includes(key), key);
    }
    await auditBothSchemes(page, "keyboard shortcuts", screens);
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
    // The header's button opens the same sheet; the inspector names the version too.
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await sheet.getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: /Live|Connecting|Syncing/ }).click();
    const inspector = page.getByRole("dialog", { name: "Sync inspector" });
    await eventually(async () => (await inspector.textContent()).includes(`Version${version}`), "the inspector's version");
  } finally {
    await a.close();
  }
  assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "accessibility violations");
});

test("the app runs under its Content-Security-Policy without a single violation", async () => {
  const response = await fetch(`${server.url}/`);
  const policy = response.headers.get("content-security-policy") ?? "";
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(policy, /unsafe-inline|'unsafe-eval'/);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");

  const a = await launchProfile();
  try {
    const violations = [];
    const page = await a.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) =>
        console.error(`Refused to: ${event.violatedDirective} ${event.blockedURI}`));
    });
    await page.goto(server.url);
    await waitForList(page);
    // Styles apply (the stylesheet, not an inline style), and everything the app does still runs.
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).margin), "0px");
    const title = unique("Under the policy");
    await createIssue(page, title);
    await eventually(async () => (await titles(page)).includes(title), "the issue in the list");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
    await eventually(async () => (await syncLabel(page)) === "Live", "synced");
    assert.deepEqual(violations, []);
  } finally {
    await a.close();
  }
});

test("a live tab sends no request while idle, visible or hidden, and pulls once when shown again", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    await eventually(async () => (await syncLabel(page)) === "Live", "live");
    const requests = [];
    a.on("request", (request) => {
      if (request.url().includes("/api/")) requests.push({ at: Date.now(), url: request.url() });
    });
    const visibility = (hidden) =>
      page.evaluate((hidden) => {
        Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
        Object.defineProperty(document, "visibilityState", { value: hidden ? "hidden" : "visible", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await sleep(7_000);
    assert.deepEqual(requests, [], "no request from an idle live tab (the timer that polled every 3 s is off)");
    await visibility(true);
    await sleep(7_000);
    assert.deepEqual(requests, [], "nor from a hidden one");
    const shown = Date.now();
    await visibility(false);
    await eventually(async () => requests.some((r) => r.at >= shown && r.url.endsWith("/pull")), "a pull as soon as it is shown", 2_000);
    await sleep(1_000);
    assert.equal(requests.length, 1, "one pull, then quiet again");
    // The timer still runs while the live channel is down; the shared crate's tests show it
    // (a hidden tab: once a minute).
  } finally {
    await a.close();
  }
});
