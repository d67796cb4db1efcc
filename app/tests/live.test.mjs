// The live channel in the browser: another profile's change arrives by a poke (no pull at all when
// the poke carries it, one when it does not), tabs reconnect and catch up after the server restarts,
// one workspace's pokes never reach another's sockets, a removed member's socket is closed, and the
// sync inspector shows the engine's own state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  serverForThisFile, launchProfile, openTracker, titles, createIssue, serverLog, pushAs, eventually,
  unique, syncLabel, setUp, signIn, api, sleep,
} from "./harness.mjs";

const server = serverForThisFile();

const create = (title) => ({
  name: "createIssue",
  args: { id: randomUUID(), title, description: "", owner: "script", createdAt: Date.now() },
});

/** The API requests `context` sends, from now on (the engine's worker's too). */
function recordRequests(context) {
  const requests = [];
  context.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/api/")) requests.push({ at: Date.now(), path });
  });
  return requests;
}

/** The pokes `page`'s live socket receives, from now on, and when it closes. */
function recordSocket(page) {
  const socket = { pokes: [], closed: [] };
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/live?")) return;
    ws.on("framereceived", ({ payload }) => {
      const text = String(payload);
      if (text.startsWith("{")) socket.pokes.push({ at: Date.now(), poke: JSON.parse(text) });
    });
    ws.on("close", () => socket.closed.push(Date.now()));
  });
  return socket;
}

const live = (page) => eventually(async () => (await syncLabel(page)) === "Live", "the tab to be live");

