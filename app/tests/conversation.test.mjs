// The conversation, as people have it: Markdown in descriptions and comments (hostile text shown as
// text, a task box checked by editing the text, Write and Preview), @mentions picked by keyboard and
// shown by the member's current name, and #42 linking to the issue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, pushAs, eventually, unique, setUp, signIn, join, api, serverLog, auditBothSchemes,
} from "./harness.mjs";

const server = serverForThisFile();

/** A workspace of its own, its owner, and a page signed in as `who` (the owner by default). */
async function workspace(name) {
  const owner = await setUp(server.url, unique(name), "Olive Owner");
  const place = { ...server, workspace: owner.workspace, owner, app: `${server.url}/w/${owner.workspace}` };
  return { owner, place };
}

/** Pushes an issue as `member` and returns its id. */
async function issueBy(member, title, description = "") {
  const id = randomUUID();
  const answer = await pushAs(server.url, randomUUID(), [{
    name: "createIssue",
    args: { id, title, description, owner: "Olive Owner", createdAt: Date.now() },
  }], 1, member);
  assert.deepEqual(answer.rejected, []);
  return id;
}

/** A page that records Content-Security-Policy violations in `window.violations`. */
async function watchedPage(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

const HOSTILE = [
  "# Plan",
  "",
  "- [ ] write the parser",
  "- [x] ship it",
  "",
  "See [the docs](https://example.com/docs) and [click me](javascript:window.hacked=1) or [data](data:text/html,hi).",
  "",
  "<script>window.hacked = 2</script>",
  "",
  "<img src=x onerror=\"window.hacked=3\"> <b onclick=\"window.hacked=4\">bold?</b>",
  "",
  "![a cat](https://example.com/cat.png)",
  "",
  "| name | count |",
  "|:-----|------:|",
  "| bugs | 12 |",
  "",
  "```rust",
  "fn main() {}",
  "```",
  "",
  `${">".repeat(400)} deep`,
  "",
  `${"- ".repeat(300)}nested`,
  "",
  `x ${"`".repeat(5000)}`,
].join("\n");

test("Markdown: a description renders as elements, hostile text stays text, and a task box is an edit of the text", async () => {
  const { owner, place } = await workspace("Markdown");
  const id = await issueBy(owner, "Parser plan", HOSTILE);
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await watchedPage(context);
    const started = Date.now();
    await page.goto(`${place.app}/issue/${id}`);
    const description = page.locator(".issue-page .description");
    await page.getByRole("heading", { name: "Plan", level: 4 }).waitFor({ timeout: 30_000 });
    const rendered = Date.now() - started;
    // Links: the web one with rel, the others not links at all.
    const docs = description.getByRole("link", { name: "the docs" });
    assert.equal(await docs.getAttribute("href"), "https://example.com/docs");
    assert.equal(await docs.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await description.getByRole("link", { name: "click me" }).count(), 0);
    assert.equal(await description.getByRole("link", { name: "data" }).count(), 0);
    await description.getByText("click me").click();
    // Raw HTML shows as its text; nothing ran, nothing loaded.
    await description.getByText("<script>window.hacked = 2</script>").waitFor();
    await description.getByText("<img src=x onerror=\"window.hacked=3\">", { exact: false }).waitFor();
    assert.equal(await description.locator("img, script, iframe, [onclick], [onerror]").count(), 0);
    assert.equal(await description.getByRole("link", { name: "Image: a cat" }).getAttribute("href"), "https://example.com/cat.png");
    // A table with its head, and code.
    assert.equal(await description.getByRole("columnheader", { name: "count" }).getAttribute("class"), "align-right");
    await description.getByRole("cell", { name: "bugs" }).waitFor();
    assert.equal(await description.locator("pre code").textContent(), "fn main() {}\n");
    // Deep nesting is flattened, not a stack overflow; the text is all there.
    await description.getByText("deep", { exact: true }).waitFor();
    await description.getByText("nested", { exact: false }).first().waitFor();
    const depth = await description.evaluate((root) => {
      let deepest = 0;
      for (const el of root.querySelectorAll("*")) {
        let d = 0;
        for (let n = el; n && n !== root; n = n.parentElement) d++;
        deepest = Math.max(deepest, d);
      }
      return deepest;
    });
    assert.ok(depth < 40, `nesting bounded: ${depth}`);

    // Checking a box edits the text: the server's copy says [x], and it stays checked.
    const box = description.getByRole("checkbox", { name: "write the parser" });
    assert.equal(await box.isChecked(), false);
    assert.equal(await description.getByRole("checkbox", { name: "ship it" }).isChecked(), true);
    await box.click();
    await eventually(async () => {
      const log = await serverLog(server.url, 0, owner);
      return log.some((e) => e.name === "updateIssue" && e.args.id === id && e.args.description?.includes("- [x] write the parser\n- [x] ship it"));
    }, "the checked box reached the server as an edit of the description");
    assert.equal(await box.isChecked(), true);

    // 10,000 backticks, the longest a description may be: shown as they are, at once.
    const ticks = await issueBy(owner, "Backticks", `x ${"`".repeat(9_998)}`);
    const opened = Date.now();
    await page.goto(`${place.app}/issue/${ticks}`);
    await page.getByRole("heading", { name: "Backticks", level: 2 }).waitFor({ timeout: 30_000 });
    await eventually(async () => ((await description.textContent()) ?? "").includes("`".repeat(9_998)), "the backticks on screen");
    console.log(`10,000 backticks on screen ${Date.now() - opened} ms after navigation`);

    assert.equal(await page.evaluate(() => window.hacked), undefined, "no script of the text ran");
    assert.deepEqual(await page.evaluate(() => window.violations), [], "no Content-Security-Policy report");
    console.log(`hostile description (${HOSTILE.length} characters) on screen ${rendered} ms after navigation`);
  } finally {
    await context.close();
  }
});

test("Markdown: a comment is written with Write and Preview, and shows formatted", async () => {
  const { owner, place } = await workspace("Comments");
  const id = await issueBy(owner, "Formatted talk");
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await watchedPage(context);
    await page.goto(`${place.app}/issue/${id}`);
    const field = page.getByLabel("Add a comment");
    await field.fill("This is **important**, see `config.toml`:\n\n1. one\n2. two");
    const tabs = page.getByRole("tablist", { name: "Write or preview" });
    await tabs.getByRole("tab", { name: "Preview" }).click();
    const preview = page.getByRole("tabpanel", { name: "Preview" });
    assert.equal(await preview.locator("strong").textContent(), "important");
    assert.equal(await preview.getByRole("listitem").count(), 2);
    await tabs.getByRole("tab", { name: "Write" }).click();
    assert.equal(await field.inputValue(), "This is **important**, see `config.toml`:\n\n1. one\n2. two", "the text is kept");
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    const comment = page.getByRole("listitem", { name: "Comment by Olive Owner" });
    await comment.locator("strong", { hasText: "important" }).waitFor();
    assert.equal(await comment.locator("code").textContent(), "config.toml");
    assert.deepEqual(await page.evaluate(() => window.violations), []);
  } finally {
    await context.close();
  }
});

