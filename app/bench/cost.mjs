// What one request costs the worker, each kind against the worker's floor in the same run: a 404
// that touches no D1. For each kind, N requests one after another through `wrangler dev`, while
// workerd's inspector (Chrome DevTools protocol) takes a CPU profile of the worker and watches its
// subrequests:
//   - p50 latency at the client;
//   - the worker's CPU per request: the profile's samples that are not idle (the user worker's
//     isolate only; local D1 runs in another);
//   - D1 per request: calls, and the time from sending each to its answer;
//   - Durable Object calls per request (the live channel's pokes).
// Then where the worker's CPU went for the costliest kind: its functions by self time.
// Usage: node app/bench/cost.mjs [--quick] [--against DIR]. Prints markdown, also written to
// target/bench/cost.md; each kind's CPU profile is kept as target/bench/cost-<kind>.cpuprofile
// (DevTools opens it). `--against DIR`: also the worker built in DIR, a checkout of another commit
// (scripts/bench-baseline.sh makes one), measured first in the same run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { api, root, startServer } from "../tests/harness.mjs";

const quick = process.argv.includes("--quick");
/** The schema version the requests speak: 2, which this build and the previous ones both take. */
const SPOKEN = 2;
const N = quick ? 15 : 200;
const log = (what) => process.stderr.write(`bench cost: ${what}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x) => x.toFixed(1);

/** The worker's inspector: a CPU profile and its subrequests while `run` runs. */
async function profiled(port, run) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((resolve, reject) => ws.on("open", resolve).on("error", reject));
  let id = 0;
  const waiting = new Map();
  const sent = new Map();
  const subrequests = [];
  ws.on("message", (data) => {
    const message = JSON.parse(data);
    if (waiting.has(message.id)) {
      waiting.get(message.id)(message.result);
      waiting.delete(message.id);
    } else if (message.method === "Network.requestWillBeSent") {
      sent.set(message.params.requestId, { url: message.params.request.url, at: message.params.timestamp });
    } else if (message.method === "Network.loadingFinished" || message.method === "Network.loadingFailed") {
      const request = sent.get(message.params.requestId);
      if (request) subrequests.push({ url: request.url, ms: (message.params.timestamp - request.at) * 1000 });
    }
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("Network.enable");
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 100 });
  await call("Profiler.start");
  const latencies = await run();
  const { profile } = await call("Profiler.stop");
  // Subrequest events may trail the last answer by a moment.
  await new Promise((r) => setTimeout(r, 300));
  ws.close();
  return { latencies, profile, subrequests };
}

/** Self time by function (µs), idle and the profiler's own excluded. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map();
  profile.samples.forEach((sample, i) => {
    const name = byId.get(sample).callFrame.functionName || "(anonymous)";
    times.set(name, (times.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  for (const skip of ["(idle)", "(garbage collector)"]) times.delete(skip);
  return times;
}

async function measure(server, name, request) {
  const { latencies, profile, subrequests } = await profiled(server.inspector, async () => {
    const out = [];
    for (let i = 0; i < N; i++) {
      const started = performance.now();
      const response = await request(i);
      if (response.status >= 500) throw new Error(`${name}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      out.push(performance.now() - started);
    }
    return out;
  });
  // Kept for a closer look: Chrome DevTools' Performance panel opens it.
  const slug = name.replace(/[^a-z0-9]+/gi, "-").replace(/-+$/, "").toLowerCase();
  mkdirSync(join(root, "target/bench"), { recursive: true });
  writeFileSync(join(root, `target/bench/cost-${slug}.cpuprofile`), JSON.stringify(profile));
  const times = selfTimes(profile);
  const cpu = [...times.values()].reduce((a, b) => a + b, 0) / 1000 / N;
  const d1 = subrequests.filter((s) => s.url.startsWith("http://d1/"));
  const objects = subrequests.filter((s) => s.url.includes(".internal/"));
  log(`${name}: p50 ${f1(median(latencies))} ms, worker CPU ${f1(cpu)} ms, D1 ${f1(d1.length / N)} calls`);
  return {
    name,
    p50: median(latencies),
    cpu,
    d1Calls: d1.length / N,
    d1Ms: d1.reduce((a, s) => a + s.ms, 0) / N,
    objectCalls: objects.length / N,
    times,
  };
}

