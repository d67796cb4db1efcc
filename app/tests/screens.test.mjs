// The tracker's screens as a team uses them day to day: the list and the issue page on a phone, names
// for everyone who ever took part, the row's icons, avatars and relative times, the command palette,
// changing many issues at once, a status button clicked quickly, and axe at phone width.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, waitForList, pushAs, serverLog, eventually, unique, setUp, signIn,
  join, api, auditBothSchemes, SETUP_TOKEN,
} from "./harness.mjs";

const server = serverForThisFile();

const HOUR = 3_600_000;
const rowOf = (page, title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });

/** A workspace of its own with `people` members, labels, and issues carrying every property, pushed by
 * its owner: `{ owner, place, members, issues: [{ id, title }] }`. */
async function teamWithIssues(name, { issues = 6, people = ["Grace Hopper"] } = {}) {
  const owner = await setUp(server.url, unique(name), "Olive Owner");
  const place = { ...server, workspace: owner.workspace, owner, app: `${server.url}/w/${owner.workspace}` };
  const members = [];
  for (const person of people) members.push(await join(place, person));
  const [bug, design] = [randomUUID(), randomUUID()];
  const now = Date.now();
  const mutations = [
    { name: "createLabel", args: { id: bug, name: "Bug", color: "#d73a4a", createdAt: now } },
    { name: "createLabel", args: { id: design, name: "Design with a longer name", color: "#8250df", createdAt: now } },
  ];
  const made = [];
  for (let i = 0; i < issues; i++) {
    const id = randomUUID();
    const title = `${["Sync stalls after sleep", "Contrast in dark mode", "Import keeps colours"][i % 3]} ${i}`;
    made.push({ id, title });
    mutations.push(
      { name: "createIssue", args: { id, title, description: "", owner: "Olive Owner", createdAt: now - (i + 1) * 3 * HOUR } },
      { name: "setIssuePriority", args: { id, priority: ["urgent", "high", "medium", "low"][i % 4], updatedAt: now } },
      { name: "addIssueLabel", args: { issueId: id, labelId: bug, updatedAt: now } },
      { name: "addIssueLabel", args: { issueId: id, labelId: design, updatedAt: now } },
      { name: "assignIssue", args: { id, assignee: (members[0] ?? owner).member, updatedAt: now } },
    );
  }
  const client = randomUUID();
  for (let first = 0; first < mutations.length; first += 100) {
    const batch = mutations.slice(first, first + 100).map((m) => ({ ...m, timestamp: now }));
    const answer = await pushAs(server.url, client, batch, first + 1, owner);
    assert.deepEqual(answer.rejected, []);
  }
  return { owner, place, members, issues: made };
}

/** How the page fits a phone: whether it scrolls sideways, and each row's title's share of its row. */
function layout(page) {
  return page.evaluate(() => ({
    sideways: document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth,
    rows: [...document.querySelectorAll("#issue-rows .row")].map((row) => {
      const title = row.querySelector(".title").getBoundingClientRect();
      const box = row.getBoundingClientRect();
      const targets = [...row.querySelectorAll("button, a")]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ name: el.textContent.trim().slice(0, 30), height: el.getBoundingClientRect().height, width: el.getBoundingClientRect().width }));
      return { share: title.width / box.width, right: box.right, targets };
    }),
  }));
}

