// Schema version 2 in the browser: priority, assignee, labels and a comment thread made in one
// profile appear in another; an issue's page has its own address, which opens cold (a new profile,
// a permalink to a comment lands on it); filters and sorts live in the URL; the keyboard moves
// between issues and assigns; and only a comment's author (or the owner) may change it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, titles, createIssue, pushAs, eventually, unique,
  signIn, join, waitForList, auditBothSchemes,
} from "./harness.mjs";

const server = serverForThisFile();

const issueButton = (page, title) => page.getByRole("button", { name: title, exact: true });
const row = (page, title) => page.locator(".row", { has: issueButton(page, title) });

/** A profile signed in as a new member called `name`. */
async function profile(name) {
  const context = await launchProfile({ signIn: false });
  context.member = await join(server, name);
  await signIn(context, server, context.member);
  return context;
}

test("labels, an assignee and a comment thread made in one profile appear in the other", async () => {
  const ada = await profile("Ada");
  const grace = await profile("Grace");
  try {
    const a = await openTracker(ada, server.url);
    const g = await openTracker(grace, server.url);
    const title = unique("Login fails");

    // Ada makes the issue with a priority, an assignee and a new label, all from the dialog.
    await a.getByRole("button", { name: "New issue" }).click();
    const dialog = a.getByRole("dialog");
    await dialog.getByLabel("Title").fill(title);
    await dialog.getByLabel("Priority").selectOption({ label: "High" });
    await eventually(async () => (await dialog.getByLabel("Assignee").locator("option", { hasText: "Grace" }).count()) === 1, "Grace among the members");
    await dialog.getByLabel("Assignee").selectOption({ label: "Grace" });
    await dialog.getByLabel("New label").fill("Bug");
    await dialog.getByRole("button", { name: "Create label" }).click();
    await dialog.getByRole("list", { name: "Labels on this issue" }).getByText("Bug").waitFor();
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await eventually(async () => /High.*Bug.*Assigned to Grace/s.test(await row(a, title).textContent()), "Ada's row");

    // Grace sees all of it in her list.
    await eventually(async () => /High.*Bug.*Assigned to Grace/s.test((await row(g, title).textContent()) ?? ""), "Grace's row", 30_000);

    // Ada opens the issue's page and starts the thread; Grace answers from hers.
    await a.getByRole("link", { name: `Open issue: ${title}` }).click();
    await a.getByRole("heading", { level: 2, name: title }).waitFor();
    // Its address is its number once the server gave it one (TES-1), its id until then.
    assert.match(a.url(), new RegExp(`/w/${server.workspace}/issue/([0-9a-f-]{36}|[A-Z]{2,5}-[0-9]+)$`));
    await a.getByLabel("Add a comment").fill("Seen on the staging server too.");
    await a.getByRole("button", { name: "Comment", exact: true }).click();
    await a.getByRole("listitem", { name: "Comment by Ada" }).waitFor();

    await g.getByRole("link", { name: `Open issue: ${title}` }).click();
    const adas = g.getByRole("listitem", { name: "Comment by Ada" });
    await eventually(async () => /staging server/.test(await adas.textContent()), "Ada's comment on Grace's page", 30_000);
    // Grace is neither its author nor the owner: she may not change it.
    assert.equal(await adas.getByRole("button", { name: "Edit comment" }).count(), 0);
    // Text no rule allows (a control character) is refused beside the field and stays there.
    await g.getByLabel("Add a comment").fill("I can reproduce it.\u0007");
    await g.getByRole("button", { name: "Comment", exact: true }).click();
    await g.getByRole("alert").filter({ hasText: "control characters" }).waitFor();
    assert.equal(await g.getByLabel("Add a comment").inputValue(), "I can reproduce it.\u0007");
    await g.getByLabel("Add a comment").fill("I can reproduce it.");
    await g.keyboard.press("Control+Enter");
    const graces = a.getByRole("listitem", { name: "Comment by Grace" });
    await eventually(async () => /reproduce/.test(await graces.textContent()), "Grace's reply on Ada's page", 30_000);
    // Oldest first.
    // (The history's lines sit between them, unnamed.)
    const order = await a.getByRole("listitem", { name: /^Comment by / }).evaluateAll((items) => items.map((i) => i.getAttribute("aria-label")));
    assert.deepEqual(order, ["Comment by Ada", "Comment by Grace"]);

    // Ada edits her comment; Grace removes the label from her page; each sees the other's change.
    await a.getByRole("listitem", { name: "Comment by Ada" }).getByRole("button", { name: "Edit comment" }).click();
    await a.getByLabel("Edit comment").fill("Seen on staging and production.");
    await a.getByRole("button", { name: "Save comment" }).click();
    await eventually(async () => /production/.test(await adas.textContent()) && /edited/.test(await adas.textContent()), "the edit on Grace's page", 30_000);
    await g.getByRole("button", { name: "Remove label Bug" }).click();
    await eventually(async () => (await a.getByRole("list", { name: "Labels on this issue" }).getByText("Bug").count()) === 0, "the label gone on Ada's page", 30_000);

    // The issue page with its thread, light and dark, and the list with chips and filters.
    const screens = [];
    await auditBothSchemes(a, "issue page", screens);
    await a.getByRole("button", { name: "← All issues" }).click();
    await waitForList(a);
    await auditBothSchemes(a, "list with labels", screens);
    assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "no accessibility violation");
  } finally {
    await ada.close();
    await grace.close();
  }
});

