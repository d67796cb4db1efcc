// The worker served over https, as every deployment is (wrangler's self-signed certificate, which
// this file alone accepts): what changes there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startServer, SETUP_TOKEN } from "./harness.mjs";

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

let server;
before(async () => {
  server = await startServer({ https: true });
});
after(async () => {
  await server?.stop();
});

test("over https the session and pull cursor cookies are Secure, and the app keeps its security headers", async () => {
  // Setting up over https signs in with a __Host- cookie: Secure, whole-site, this host only.
  const setup = await fetch(`${server.url}/api/setup`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: SETUP_TOKEN, workspaceName: "Secure", name: "Sam" }),
  });
  assert.equal(setup.status, 201);
  const session = setup.headers.get("set-cookie");
  assert.match(session, /^__Host-tracker_session=[^;]+; HttpOnly; SameSite=Lax; Secure; Path=\/; Max-Age=2592000$/);
  const cookie = session.split(";")[0];
  const workspace = (await setup.json()).workspaces.at(-1).id;
  const response = await fetch(`${server.url}/api/workspaces/${workspace}/pull`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookie },
    body: JSON.stringify({ clientId: randomUUID(), schemaVersion: 1, cookie: null }),
  });
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("set-cookie"),
    `lastLogId=0; HttpOnly; SameSite=Strict; Secure; Path=/api/workspaces/${workspace}`,
  );
  const app = await fetch(`${server.url}/`);
  assert.match(app.headers.get("content-security-policy") ?? "", /default-src 'self'/);
});

test("over https only the __Host- session cookie counts: a plain one planted beside it signs no one in", async () => {
  const post = (path, body, cookie) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify(body),
    });
  // The planter's own session, under the plain name a sibling subdomain or plain http could set.
  const setup = await post("/api/setup", { token: SETUP_TOKEN, workspaceName: "Planter's", name: "Eve" });
  assert.equal(setup.status, 201);
  const eve = await setup.json();
  const value = setup.headers.get("set-cookie").split(";")[0].split("=").slice(1).join("=");
  const planted = `tracker_session=${value}`;
  const session = await fetch(`${server.url}/api/session`, { headers: { Cookie: planted } });
  assert.equal(session.status, 401, "the plain cookie is not a session over https");
  assert.equal((await session.json()).error, "Unauthenticated");

  // A victim with the planted cookie who opens an invite joins as themselves, not as the planter.
  const owner = await post("/api/setup", { token: SETUP_TOKEN, workspaceName: "Victim's team", name: "Olga" });
  const ownerCookie = owner.headers.get("set-cookie").split(";")[0];
  const workspace = (await owner.json()).workspaces.at(-1).id;
  const invite = await (await post(`/api/workspaces/${workspace}/invites`, {}, ownerCookie)).json();
  const accepted = await post("/api/invites/accept", { token: invite.token, name: "Victim" }, planted);
  assert.equal(accepted.status, 200);
  const joined = await accepted.json();
  assert.notEqual(joined.member.id, eve.member.id, "a new member, not the planter");
  assert.equal(joined.member.name, "Victim");
  assert.match(accepted.headers.get("set-cookie"), /^__Host-tracker_session=/);
  // And setup with the planted cookie makes a new owner, not the planter.
  const made = await post("/api/setup", { token: SETUP_TOKEN, workspaceName: "Victim's own", name: "Vic" }, planted);
  assert.equal(made.status, 201);
  assert.notEqual((await made.json()).member.id, eve.member.id);
});

test("over https every answer tells the browser to stay on https", async () => {
  const api = await fetch(`${server.url}/api/session`);
  assert.equal(api.status, 401);
  assert.equal(api.headers.get("strict-transport-security"), "max-age=63072000");
  const app = await fetch(`${server.url}/`);
  assert.equal(app.headers.get("strict-transport-security"), "max-age=63072000");
});