test("another profile's change arrives by a poke: no pull when it carries the entries, one when not", async () => {
  const [a, b] = await Promise.all([launchProfile(), launchProfile()]);
  try {
    const [pa, pb] = await Promise.all([openTracker(a, server.url), openTracker(b, server.url)]);
    await Promise.all([live(pa), live(pb)]);
    const requests = recordRequests(b);

    const title = unique("Poked to B");
    const pushed = Date.now();
    await createIssue(pa, title);
    await eventually(async () => (await titles(pb)).includes(title), "A's issue on B's screen");
    const shown = Date.now();
    assert.deepEqual(requests.filter((r) => r.path.endsWith("/pull")), [], "B sent no pull: the poke carried it");
    assert.ok(shown - pushed < 5_000);

    // More entries than a poke carries: B pulls, once.
    const many = Array.from({ length: 30 }, (_, i) => create(`${unique("Bulk")} ${i}`));
    await pushAs(server.url, randomUUID(), many);
    await eventually(async () => (await titles(pb)).includes(many[29].args.title), "the bulk push on B's screen");
    await sleep(500);
    assert.equal(requests.filter((r) => r.path.endsWith("/pull")).length, 1, "one pull, the one the poke asked for");
    assert.deepEqual(requests.filter((r) => !r.path.endsWith("/pull")), [], "and nothing else");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("after the server restarts, open tabs reconnect and catch up: Connecting… then Live", async () => {
  const a = await launchProfile();
  try {
    const page = await openTracker(a, server.url);
    await live(page);
    // Every label the indicator shows, in order.
    await page.evaluate(() => {
      window.labels = [];
      const status = document.querySelector("[role=status]");
      new MutationObserver(() => window.labels.push(status.textContent)).observe(status, {
        subtree: true, childList: true, characterData: true,
      });
    });
    await server.restart(1_000);
    const title = unique("Pushed after the restart");
    await pushAs(server.url, randomUUID(), [create(title)]);
    await eventually(async () => (await titles(page)).includes(title), "the tab caught up", 60_000);
    await live(page);
    const labels = await page.evaluate(() => window.labels);
    const connecting = labels.indexOf("Connecting…");
    assert.ok(connecting >= 0, `the indicator said Connecting… (${JSON.stringify(labels)})`);
    assert.ok(labels.lastIndexOf("Live") > connecting, `then Live (${JSON.stringify(labels)})`);
  } finally {
    await a.close();
  }
});

test("one workspace's pokes never reach another workspace's sockets", async () => {
  const other = await setUp(server.url, "Elsewhere", "Eli");
  const [a, b] = await Promise.all([launchProfile(), launchProfile({ signIn: false })]);
  try {
    await signIn(b, server, other);
    const pa = await a.newPage();
    const pb = await b.newPage();
    const [socketA, socketB] = [recordSocket(pa), recordSocket(pb)];
    await pa.goto(server.app);
    await pb.goto(`${server.url}/w/${other.workspace}`);
    await Promise.all([live(pa), live(pb)]);

    const here = unique("In the shared workspace");
    await pushAs(server.url, randomUUID(), [create(here)]);
    await eventually(async () => (await titles(pa)).includes(here), "A's workspace has it");
    const there = unique("Elsewhere");
    await pushAs(server.url, randomUUID(), [create(there)], 1, other);
    await eventually(async () => (await titles(pb)).includes(there), "B's workspace has it");
    await sleep(1_000);

    const carried = (socket) => socket.pokes.flatMap(({ poke }) => poke.mutations ?? []).map((m) => m.args.title);
    assert.ok(carried(socketA).includes(here) && !carried(socketA).includes(there), JSON.stringify(carried(socketA)));
    assert.ok(carried(socketB).includes(there) && !carried(socketB).includes(here), JSON.stringify(carried(socketB)));
    assert.ok(!(await titles(pa)).includes(there) && !(await titles(pb)).includes(here));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a removed member's socket is closed and their tab says so", async () => {
  const a = await launchProfile();
  try {
    const page = await a.newPage();
    const socket = recordSocket(page);
    await page.goto(server.app);
    await live(page);
    const removed = await api(server.url, `/api/workspaces/${server.workspace}/members/remove`, {
      body: { memberId: a.member.member },
      cookie: server.owner.cookie,
    });
    assert.equal(removed.status, 200);
    await eventually(async () => socket.closed.length > 0, "the socket closed");
    await page.getByRole("alert").filter({ hasText: "You are no longer a member of this workspace" }).waitFor();
    // It does not keep trying: the server refuses it until someone invites them again.
    const opened = socket.closed.length;
    await sleep(3_000);
    assert.equal(socket.closed.length, opened, "no socket opened and closed again meanwhile");
  } finally {
    await a.close();
  }
});

test("the sync inspector shows the engine's queue, cookie and events, and copies them as JSON", async () => {
  const a = await launchProfile({ permissions: ["clipboard-read", "clipboard-write"] });
  try {
    const page = await openTracker(a, server.url);
    await live(page);
    await a.setOffline(true);
    const first = unique("Queued first");
    const second = unique("Queued second");
    await createIssue(page, first);
    await createIssue(page, second);
    await eventually(async () => /Offline · 2 pending/.test(await syncLabel(page)), "two changes pending offline");

    await page.getByRole("status").getByRole("button", { name: "Offline · 2 pending" }).click();
    const inspector = page.getByRole("dialog", { name: "Sync inspector" });
    await inspector.waitFor();
    const queue = inspector.getByRole("table", { name: /Pending/ });
    await eventually(async () => (await queue.getByRole("row").count()) === 3, "a header and two queued changes");
    const cells = async (n) => queue.getByRole("row").nth(n).getByRole("cell").allTextContents();
    const [one, two] = [await cells(1), await cells(2)];
    assert.equal(one[1], "createIssue");
    assert.match(one[2], new RegExp(`title: "${first}"`));
    assert.match(two[2], new RegExp(`title: "${second}"`));
    assert.equal(Number(two[0]), Number(one[0]) + 1, "consecutive mutation ids");
    assert.match(await inspector.textContent(), /Offline: the last request got no answer/);

    await inspector.getByRole("button", { name: "Copy as JSON" }).click();
    await inspector.getByText("Copied to the clipboard.").waitFor();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.deepEqual(copied.pending.map((m) => [m.id, m.args.title]), [[Number(one[0]), first], [Number(two[0]), second]]);
    assert.equal(copied.pendingCount, 2);
    assert.ok(copied.events.some((e) => e.kind === "push" && /failed/.test(e.summary)), "the failed pushes are in the events");
    assert.ok(copied.events.length <= 50);

    // Back online: the queue drains, and the server has those very mutations from that client.
    await a.setOffline(false);
    await eventually(async () => (await inspector.getByText("Nothing waits to be sent.").count()) === 1, "the queue empty", 20_000);
    const after = inspector.getByRole("table", { name: "Last sync events" });
    await eventually(async () => (await after.textContent()).includes("live: opened"), "the socket reopened");
    const log = await serverLog(server.url);
    const entry = log.find((e) => e.args.title === first);
    assert.ok(entry, "the first change on the server");
    const cookie = Number((await inspector.locator("dd").nth(2).textContent()).trim());
    assert.ok(cookie >= entry.logId, `the inspector's cookie ${cookie} reaches the entry ${entry.logId}`);
    await inspector.getByRole("button", { name: "Close" }).click();
    await inspector.waitFor({ state: "detached" });
  } finally {
    await a.close();
  }
});
