// The live channel's figures, each against a baseline in the same run: the same build on a second
// server with the live channel off (`LIVE_CHANNEL:off`), where tabs poll every 3 seconds as they did
// before it.
//   - another profile's change on screen: profile A changes an issue's status in its tab, until the
//     row in profile B's tab shows it (both pages' clocks are this machine's);
//   - requests an idle open tab sends in 10 minutes (both servers' tabs at once);
//   - fan-out: one push with 100 sockets connected (Node WebSocket clients, 20 of each of five
//     members, as many as a member may hold), until the last socket has its poke; against 1 socket.
// Usage: node app/bench/live.mjs [--quick]. Prints markdown, also written to target/bench/live.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { join as joinWorkspace, launchProfile, openTracker, pushAs, root, signIn, sleep, startServer, syncLabel, eventually } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
const CHANGES = quick ? 5 : 21;
const IDLE_MINUTES = Number(process.env.BENCH_IDLE_MINUTES ?? (quick ? 0.25 : 10));
const SOCKETS = 100;
const FANOUTS = quick ? 5 : 21;

const log = (what) => process.stderr.write(`bench live: ${what}\n`);
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const percentile = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const median = (xs) => percentile(xs, 0.5);
const ms = (x) => `${x.toFixed(0)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(1)}x`;

const create = (title) => ({
  name: "createIssue",
  args: { id: randomUUID(), title, description: "", owner: "bench", createdAt: Date.now() },
});

/** A profile signed in as a new member of `server`'s workspace, with its tracker open and synced. */
async function tab(server, name, settled) {
  const context = await launchProfile({ signIn: false });
  await signIn(context, server, await joinWorkspace(server, name));
  const page = await openTracker(context, server.url);
  await eventually(async () => (await syncLabel(page)) === settled, `${name}'s tab to say ${settled}`, 30_000);
  return { context, page };
}

/** Milliseconds from A's click on the row's status to B's row showing the new status, `n` times. */
async function changeToScreen(server, settled) {
  const a = await tab(server, "Bench A", settled);
  const b = await tab(server, "Bench B", settled);
  try {
    const title = `Timed ${randomUUID().slice(0, 8)}`;
    await pushAs(server.url, randomUUID(), [create(title)]);
    const row = (page) => page.locator(".row", { has: page.getByRole("button", { name: title, exact: true }) });
    await row(a.page).waitFor({ timeout: 30_000 });
    await row(b.page).waitFor({ timeout: 30_000 });
    const samples = [];
    for (let i = 0; i < CHANGES; i++) {
      // A random moment, so the polling baseline is caught at any point of its 3 seconds.
      await sleep(200 + Math.random() * 1_000);
      const before = await row(a.page).locator(".status").textContent();
      const shown = b.page.evaluate(
        ({ title, before }) =>
          new Promise((resolve) => {
            const status = () =>
              [...document.querySelectorAll(".row")].find((r) => r.querySelector(".title")?.textContent === title)
                ?.querySelector(".status")?.textContent;
            const observer = new MutationObserver(() => {
              if (status() !== before) {
                observer.disconnect();
                resolve(Date.now());
              }
            });
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
            setTimeout(() => resolve(Number.NaN), 20_000);
          }),
        { title, before },
      );
      await sleep(50);
      const clicked = await a.page.evaluate(() => Date.now());
      await row(a.page).getByRole("button", { name: /^Status:/ }).click();
      const at = await shown;
      if (Number.isNaN(at)) throw new Error(`change ${i} never reached B`);
      samples.push(at - clicked);
    }
    return samples;
  } finally {
    await Promise.all([a.context.close(), b.context.close()]);
  }
}