test("mentions: @ offers the members by keyboard, the mention shows their current name, and #1 links to the issue", async () => {
  const { owner, place } = await workspace("Mentions");
  const bob = await join(place, "Bob Builder");
  await join(place, "Bea Baker");
  const first = await issueBy(owner, "The first issue");
  const id = await issueBy(owner, "Talk about it");
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, place, owner);
    const page = await watchedPage(context);
    await page.goto(`${place.app}/issue/${id}`);
    const field = page.getByLabel("Add a comment");
    await field.click();
    await field.pressSequentially("Hey @b");
    const members = page.getByRole("listbox", { name: "Mention a member" });
    await members.waitFor();
    assert.deepEqual(await members.getByRole("option").allTextContents(), ["Bea Baker", "Bob Builder"]);
    assert.equal(await members.getByRole("option", { selected: true }).textContent(), "Bea Baker");
    const screens = [];
    await auditBothSchemes(page, "the @ list", screens);
    assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "no accessibility violation");
    await field.press("ArrowDown");
    assert.equal(await members.getByRole("option", { selected: true }).textContent(), "Bob Builder");
    await field.press("Enter");
    await members.waitFor({ state: "detached" });
    await field.pressSequentially("see #1");
    assert.equal(await field.inputValue(), `Hey [@Bob Builder](mention:${bob.member}) see #1`);
    // Escape closes the list without closing anything else; typing on is plain text.
    await field.pressSequentially(" @zz");
    assert.equal(await members.count(), 0, "no one matches zz");
    await field.press("Control+Enter");
    const comment = page.getByRole("listitem", { name: "Comment by Olive Owner" });
    await comment.locator(".mention", { hasText: "@Bob Builder" }).waitFor();
    const reference = comment.getByRole("link", { name: "#1" });
    assert.match(await reference.getAttribute("title"), /-1: The first issue · Not started$/);
    // Bob renames himself: the mention follows, live.
    const renamed = await api(server.url, "/api/profile", { body: { name: "Robert Builder" }, cookie: bob.cookie });
    assert.equal(renamed.status, 200, await renamed.text());
    await comment.locator(".mention", { hasText: "@Robert Builder" }).waitFor({ timeout: 30_000 });
    // The reference opens the issue.
    await reference.click();
    await page.getByRole("heading", { name: "The first issue", level: 2 }).waitFor();
    assert.match(page.url(), /\/issue\/[A-Z]+-1$/);
    assert.ok(first);
  } finally {
    await context.close();
  }
});

