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