/** API requests sent by an open, idle tab over `minutes`: how many, and of which kinds. */
async function idleRequests(server, settled, minutes) {
  const t = await tab(server, "Idle", settled);
  try {
    await sleep(2_000);
    const kinds = new Map();
    t.context.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (!path.startsWith("/api/")) return;
      const kind = `${request.method()} ${path.split("/").at(-1)}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      log(`idle ${settled} tab: ${kind} at ${new Date().toISOString()}`);
    });
    await sleep(minutes * 60_000);
    const count = [...kinds.values()].reduce((a, b) => a + b, 0);
    const detail = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
    return { count, detail };
  } finally {
    await t.context.close();
  }
}

/** A member holds at most this many sockets in a workspace (`shared::live::MAX_SOCKETS_PER_MEMBER`). */
const SOCKETS_PER_MEMBER = 20;

/** Opens `n` sockets, 20 a member (the owner's first, then members who join for it); resolves once
 * every one is open. */
async function sockets(server, n) {
  const url = `${server.url.replace("http", "ws")}/api/workspaces/${server.workspace}/live`;
  const open = [];
  let member = server.owner;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % SOCKETS_PER_MEMBER === 0) member = await joinWorkspace(server, `Fan-out ${i}`);
    const ws = new WebSocket(`${url}?clientId=${randomUUID()}`, {
      headers: { Cookie: `tracker_session=${member.cookie}` },
    });
    ws.pokes = [];
    ws.on("message", (data) => {
      const text = data.toString();
      if (text !== "pong") ws.pokes.push({ at: performance.now(), poke: JSON.parse(text) });
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    open.push(ws);
  }
  return open;
}

/** From sending a push to the last of `n` sockets having the poke for it, `FANOUTS` times. */
async function fanOut(server, n) {
  const open = await sockets(server, n);
  const client = randomUUID();
  try {
    const samples = [];
    for (let i = 0; i < FANOUTS; i++) {
      for (const ws of open) ws.pokes = [];
      const sent = performance.now();
      const answer = await pushAs(server.url, client, [create(`Fan-out ${i}`)], i + 1);
      if (answer.lastMutationId !== i + 1) throw new Error("the push was not applied");
      const deadline = Date.now() + 10_000;
      while (open.some((ws) => ws.pokes.length === 0) && Date.now() < deadline) await sleep(1);
      const arrived = open.map((ws) => ws.pokes[0]?.at);
      if (arrived.some((at) => at === undefined)) throw new Error(`a socket missed poke ${i}`);
      samples.push(Math.max(...arrived) - sent);
      await sleep(100);
    }
    return samples;
  } finally {
    for (const ws of open) ws.close();
  }
}

const liveServer = await startServer({ vars: ["RATE_LIMITS:off"] });
const pollingServer = await startServer({ vars: ["RATE_LIMITS:off", "LIVE_CHANNEL:off"] });
try {
  log("change to screen, live");
  const live = await changeToScreen(liveServer, "Live");
  log(`live: ${live.map((x) => x.toFixed(0)).join(", ")} ms`);
  log("change to screen, polling");
  const polling = await changeToScreen(pollingServer, "Connecting…");
  log(`polling: ${polling.map((x) => x.toFixed(0)).join(", ")} ms`);

  log("fan-out");
  const one = await fanOut(liveServer, 1);
  const hundred = await fanOut(liveServer, SOCKETS);
  log(`fan-out to ${SOCKETS}: ${hundred.map((x) => x.toFixed(0)).join(", ")} ms`);

  log(`idle tabs for ${IDLE_MINUTES} minutes`);
  const [idleLive, idlePolling] = await Promise.all([
    idleRequests(liveServer, "Live", IDLE_MINUTES),
    idleRequests(pollingServer, "Connecting…", IDLE_MINUTES),
  ]);

  const lines = [
    quick ? "Quick run (few samples, a short idle time): figures are only indicative.\n" : "",
    "| figure | live channel | polling (live channel off) | ratio |",
    "| --- | --- | --- | --- |",
    `| another profile's change on screen, p50 (${live.length} changes) | ${ms(median(live))} | ${ms(median(polling))} | ${ratio(median(polling), median(live))} faster |`,
    `| ... p95 | ${ms(percentile(live, 0.95))} | ${ms(percentile(polling, 0.95))} | ${ratio(percentile(polling, 0.95), percentile(live, 0.95))} faster |`,
    `| ... worst | ${ms(Math.max(...live))} | ${ms(Math.max(...polling))} | |`,
    `| requests sent by an idle open tab in ${IDLE_MINUTES} minutes | ${idleLive.count} | ${idlePolling.count} | ${idleLive.count ? `${ratio(idlePolling.count, idleLive.count)} fewer` : "none at all"} |`,
    `| ... which | ${idleLive.detail || "none"} | ${idlePolling.detail} | |`,
    "",
    "| fan-out: push sent to the last socket's poke | 1 socket | " + SOCKETS + " sockets | ratio |",
    "| --- | --- | --- | --- |",
    `| p50 (${FANOUTS} pushes) | ${ms(median(one))} | ${ms(median(hundred))} | ${ratio(median(hundred), median(one))} |`,
    `| p95 | ${ms(percentile(one, 0.95))} | ${ms(percentile(hundred, 0.95))} | ${ratio(percentile(hundred, 0.95), percentile(one, 0.95))} |`,
  ];
  const out = lines.join("\n") + "\n";
  process.stdout.write(out);
  mkdirSync(join(root, "target/bench"), { recursive: true });
  writeFileSync(join(root, "target/bench/live.md"), out);
} finally {
  await Promise.all([liveServer.stop(), pollingServer.stop()]);
}