/** A push of one mutation as `member`, from a client of its own. */
async function as(member, name, args) {
  const answer = await pushAs(server.url, randomUUID(), [{ name, args }], 1, member);
  assert.deepEqual(answer.rejected, [], `${name} applied`);
}

test("reactions: a member reacts to an issue and a comment, another sees it live and adds theirs, and one taken back is gone for both", async () => {
  const { owner, place } = await workspace("Reactions");
  const bea = await join(place, "Bea Baker");
  const id = await issueBy(owner, "Launch plan");
  const comment = randomUUID();
  await as(owner, "addComment", { id: comment, issueId: id, body: "Ship on Friday?", createdAt: Date.now() });
  const olive = await launchProfile({ signIn: false });
  const other = await launchProfile({ signIn: false });
  try {
    await signIn(olive, place, owner);
    await signIn(other, place, bea);
    const [mine, theirs] = await Promise.all([olive.newPage(), other.newPage()]);
    await Promise.all([mine.goto(`${place.app}/issue/${id}`), theirs.goto(`${place.app}/issue/${id}`)]);
    const issueBar = (page) => page.getByRole("group", { name: "Reactions to this issue" });
    const commentBar = (page) => page.getByRole("listitem", { name: "Comment by Olive Owner" }).getByRole("group", { name: "Reactions to this comment" });
    await issueBar(mine).waitFor({ timeout: 30_000 });
    await theirs.getByRole("heading", { name: "Launch plan", level: 2 }).waitFor({ timeout: 30_000 });

    // Olive: a rocket on the issue, a thumbs up on the comment.
    await issueBar(mine).getByRole("button", { name: "Add reaction" }).click();
    await mine.getByRole("button", { name: "React with rocket" }).click();
    await commentBar(mine).getByRole("button", { name: "Add reaction" }).click();
    await mine.getByRole("button", { name: "React with thumbs up" }).click();
    const rocket = (page, count) => issueBar(page).getByRole("button", { name: new RegExp(`^rocket: ${count}, by `) });
    assert.equal(await rocket(mine, 1).getAttribute("aria-pressed"), "true");
    assert.equal(await rocket(mine, 1).getAttribute("aria-label"), "rocket: 1, by you");

    // Bea sees both, live, and adds hers to the rocket.
    await rocket(theirs, 1).waitFor({ timeout: 30_000 });
    assert.equal(await rocket(theirs, 1).getAttribute("aria-pressed"), "false");
    assert.equal(await rocket(theirs, 1).getAttribute("title"), "Olive Owner reacted with rocket");
    await commentBar(theirs).getByRole("button", { name: "thumbs up: 1, by Olive Owner" }).waitFor({ timeout: 30_000 });
    await rocket(theirs, 1).click();
    await rocket(theirs, 2).waitFor();
    await issueBar(mine).getByRole("button", { name: "rocket: 2, by you, Bea Baker" }).waitFor({ timeout: 30_000 });

    // Olive takes hers back: one left, Bea's, on both screens.
    await rocket(mine, 2).click();
    await issueBar(mine).getByRole("button", { name: "rocket: 1, by Bea Baker" }).waitFor();
    await issueBar(theirs).getByRole("button", { name: "rocket: 1, by you" }).waitFor({ timeout: 30_000 });
    await issueBar(theirs).getByRole("button", { name: "Add reaction" }).click();
    await theirs.getByRole("group", { name: "Pick a reaction" }).waitFor();
    const screens = [];
    await auditBothSchemes(theirs, "reactions and the picker", screens);
    assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "no accessibility violation");
    // What the server holds: Bea's rocket and Olive's thumbs up, once each.
    const log = await serverLog(server.url, 0, owner);
    const reactions = log.filter((e) => e.name === "setReaction").map((e) => [e.args.emoji, e.args.on, e.args.commentId ?? null]);
    assert.deepEqual(reactions, [["rocket", true, null], ["+1", true, comment], ["rocket", true, null], ["rocket", false, null]]);
  } finally {
    await olive.close();
    await other.close();
  }
});