test("on a phone (360 and 390 px) the list and the issue page fit: no sideways scroll, titles wide, targets 44 px, New issue in reach", async () => {
  const { owner, place, issues } = await teamWithIssues("Phones", { issues: 30 });
  for (const width of [360, 390]) {
    const context = await launchProfile({ signIn: false, viewport: { width, height: 780 }, hasTouch: true, isMobile: true });
    try {
      await signIn(context, place, owner);
      const page = await openTracker(context, place.app);
      await eventually(async () => (await layout(page)).rows.length >= 8, "the rows");
      const fit = await layout(page);
      assert.ok(fit.sideways <= 0, `at ${width} px the list scrolls sideways by ${fit.sideways} px`);
      for (const row of fit.rows) {
        assert.ok(row.share >= 0.4, `at ${width} px a title gets ${(row.share * 100).toFixed(0)}% of its row`);
        assert.ok(row.right <= width, `a row ends at ${row.right} px`);
        for (const target of row.targets) {
          assert.ok(target.height >= 44 && target.width >= 44, `at ${width} px "${target.name}" is ${target.width}x${target.height} px`);
        }
      }
      // The pickers fold away behind "Filters" (the list starts higher); it opens them.
      const toggle = page.getByRole("button", { name: "Filters" });
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      assert.equal(await page.getByRole("combobox", { name: "Filter by label" }).isVisible(), false);
      await toggle.click();
      assert.equal(await toggle.getAttribute("aria-expanded"), "true");
      await page.getByRole("combobox", { name: "Filter by label" }).selectOption({ label: "Bug" });
      assert.equal(await page.getByRole("button", { name: "Filters · 1" }).count(), 1, "the button counts what is chosen");
      assert.ok((await layout(page)).sideways <= 0, `at ${width} px the open filters scroll sideways`);
      await page.getByRole("button", { name: "Remove filter Label: Bug" }).click();
      await toggle.click();
      // New issue stays on the screen, however far down the list is scrolled.
      await page.mouse.wheel(0, 3000);
      await eventually(async () => (await page.evaluate(() => scrollY)) > 500, "scrolled down");
      const button = await page.getByRole("button", { name: "New issue" }).boundingBox();
      assert.ok(button && button.y >= 0 && button.y + button.height <= 780 && button.height >= 44, `New issue at ${JSON.stringify(button)}`);

      // The issue page, the palette, Members and the inspector fit too.
      await page.getByRole("link", { name: `Open issue: ${issues[0].title}` }).click();
      await page.getByRole("heading", { name: issues[0].title }).waitFor();
      await page.getByRole("complementary", { name: "Properties" }).getByLabel("Status").waitFor();
      assert.ok((await layout(page)).sideways <= 0, `at ${width} px the issue page scrolls sideways`);
      for (const [open, name] of [["Commands", "Command palette"], ["Members", "Members"], ["Open the sync inspector", "Sync inspector"]]) {
        await (open.startsWith("Open") ? page.getByTitle(open) : page.getByRole("button", { name: open })).click();
        const dialog = page.getByRole("dialog", { name });
        await dialog.waitFor();
        const box = await dialog.boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= width, `the ${name} dialog spans ${box.x}..${box.x + box.width}`);
        assert.ok((await layout(page)).sideways <= 0, `at ${width} px the ${name} dialog scrolls sideways`);
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });
      }
    } finally {
      await context.close();
    }
  }
});

test("the row: a status icon, a priority icon, label colours, the assignee's avatar, a relative time with the date on hover", async () => {
  const { owner, place, members, issues } = await teamWithIssues("Rows", { issues: 2 });
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    const row = rowOf(page, issues[0].title);
    await row.waitFor();
    assert.equal(await row.locator(".status svg.status-icon").count(), 1, "a status icon");
    assert.equal(await row.locator(".priority").getAttribute("title"), "Priority: Urgent");
    const avatar = row.locator(".avatar");
    assert.equal(await avatar.getAttribute("title"), "Assigned to Grace Hopper");
    assert.equal(await avatar.locator("[aria-hidden=true]").textContent(), "GH");
    // Its colour is one of the eight, the same for the same member on every row.
    const colour = await avatar.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.match(colour, /^rgb\(/);
    assert.equal(await rowOf(page, issues[1].title).locator(".avatar").evaluate((el) => getComputedStyle(el).backgroundColor), colour);
    assert.match(await avatar.evaluate((el) => el.className), new RegExp(`c${BigInt(`0x${members[0].member.replaceAll("-", "")}`) % 8n}`));
    // Created three hours ago: "3 h", the full date on hover.
    const time = row.locator("time.date");
    assert.equal(await time.textContent(), "3 h");
    assert.match(await time.getAttribute("title"), /^Created \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/);
    // The labels' dots show their colours.
    const dots = await row.locator(".label-chip circle").evaluateAll((els) => els.map((el) => getComputedStyle(el).fill));
    assert.deepEqual(dots.sort(), ["rgb(130, 80, 223)", "rgb(215, 58, 74)"]);
  } finally {
    await context.close();
  }
});