test("a permalink to a comment opened cold in a new profile lands on the comment", async () => {
  // An issue with a long thread, made outside any browser.
  const issue = randomUUID();
  const title = unique("Long thread");
  const comments = Array.from({ length: 40 }, () => randomUUID());
  await pushAs(server.url, randomUUID(), [
    { name: "createIssue", args: { id: issue, title, description: "", owner: "owner", createdAt: Date.now() } },
    ...comments.map((id, n) => ({
      name: "addComment",
      args: { id, issueId: issue, body: `Comment number ${n}\n${"with a few lines\n".repeat(4)}`, createdAt: Date.now() + n },
    })),
  ]);
  const target = comments[31];
  const fresh = await launchProfile();
  try {
    const page = await fresh.newPage();
    await page.goto(`${server.app}/issue/${issue}#comment-${target}`);
    const landed = page.locator(`#comment-${target}`);
    await landed.waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { level: 2, name: title }).waitFor();
    assert.equal(await landed.getAttribute("aria-current"), "location");
    await eventually(async () => landed.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }), "the linked comment on screen");
    assert.match(await landed.textContent(), /Comment number 31/);
    // A reload of the same address opens the same page, from this browser's replica: offline too.
    await page.reload();
    await page.getByRole("heading", { level: 2, name: title }).waitFor({ timeout: 30_000 });
    await fresh.setOffline(true);
    await page.reload();
    await page.getByRole("heading", { level: 2, name: title }).waitFor({ timeout: 30_000 });
    assert.match(await landed.textContent(), /Comment number 31/);
    await fresh.setOffline(false);
    // Back goes to the list.
    await page.getByRole("button", { name: "← All issues" }).click();
    await waitForList(page);
    assert.ok((await titles(page)).includes(title));
  } finally {
    await fresh.close();
  }
});