test("inbox: assignments, mentions and followed comments arrive live for their member only, read marks follow them to another device, and a third member receives none of it", async () => {
  const { owner, place } = await workspace("Inbox");
  const ada = await join(place, "Ada Lovelace");
  const carl = await join(place, "Carl Third");
  const assigned = await issueBy(owner, "Fix the login");
  const talked = await issueBy(owner, "Plan the release");
  const followed = await issueBy(owner, "Nobody's issue");

  const laptop = await launchProfile({ signIn: false });
  const phone = await launchProfile({ signIn: false });
  const third = await launchProfile({ signIn: false });
  try {
    await signIn(laptop, place, ada);
    await signIn(phone, place, ada);
    await signIn(third, place, carl);
    // Everything Carl's page receives: pull answers and socket messages.
    const received = [];
    third.on("response", async (response) => {
      if (response.url().includes("/pull")) {
        try { received.push(await response.text()); } catch {}
      }
    });
    const [a1, a2, c] = await Promise.all([laptop.newPage(), phone.newPage(), third.newPage()]);
    c.on("websocket", (ws) => ws.on("framereceived", (frame) => received.push(String(frame.payload))));
    await Promise.all([a1.goto(place.app), a2.goto(place.app), c.goto(place.app)]);
    for (const page of [a1, a2, c]) await page.getByRole("button", { name: "Inbox", exact: true }).waitFor({ timeout: 30_000 });
    await a1.getByText("Live", { exact: true }).waitFor({ timeout: 30_000 });

    // Ada follows an issue nobody gave her, from its page.
    await a1.goto(`${place.app}/issue/${followed}`);
    await a1.getByRole("button", { name: "Subscribe" }).click();
    await a1.getByRole("button", { name: "Unsubscribe" }).waitFor();
    await a1.getByRole("button", { name: "← All issues" }).click();

    // Olive assigns Ada, mentions her in a comment, and comments on the followed issue.
    const now = Date.now();
    await as(owner, "assignIssue", { id: assigned, assignee: ada.member, updatedAt: now });
    const mention = randomUUID();
    await as(owner, "addComment", { id: mention, issueId: talked, body: `[@Ada Lovelace](mention:${ada.member}) can you check the dates?`, createdAt: now + 1 });
    await as(owner, "addComment", { id: randomUUID(), issueId: followed, body: "Any news?", createdAt: now + 2 });
    for (const page of [a1, a2]) {
      await page.getByRole("button", { name: "Inbox (3 unread)" }).waitFor({ timeout: 30_000 });
    }

    await a1.getByRole("button", { name: "Inbox (3 unread)" }).click();
    const items = a1.getByRole("list", { name: "Inbox items" });
    await items.getByRole("listitem").nth(2).waitFor();
    const screens = [];
    await auditBothSchemes(a1, "the inbox", screens);
    assert.deepEqual(screens.filter(([, found]) => found.length > 0), [], "no accessibility violation");
    const texts = await items.getByRole("listitem").allInnerTexts();
    assert.match(texts[0], /Nobody's issue[\s\S]*Olive Owner commented[\s\S]*Any news\?/);
    assert.match(texts[1], /Plan the release[\s\S]*Olive Owner mentioned you[\s\S]*can you check the dates\?/);
    assert.match(texts[2], /Fix the login[\s\S]*Olive Owner assigned you/);

    // Opening the mention goes to its comment and marks it read, here and on the phone.
    await items.getByRole("button", { name: "Plan the release (unread)" }).click();
    await a1.getByRole("heading", { name: "Plan the release", level: 2 }).waitFor();
    assert.match(a1.url(), new RegExp(`#comment-${mention}$`));
    await a1.getByRole("listitem", { name: "Comment by Olive Owner" }).and(a1.locator(".target")).waitFor();
    await a2.getByRole("button", { name: "Inbox (2 unread)" }).waitFor({ timeout: 30_000 });
    // Marking all read on the phone empties the count on the laptop.
    await a2.getByRole("button", { name: "Inbox (2 unread)" }).click();
    await a2.getByRole("button", { name: "Mark all read" }).click();
    await a1.getByRole("button", { name: "Inbox", exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await a2.getByRole("button", { name: "Mark all read" }).isDisabled(), true);
    // The inbox has an address of its own: a reload stays there, the marks kept.
    assert.match(a2.url(), /\/inbox$/);
    await a2.reload();
    await a2.getByRole("heading", { name: "Inbox", level: 2 }).waitFor({ timeout: 30_000 });
    await a2.getByRole("list", { name: "Inbox items" }).getByRole("listitem").nth(2).waitFor();
    assert.equal(await a2.getByRole("button", { name: /\(unread\)$/ }).count(), 0);

    // A comment on the issue Ada is assigned: unread again, on both; opening the issue's page (not
    // the inbox) reads it.
    await as(owner, "addComment", { id: randomUUID(), issueId: assigned, body: "Still broken?", createdAt: Date.now() });
    await a2.getByRole("button", { name: "Inbox (1 unread)" }).waitFor({ timeout: 30_000 });
    await a1.goto(`${place.app}/issue/${assigned}`);
    await a1.getByRole("heading", { name: "Fix the login", level: 2 }).waitFor({ timeout: 30_000 });
    await a2.getByRole("button", { name: "Inbox", exact: true }).waitFor({ timeout: 30_000 });

    // Carl: nothing in his inbox, and nothing of Ada's on his wire.
    await c.getByRole("button", { name: "Inbox", exact: true }).click();
    await c.getByText("Nothing yet").waitFor();
    await a1.getByRole("button", { name: "Inbox", exact: true }).waitFor();
    const wire = received.join("\n");
    assert.ok(wire.includes("Any news?"), "Carl's page did receive the workspace's comments");
    for (const secret of ["markInboxRead", "setSubscription", "inboxRead", "subscriptions"]) {
      assert.ok(!wire.includes(secret), `Carl's wire carries no ${secret}`);
    }
  } finally {
    await laptop.close();
    await phone.close();
    await third.close();
  }
});