test("names: a member who joins is known at once (comments, the assignee picker), one removed keeps their name, marked as gone", async () => {
  const { owner, place, issues } = await teamWithIssues("Names", { issues: 1, people: [] });
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    await page.getByRole("link", { name: `Open issue: ${issues[0].title}` }).click();
    const properties = page.getByRole("complementary", { name: "Properties" });
    await properties.getByLabel("Assignee").waitFor();

    // Someone joins while the page is open; nothing is opened: the picker offers them.
    const newcomer = await join(place, "Nell Newcomer");
    await eventually(
      async () => (await properties.getByLabel("Assignee").locator("option").allTextContents()).includes("Nell Newcomer"),
      "the newcomer in the assignee picker",
    );
    // Their comment shows by name.
    const said = unique("Hello from Nell");
    await pushAs(server.url, randomUUID(), [{ name: "addComment", args: { id: randomUUID(), issueId: issues[0].id, body: said, createdAt: Date.now() } }], 1, newcomer);
    const comment = page.getByRole("listitem", { name: "Comment by Nell Newcomer" });
    await eventually(async () => (await comment.textContent())?.includes(said), "the comment, by name");

    // Removed: still named, marked as gone, here and after a reload.
    const removed = await api(server.url, `/api/workspaces/${owner.workspace}/members/remove`, { body: { memberId: newcomer.member }, cookie: owner.cookie });
    assert.equal(removed.status, 200);
    const gone = page.getByRole("listitem", { name: "Comment by Nell Newcomer (left)" });
    await gone.waitFor({ timeout: 20_000 });
    await page.reload();
    await gone.waitFor({ timeout: 20_000 });
    assert.equal(await page.getByText("someone").count(), 0);
    assert.ok(
      !(await properties.getByLabel("Assignee").locator("option").allTextContents()).some((name) => name.includes("Nell")),
      "someone removed is not offered as an assignee",
    );
  } finally {
    await context.close();
  }
});

test("the command palette: Ctrl+K from anywhere, find an issue by title and open it, change it, all by keyboard", async () => {
  const { owner, place, issues } = await teamWithIssues("Palette", { issues: 40 });
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    await rowOf(page, issues[0].title).waitFor();
    // From the search field too (typing there does not keep it from opening).
    await page.getByPlaceholder("Search titles and descriptions").focus();
    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    const field = palette.getByRole("combobox", { name: "Command or issue" });
    await field.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("role")), "combobox");

    // The oldest issue is far below the list's window: the palette finds it in the whole replica.
    const far = issues.at(-1);
    await page.keyboard.type(far.title);
    // Named by its number and title ("TEA-40 Sync stalls after sleep 39").
    const option = palette.getByRole("option", { name: new RegExp(`^[A-Z]{2,5}-[0-9]+ ${far.title}$`) });
    // While the title is typed, the option shows among others before it is the only one, so it
    // may be found before the render that makes it the active one.
    await eventually(async () => (await option.getAttribute("aria-selected")) === "true", "the only option to be the active one");
    assert.equal(await palette.getByRole("option").count(), 1, "only the issue matches its whole title");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: far.title }).waitFor();
    assert.equal(await palette.count(), 0, "closed once run");

    // On the issue's page: set its priority by typing part of the action.
    await page.keyboard.press("Control+k");
    await field.waitFor();
    await page.keyboard.type("priority no");
    await palette.getByRole("option", { name: "Set priority: No priority" }).waitFor();
    await page.keyboard.press("Enter");
    const properties = page.getByRole("complementary", { name: "Properties" });
    await eventually(async () => (await properties.getByLabel("Priority").inputValue()) === "none", "the priority changed");

    // Arrow keys move the active option; Esc closes and focus is back on the page.
    await page.keyboard.press("Control+k");
    await field.waitFor();
    await page.keyboard.type("status");
    const options = palette.getByRole("option");
    await eventually(async () => (await options.count()) === 2, "two statuses to move to");
    await page.keyboard.press("ArrowDown");
    // The key is handled at once, the page shows it at its next render.
    await eventually(async () => (await options.nth(1).getAttribute("aria-selected")) === "true", "the second option active");
    assert.equal(await options.nth(0).getAttribute("aria-selected"), "false");
    assert.equal(await field.getAttribute("aria-activedescendant"), await options.nth(1).getAttribute("id"));
    const target = (await options.nth(1).textContent()).replace("Set status: ", "");
    await page.keyboard.press("Enter");
    await eventually(
      async () => (await properties.getByLabel("Status").locator("option:checked").textContent()) === target,
      "the status chosen by arrow",
    );
    await page.keyboard.press("Control+k");
    await field.waitFor();
    await page.keyboard.type("no such command at all");
    await palette.getByRole("status").filter({ hasText: "Nothing matches" }).waitFor();
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "detached" });

    // Listed in the shortcuts sheet.
    await page.keyboard.press("?");
    const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    assert.match(await sheet.textContent(), /Ctrl\+K.*Command palette/);
    assert.match(await sheet.textContent(), /Pick the selected issue/);
  } finally {
    await context.close();
  }
});

