// The worker served over https, as every deployment is (wrangler's self-signed certificate, which
// this file alone accepts): what changes there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startServer } from "./harness.mjs";

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

let server;
before(async () => {
  server = await startServer({ https: true });
});
after(async () => {
  await server?.stop();
});

test("over https the pull cursor's cookie is Secure, and the app keeps its security headers", async () => {
  const response = await fetch(`${server.url}/api/pull`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ clientId: randomUUID(), schemaVersion: 1, cookie: null }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("set-cookie"), "lastLogId=0; HttpOnly; SameSite=Strict; Secure; Path=/api");
  const app = await fetch(`${server.url}/`);
  assert.match(app.headers.get("content-security-policy") ?? "", /default-src 'self'/);
});
