// Private workspaces in the browser: setting one up, inviting someone who joins in another profile,
// authors' names on both sides, removing a member (whose tab says so and keeps its unsaved change), and
// one person switching between two workspaces that each see only their own issues.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  serverForThisFile, launchProfile, openTracker, waitForList, titles, createIssue, serverLog, pushAs, eventually,
  unique, syncLabel, setUp, signIn, api, auditBothSchemes, startServer, SETUP_TOKEN,
  SCHEMA_VERSION,
} from "./harness.mjs";
import { randomUUID } from "node:crypto";

const server = serverForThisFile();

/** The row of the issue titled `title`. */
const row = (page, title) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });

test("setup, invite, join: two people see each other's changes with their names", async () => {
  const [a, b] = await Promise.all([launchProfile({ signIn: false }), launchProfile({ signIn: false })]);
  try {
    // Ada sets up a workspace from the setup link.
    const pa = await a.newPage();
    await pa.goto(`${server.url}/setup?token=${SETUP_TOKEN}`);
    await pa.getByRole("heading", { name: "Set up a workspace" }).waitFor();
    await pa.getByLabel("Workspace name").fill("Team Ada");
    await pa.getByLabel("Your name").fill("Ada");
    await pa.getByRole("button", { name: "Create workspace" }).click();
    await pa.waitForURL(/\/w\/[0-9a-f-]{36}$/);
    await waitForList(pa);
    assert.match(await pa.locator(".top").textContent(), /Team Ada/);

    // She copies an invite link from the members dialog.
    await pa.getByRole("button", { name: "Members" }).click();
    const members = pa.getByRole("dialog", { name: "Members" });
    await members.getByRole("button", { name: "Create invite link" }).click();
    const link = await members.getByLabel("New invite link").inputValue();
    assert.match(link, /\/join\?invite=inv_/);
    await members.getByRole("button", { name: "Close" }).click();

    // Grace opens it in her own browser and joins under her name.
    const pb = await b.newPage();
    await pb.goto(link);
    await pb.getByRole("heading", { name: "Join Team Ada" }).waitFor();
    await pb.getByLabel("Your name").fill("Grace");
    await pb.getByRole("button", { name: "Join Team Ada" }).click();
    await pb.waitForURL(/\/w\/[0-9a-f-]{36}$/);
    await waitForList(pb);

    const adas = unique("From Ada");
    await createIssue(pa, adas);
    await eventually(async () => (await titles(pb)).includes(adas), "Ada's issue at Grace's");
    assert.equal(await row(pb, adas).locator(".authors").textContent(), "by Ada");

    await row(pb, adas).getByRole("button", { name: /^Status: Not started/ }).click();
    await eventually(
      async () => (await row(pa, adas).locator(".authors").textContent()) === "by Ada · changed by Grace",
      "Grace's change, by name, at Ada's",
    );
    const graces = unique("From Grace");
    await createIssue(pb, graces);
    await eventually(async () => (await titles(pa)).includes(graces), "Grace's issue at Ada's");
    assert.equal(await row(pa, graces).locator(".authors").textContent(), "by Grace");

    // The members dialog lists both, by name.
    await pb.getByRole("button", { name: "Members" }).click();
    const list = pb.getByRole("dialog", { name: "Members" }).getByRole("list", { name: "Members" });
    await eventually(async () => (await list.textContent()).includes("Ada"), "the members");
    assert.match(await list.textContent(), /Ada.*owner.*Grace.*you/);
    assert.equal(
      await pb.getByRole("button", { name: "Create invite link" }).count(),
      0,
      "only the owner invites",
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a removed member's tab says so and keeps their unsaved change on screen", async () => {
  const owner = await setUp(server.url, unique("Removals"), "Rita");
  const place = { ...server, workspace: owner.workspace, owner, app: `${server.url}/w/${owner.workspace}` };
  const [a, b] = await Promise.all([launchProfile({ signIn: false }), launchProfile({ signIn: false })]);
  try {
    await signIn(a, place, owner);
    const member = await signIn(b, place);
    const [pa, pb] = await Promise.all([openTracker(a, place.app), openTracker(b, place.app)]);
    const before = unique("Before removal");
    await createIssue(pb, before);
    await eventually(async () => (await titles(pa)).includes(before), "the member's change reaches the owner");

    // The member's tab is offline when the owner removes them (it cannot know yet).
    await b.setOffline(true);
    await pb.getByRole("status").filter({ hasText: "Offline" }).waitFor();

    // The owner removes the member from the members dialog.
    await pa.getByRole("button", { name: "Members" }).click();
    const dialog = pa.getByRole("dialog", { name: "Members" });
    const memberName = (await (await api(server.url, "/api/session", { method: "GET", cookie: member.cookie })).json()).member.name;
    await dialog.getByRole("button", { name: `Remove ${memberName}` }).click();
    const question = dialog.getByRole("alertdialog", { name: `Remove ${memberName}?` });
    assert.match(await question.textContent(), /the invite link they joined by stops working for everyone/, "the question says what removal does to links");
    await question.getByRole("button", { name: "Remove" }).click();
    await eventually(async () => !(await dialog.getByRole("list", { name: "Members" }).textContent()).includes(memberName), "gone from the list");

    // The change the member makes meanwhile is refused once back online: the tab says so, and the
    // change stays on screen, unsaved.
    const after = unique("After removal");
    await createIssue(pb, after);
    await b.setOffline(false);
    await pb.getByRole("alert").filter({ hasText: "no longer a member" }).waitFor({ timeout: 20_000 });
    // (A pull may be refused before the push is: the count follows.)
    await eventually(async () => (await syncLabel(pb)) === "Not saved · 1 pending", "the change counted, not saved");
    assert.ok((await titles(pb)).includes(after), "the unsaved change is still shown");
    const log = await api(server.url, `/api/workspaces/${owner.workspace}/pull`, {
      body: { clientId: randomUUID(), schemaVersion: SCHEMA_VERSION, cookie: 0 },
      cookie: owner.cookie,
    });
    const entries = (await log.json()).mutations;
    assert.ok(!entries.some((e) => e.args.title === after), "nothing of it reached the server");
    assert.ok(!(await titles(pa)).includes(after));
    assert.match(await pb.getByRole("alert").filter({ hasText: "no longer a member" }).textContent(), /1 change stays on this device/);

    // The tab offers nothing it could not save: no New issue, Members, Edit, Assign to me or comment field.
    for (const name of ["New issue", "Members"]) {
      assert.equal(await pb.getByRole("button", { name, exact: true }).count(), 0, `no ${name}`);
    }
    assert.equal(await pb.getByRole("button", { name: /^Status: / }).first().isDisabled(), true, "status buttons disabled");
    await pb.getByRole("button", { name: before, exact: true }).click();
    await pb.getByRole("heading", { name: before }).waitFor();
    for (const name of ["Edit", "Assign to me", "Comment"]) {
      assert.equal(await pb.getByRole("button", { name, exact: true }).count(), 0, `no ${name} on the issue page`);
    }
    assert.equal(await pb.getByLabel("Add a comment").count(), 0);
    assert.equal(await pb.getByRole("complementary", { name: "Properties" }).getByLabel("Status").isDisabled(), true);
    await pb.keyboard.press("c");
    assert.equal(await pb.getByRole("dialog").count(), 0, "c opens no form");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("one person in two workspaces switches between them and sees only each one's issues", async () => {
  const north = await setUp(server.url, "North", "Pat");
  const southResponse = await api(server.url, "/api/setup", {
    body: { token: SETUP_TOKEN, workspaceName: "South" },
    cookie: north.cookie,
  });
  assert.equal(southResponse.status, 201);
  const south = { ...north, workspace: (await southResponse.json()).workspaces.at(-1).id };
  const northTitle = unique("Only in North");
  const southTitle = unique("Only in South");
  const create = (title) => ({
    name: "createIssue",
    args: { id: randomUUID(), title, description: "", owner: "Pat", createdAt: Date.now() },
  });
  await pushAs(server.url, randomUUID(), [create(northTitle)], 1, north);
  await pushAs(server.url, randomUUID(), [create(southTitle)], 1, south);

  const p = await launchProfile({ signIn: false });
  try {
    await signIn(p, server, north);
    const page = await openTracker(p, `${server.url}/w/${north.workspace}`);
    await eventually(async () => (await titles(page)).includes(northTitle), "North's issue");
    assert.ok(!(await titles(page)).includes(southTitle));

    const switcher = page.getByRole("combobox", { name: "Workspace" });
    assert.equal(await switcher.locator("option:checked").textContent(), "North");
    await switcher.selectOption({ label: "South" });
    await page.waitForURL(`${server.url}/w/${south.workspace}`);
    await waitForList(page);
    await eventually(async () => (await titles(page)).includes(southTitle), "South's issue");
    assert.ok(!(await titles(page)).includes(northTitle), "North's issue stays in North");

    // The way in (/) goes back to the last workspace used.
    await page.goto(server.url);
    await page.waitForURL(`${server.url}/w/${south.workspace}`);

    // The command palette switches too, by keyboard.
    await waitForList(page);
    await page.keyboard.press("Control+k");
    await page.getByRole("combobox", { name: "Command or issue" }).fill("switch");
    await page.getByRole("option", { name: "Switch to North" }).waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/w/${north.workspace}`);
    await waitForList(page);
    await eventually(async () => (await titles(page)).includes(northTitle), "North's issue again");
  } finally {
    await p.close();
  }
});

test("a browser no one signed in on is told how to get in, and a dead invite link says why", async () => {
  const p = await launchProfile({ signIn: false });
  try {
    const page = await p.newPage();
    await page.goto(server.url);
    await page.getByRole("heading", { name: "This tracker is private" }).waitFor();
    await page.goto(`${server.url}/join?invite=inv_made-up`);
    await page.getByRole("heading", { name: "This invite link does not work" }).waitFor();
    assert.match(await page.getByRole("alert").textContent(), /revoked, or never made/);
    await page.goto(`${server.url}/setup?token=wrong`);
    await page.getByLabel("Workspace name").fill("Nope");
    await page.getByLabel("Your name").fill("Eve");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("alert").filter({ hasText: "not the deployment's setup token" }).waitFor();
    // A name the rules refuse is caught before anything is sent.
    await page.getByLabel("Your name").fill("   ");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("alert").filter({ hasText: "Your name" }).waitFor();
  } finally {
    await p.close();
  }
});

test("accessibility: no axe-core violation on the screens around the tracker, light or dark", async () => {
  const screens = [];
  const owner = await setUp(server.url, unique("Audited"), "Audrey");
  const place = { ...server, workspace: owner.workspace, owner, app: `${server.url}/w/${owner.workspace}` };
  const [a, b, stranger] = await Promise.all([
    launchProfile({ signIn: false, permissions: ["clipboard-read", "clipboard-write"] }), launchProfile({ signIn: false }), launchProfile({ signIn: false }),
  ]);
  try {
    const out = await stranger.newPage();
    await out.goto(server.url);
    await out.getByRole("heading", { name: "This tracker is private" }).waitFor();
    await auditBothSchemes(out, "the way in, signed out", screens);
    await out.goto(`${server.url}/setup?token=wrong`);
    await out.getByRole("button", { name: "Create workspace" }).click();
    await out.getByRole("alert").waitFor();
    await auditBothSchemes(out, "setup, with an error", screens);

    await signIn(a, place, owner);
    const pa = await openTracker(a, place.app);
    await pa.getByRole("button", { name: "Members" }).click();
    const dialog = pa.getByRole("dialog", { name: "Members" });
    await dialog.getByRole("button", { name: "Create invite link" }).click();
    const link = await dialog.getByLabel("New invite link").inputValue();
    // The link copies with one click: it is the whole link, not what fits in the field.
    await dialog.getByRole("button", { name: "Copy link" }).click();
    await dialog.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
    assert.equal(await pa.evaluate(() => navigator.clipboard.readText()), link);
    assert.match(link, /\/join\?invite=inv_/);
    await dialog.getByLabel("Token name").fill("CI");
    await dialog.getByRole("button", { name: "Create token" }).click();
    await dialog.getByLabel(/New API token/).waitFor();
    await dialog.getByRole("button", { name: "Copy token" }).click();
    await dialog.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
    assert.match(await pa.evaluate(() => navigator.clipboard.readText()), /^trk_/);
    await auditBothSchemes(pa, "members, as the owner, an invite and a token shown", screens);

    const pb = await b.newPage();
    await pb.goto(link);
    await pb.getByRole("heading", { name: /^Join / }).waitFor();
    await auditBothSchemes(pb, "joining by an invite", screens);
    await pb.getByLabel("Your name").fill("Bea");
    await pb.getByRole("button", { name: /^Join / }).click();
    await pb.waitForURL(/\/w\//);
    await waitForList(pb);
    await dialog.getByRole("button", { name: "Close" }).click();
    await pa.getByRole("button", { name: "Members" }).click();
    await dialog.getByRole("button", { name: "Remove Bea" }).click();
    await dialog.getByRole("alertdialog", { name: "Remove Bea?" }).waitFor();
    await auditBothSchemes(pa, "members, removing someone", screens);
    await b.setOffline(true);
    await dialog.getByRole("alertdialog", { name: "Remove Bea?" }).getByRole("button", { name: "Remove" }).click();
    await createIssue(pb, unique("Made after removal"));
    await b.setOffline(false);
    await pb.getByRole("alert").filter({ hasText: "no longer a member" }).waitFor({ timeout: 20_000 });
    await auditBothSchemes(pb, "removed, a change not saved", screens);
  } finally {
    await Promise.all([a.close(), b.close(), stranger.close()]);
  }
  const violations = screens.filter(([, found]) => found.length > 0);
  assert.deepEqual(violations, [], "screens with accessibility violations");
  assert.equal(screens.length, 12);
});

test("past the day's budget of changes, the tab says its changes are held back and keeps them", async () => {
  const limited = await startServer({ vars: ["MEMBER_DAILY_MUTATIONS:2"] });
  const p = await launchProfile({ signIn: false });
  try {
    await signIn(p, limited, limited.owner);
    const page = await openTracker(p, limited.app);
    for (const title of [unique("First of two"), unique("Second of two")]) {
      await createIssue(page, title);
      await eventually(async () => (await syncLabel(page)) === "Live", "saved within the budget");
    }
    const third = unique("One too many");
    await createIssue(page, third);
    await eventually(async () => (await syncLabel(page)) === "Held back · 1 pending", "held back");
    await page.getByRole("note").filter({ hasText: "after midnight UTC" }).waitFor();
    assert.ok((await titles(page)).includes(third), "the change stays on screen");
    // The engine waits as long as the server asked (until the next UTC day), not its usual backoff.
    const pushes = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/push")) pushes.push(request.url());
    });
    await new Promise((r) => setTimeout(r, 5_000));
    assert.deepEqual(pushes, [], "no push is retried before the time the server gave");
  } finally {
    await p.close();
    await limited.stop();
  }
});