test("select many: x and Shift extend, the bar changes every picked issue in one push, Esc lets go", async () => {
  const { owner, place, issues } = await teamWithIssues("Bulk", { issues: 5 });
  const context = await launchProfile({ signIn: false });
  const pushes = [];
  context.on("request", (request) => {
    if (request.url().endsWith("/push")) pushes.push(JSON.parse(request.postData() ?? "{}"));
  });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    // Newest first: issues[0] is the first row. Pick it by keyboard, then the third by Shift+x.
    await rowOf(page, issues[4].title).waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("Shift+X");
    const bar = page.getByRole("toolbar", { name: "Change 3 selected issues" });
    await bar.waitFor();
    assert.equal(await bar.getByRole("status").textContent(), "3 selected");
    for (const issue of issues.slice(0, 3)) {
      assert.equal(await page.getByRole("checkbox", { name: `Select ${issue.title}` }).isChecked(), true);
    }
    // A click with Shift on a checkbox extends too; a plain click unpicks.
    await page.getByRole("checkbox", { name: `Select ${issues[4].title}` }).click({ modifiers: ["Shift"] });
    await page.getByRole("toolbar", { name: "Change 5 selected issues" }).waitFor();
    await page.getByRole("checkbox", { name: `Select ${issues[4].title}` }).click();
    await page.getByRole("checkbox", { name: `Select ${issues[3].title}` }).click();
    const three = page.getByRole("toolbar", { name: "Change 3 selected issues" });
    await three.waitFor();

    const before = pushes.length;
    await three.getByLabel("Status").selectOption({ label: "Done" });
    await eventually(async () => {
      for (const issue of issues.slice(0, 3)) {
        if ((await rowOf(page, issue.title).locator(".status").textContent()) !== "Done") return false;
      }
      return true;
    }, "three rows done");
    assert.notEqual(await rowOf(page, issues[3].title).locator(".status").textContent(), "Done", "the unpicked stays");
    await eventually(async () => pushes.slice(before).some((p) => p.mutations?.filter((m) => m.name === "updateIssueStatus").length === 3), "one push with the three");
    const log = await serverLog(server.url, 0, owner);
    const done = log.filter((e) => e.name === "updateIssueStatus" && e.args.status === "done").map((e) => e.args.id);
    assert.deepEqual(done.sort(), issues.slice(0, 3).map((i) => i.id).sort());

    // Assign them all to no one, then delete them after a question.
    await three.getByLabel("Assignee").selectOption({ label: "No one" });
    await eventually(async () => (await rowOf(page, issues[0].title).locator(".avatar").count()) === 0, "unassigned");
    await three.getByRole("button", { name: "Delete…" }).click();
    await three.getByRole("alertdialog", { name: "Delete 3 issues?" }).getByRole("button", { name: "Delete" }).click();
    await eventually(async () => (await rowOf(page, issues[0].title).count()) === 0, "deleted");
    assert.equal(await page.getByRole("toolbar").count(), 0, "nothing picked after a delete");
    assert.equal(await rowOf(page, issues[3].title).count(), 1, "the rest stay");

    // Esc lets go of what is picked.
    await page.getByRole("checkbox", { name: `Select ${issues[3].title}` }).click();
    await page.getByRole("toolbar", { name: "Change 1 selected issue" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("toolbar").waitFor({ state: "detached" });
  } finally {
    await context.close();
  }
});

test("twelve quick clicks on a row's status make twelve changes, each from the one before", async () => {
  const { owner, place, issues } = await teamWithIssues("Clicks", { issues: 1 });
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    const button = rowOf(page, issues[0].title).getByRole("button", { name: /^Status: / });
    await button.waitFor();
    // All twelve in one task: none of them lands after a render.
    await button.evaluate((el) => { for (let i = 0; i < 12; i++) el.click(); });
    await eventually(async () => {
      const log = await serverLog(server.url, 0, owner);
      return log.filter((e) => e.name === "updateIssueStatus" && e.args.id === issues[0].id).length === 12;
    }, "twelve changes at the server");
    const log = await serverLog(server.url, 0, owner);
    const statuses = log.filter((e) => e.name === "updateIssueStatus" && e.args.id === issues[0].id).map((e) => e.args.status);
    const cycle = ["in progress", "done", "not started"];
    assert.deepEqual(statuses, Array.from({ length: 12 }, (_, i) => cycle[i % 3]));
    await eventually(async () => (await button.textContent()) === "Not started", "back where it started");
  } finally {
    await context.close();
  }
});