/** Every request kind through the worker built in `cwd`, the floor first. */
async function run(cwd, label) {
  log(`${label}: starting its server`);
  const server = await startServer({ vars: ["RATE_LIMITS:off"], cwd });
  const { owner, workspace } = server;
  const made = await api(server.url, `/api/workspaces/${workspace}/tokens`, { body: { name: "bench" }, cookie: owner.cookie });
  const token = (await made.json()).token;
  const post = (path, body, auth) =>
    fetch(`${server.url}/api/workspaces/${workspace}/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...auth },
      body: JSON.stringify(body),
    });
  const cookie = { Cookie: `tracker_session=${owner.cookie}` };
  const bearer = { Authorization: `Bearer ${token}` };
  const pusher = (auth) => {
    const clientId = randomUUID();
    return (i) =>
      post("push", {
        clientId,
        // The oldest version a baseline (`--against`) may speak that still pushes and pulls
        // everything measured here: a create, then pulls.
        schemaVersion: SPOKEN,
        mutations: [{ id: i + 1, name: "createIssue", args: { id: randomUUID(), title: `cost ${i}`, description: "", owner: "bench", createdAt: Date.now() } }],
      }, auth);
  };
  // A pull that brings nothing: its client caught up first (that pull is outside the figure).
  const puller = async (auth) => {
    const clientId = randomUUID();
    const head = (await (await post("pull", { clientId, schemaVersion: SPOKEN, cookie: 0 }, auth)).json()).cookie;
    return () => post("pull", { clientId, schemaVersion: SPOKEN, cookie: head }, auth);
  };
  // Warm the isolate up first: its first requests compile the wasm.
  for (let i = 0; i < 20; i++) await (await fetch(`${server.url}/api/nowhere`)).arrayBuffer();
  const rows = [
    await measure(server, "404, no D1 (the floor)", () => fetch(`${server.url}/api/nowhere`)),
    await measure(server, "push, 1 mutation, session cookie", pusher(cookie)),
    await measure(server, "push, 1 mutation, API token", pusher(bearer)),
    await measure(server, "pull that brings nothing, session cookie", await puller(cookie)),
    await measure(server, "pull that brings nothing, API token", await puller(bearer)),
  ];
  await server.stop();
  return rows;
}

const against = process.argv.includes("--against") ? process.argv[process.argv.indexOf("--against") + 1] : null;
const baseline = against ? await run(against, `the build in ${against}`) : null;
const rows = await run(root, "this build");
const floor = rows[0];

const lines = [
  `| request (${N} each, one after another) | p50 | ratio to the floor | worker CPU | ratio | D1 calls | D1 time | Durable Object calls |`,
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) =>
    `| ${r.name} | ${f1(r.p50)} ms | ${(r.p50 / floor.p50).toFixed(2)}x | ${f1(r.cpu)} ms | ${(r.cpu / floor.cpu).toFixed(2)}x | ${f1(r.d1Calls)} | ${f1(r.d1Ms)} ms | ${f1(r.objectCalls)} |`),
  "",
  "Worker CPU: the user worker's isolate, from workerd's CPU profile (samples every 100 µs, idle excluded); local D1 runs in another isolate, its time is in D1 time (sent to answered). Rate limits off (RATE_LIMITS=off), as in most tests.",
  "",
];
if (baseline) {
  const before = baseline[0];
  lines.push(
    `Against the build in \`${against}\`, in the same run (each build's ratios are to its own floor):`,
    "",
    "| request | p50 before | p50 now | worker CPU before | worker CPU now | D1 calls before / now | Durable Object calls before / now |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r, i) => {
      const b = baseline[i];
      return `| ${r.name} | ${f1(b.p50)} ms (${(b.p50 / before.p50).toFixed(2)}x) | ${f1(r.p50)} ms (${(r.p50 / floor.p50).toFixed(2)}x) | ${f1(b.cpu)} ms (${(b.cpu / before.cpu).toFixed(2)}x) | ${f1(r.cpu)} ms (${(r.cpu / floor.cpu).toFixed(2)}x) | ${f1(b.d1Calls)} / ${f1(r.d1Calls)} | ${f1(b.objectCalls)} / ${f1(r.objectCalls)} |`;
    }),
    "",
  );
}
const costliest = rows.slice(1).reduce((a, b) => (b.cpu > a.cpu ? b : a));
lines.push(`Where the worker's CPU went, ${costliest.name} (self time per request):`, "", "| function | per request |", "| --- | --- |");
for (const [name, us] of [...costliest.times].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
  lines.push(`| \`${name.replace(/::h[0-9a-f]{16}$/, "").replaceAll("|", "\\|").slice(0, 90)}\` | ${f1(us / 1000 / N)} ms |`);
}
const out = lines.join("\n") + "\n";
process.stdout.write(out);
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/cost.md"), out);
process.exit(0);