test("filters and sort live in the URL, and the keyboard moves between issues and assigns", async () => {
  const me = await profile("Kay");
  try {
    const page = await openTracker(me, server.url);
    const tag = unique("Sortable");
    const [low, urgent, plain] = [`${tag} low`, `${tag} urgent`, `${tag} plain`];
    for (const title of [low, urgent, plain]) await createIssue(page, title);
    for (const [title, priority] of [[low, "Low"], [urgent, "Urgent"]]) {
      await issueButton(page, title).click();
      await page.getByRole("dialog").getByLabel("Priority").selectOption({ label: priority });
      await page.getByRole("button", { name: "Save", exact: true }).click();
    }
    // `/` searches; then most urgent first, and only the urgent ones: both in the address.
    await page.keyboard.press("/");
    await page.keyboard.type(tag);
    await eventually(async () => (await titles(page)).length === 3, "the three issues");
    await page.getByLabel("Sort", { exact: true }).selectOption({ label: "Most urgent" });
    await eventually(async () => (await titles(page)).join("|") === [urgent, low, plain].join("|"), "most urgent first");
    await page.getByLabel("Filter by priority").selectOption({ label: "Urgent" });
    await eventually(async () => (await titles(page)).join("|") === urgent, "only the urgent one");
    assert.match(page.url(), /sort=priority/);
    assert.match(page.url(), /priority=urgent/);
    // The address reopens the same view in another tab.
    const again = await me.newPage();
    await again.goto(page.url());
    await waitForList(again);
    await eventually(async () => (await titles(again)).join("|") === urgent, "the same view from the address");
    await again.close();
    await page.getByRole("button", { name: "Remove filter Priority: Urgent" }).click();
    await eventually(async () => (await titles(page)).length === 3, "the filter removed");

    // On an issue's page, j and k move through the list's order; `a` assigns it to me.
    await page.getByRole("link", { name: `Open issue: ${urgent}` }).click();
    await page.getByRole("heading", { level: 2, name: urgent }).waitFor();
    await page.keyboard.press("j");
    await page.getByRole("heading", { level: 2, name: low }).waitFor();
    await page.keyboard.press("a");
    await eventually(async () => (await page.getByLabel("Assignee").inputValue()) === me.member.member, "assigned to me");
    await page.keyboard.press("k");
    await page.getByRole("heading", { level: 2, name: urgent }).waitFor();
    await page.keyboard.press("Escape");
    await waitForList(page);
    await eventually(async () => /Assigned to Kay/.test(await row(page, low).textContent()), "the assignee in the list");
    // Filter by assignee: mine only.
    await page.getByLabel("Filter by assignee").selectOption({ label: "Kay" });
    await eventually(async () => (await titles(page)).join("|") === low, "only the issue assigned to me");
  } finally {
    await me.close();
  }
});

test("a label's colour reaches the page, and a word longer than the screen wraps on the issue page", async () => {
  const issue = randomUUID();
  const label = randomUUID();
  const long = "x".repeat(186);
  const word = "https://example.com/" + "a1b2c3d4".repeat(32);
  await pushAs(server.url, randomUUID(), [
    { name: "createLabel", args: { id: label, name: unique("Red"), color: "#d73a4a", createdAt: Date.now() } },
    { name: "createIssue", args: { id: issue, title: long, description: word, owner: "Ada", createdAt: Date.now() } },
    { name: "addIssueLabel", args: { issueId: issue, labelId: label, updatedAt: Date.now() } },
    { name: "addComment", args: { id: randomUUID(), issueId: issue, body: `See ${word}`, createdAt: Date.now() } },
  ]);
  const context = await profile("Wide");
  try {
    const page = await openTracker(context, server.url);
    const dot = row(page, long).locator(".label-chip .dot circle");
    await dot.waitFor();
    // The computed colour, not only the markup: an inline style would be blocked by the CSP.
    assert.equal(await dot.evaluate((circle) => getComputedStyle(circle).fill), "rgb(215, 58, 74)");
    for (const width of [1280, 390, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${server.url}/w/${server.workspace}/issue/${issue}`);
      await page.getByRole("heading", { level: 2, name: long }).waitFor();
      await page.getByRole("listitem", { name: /^Comment by/ }).waitFor();
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      assert.ok(fits, `nothing spills sideways at ${width} px`);
      const edit = await page.getByRole("button", { name: "Edit", exact: true }).boundingBox();
      assert.ok(edit && edit.x + edit.width <= width, `the Edit button is on screen at ${width} px`);
    }
  } finally {
    await context.close();
  }
});