test("accessibility at phone width: no axe-core violation on the list, picked rows, the palette, members, the account, the inspector, an issue, setup, sign-in", async () => {
  const screens = [];
  const { owner, place, issues } = await teamWithIssues("Phone audit", { issues: 4 });
  const context = await launchProfile({ signIn: false, viewport: { width: 390, height: 844 } });
  try {
    await signIn(context, place, owner);
    const page = await openTracker(context, place.app);
    await rowOf(page, issues[0].title).waitFor();
    await auditBothSchemes(page, "phone: the list", screens);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("checkbox", { name: `Select ${issues[0].title}` }).click();
    await page.getByRole("checkbox", { name: `Select ${issues[1].title}` }).click();
    await page.getByRole("toolbar", { name: "Change 2 selected issues" }).waitFor();
    await auditBothSchemes(page, "desktop: picked rows and the bar", screens);
    await page.setViewportSize({ width: 390, height: 844 });
    await auditBothSchemes(page, "phone: picked rows and the bar", screens);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Commands" }).click();
    await page.getByRole("combobox", { name: "Command or issue" }).fill("i");
    await page.getByRole("dialog", { name: "Command palette" }).getByRole("option").first().waitFor();
    await auditBothSchemes(page, "phone: the palette", screens);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Members" }).click();
    await page.getByRole("dialog", { name: "Members" }).getByRole("list", { name: "Members" }).waitFor();
    await auditBothSchemes(page, "phone: members", screens);
    await page.getByRole("button", { name: "Your account" }).click();
    const account = page.getByRole("dialog", { name: "Your account" });
    await account.getByRole("button", { name: "Create sign-in link" }).click();
    await account.getByRole("img", { name: "QR code of the sign-in link" }).waitFor();
    await auditBothSchemes(page, "phone: the account with a sign-in link", screens);
    await page.keyboard.press("Escape");
    await page.getByTitle("Open the sync inspector").click();
    await page.getByRole("dialog", { name: "Sync inspector" }).waitFor();
    await auditBothSchemes(page, "phone: the sync inspector", screens);
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name: `Open issue: ${issues[0].title}` }).click();
    await page.getByRole("heading", { name: issues[0].title }).waitFor();
    await auditBothSchemes(page, "phone: an issue", screens);
    await page.setViewportSize({ width: 1280, height: 800 });
    await auditBothSchemes(page, "desktop: an issue with its properties", screens);
    const setup = await context.newPage();
    await setup.setViewportSize({ width: 390, height: 844 });
    await setup.goto(`${server.url}/setup?token=${SETUP_TOKEN}`);
    await setup.getByRole("heading", { name: "Set up a workspace" }).waitFor();
    await auditBothSchemes(setup, "phone: setup", screens);
    await setup.goto(`${server.url}/signin`);
    await setup.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    await auditBothSchemes(setup, "phone: sign in", screens);
  } finally {
    await context.close();
  }
  assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "screens with accessibility violations");
  assert.equal(screens.length, 22);
});
