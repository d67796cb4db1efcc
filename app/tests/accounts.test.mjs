// Accounts as people use them: a passkey registered with Chromium's virtual authenticator (the
// DevTools protocol's WebAuthn domain), signing out, signing back in with the passkey, and an
// assertion said to come from another site refused; a sign-in link and its QR code signing a second
// browser in once, and that device signed out from the first; names that change for everyone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  serverForThisFile, launchProfile, setUp, api, unique, waitForList, eventually, SESSION_KEY, syncLabel,
} from "./harness.mjs";

const server = serverForThisFile();

/** WebAuthn needs a domain for its relying party, not an IP address: the same server as `localhost`. */
const local = () => server.url.replace("127.0.0.1", "localhost");

async function signedInPage(context, url, owner) {
  await context.addCookies([{ name: "tracker_session", value: owner.cookie, url }]);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(`${url}/w/${owner.workspace}`);
  await waitForList(page);
  return page;
}

async function openAccount(page) {
  await page.getByRole("button", { name: /^Account: / }).click();
  const dialog = page.getByRole("dialog", { name: "Your account" });
  await dialog.waitFor();
  return dialog;
}

test("passkeys: register one, sign out, sign back in with it; an assertion from another site is refused", async () => {
  const owner = await setUp(server.url, unique("Passkeys"), "Ada Passkey");
  const context = await launchProfile({ signIn: false });
  try {
    const page = await signedInPage(context, local(), owner);
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    let dialog = await openAccount(page);
    await dialog.getByRole("button", { name: "Add a passkey" }).click();
    await dialog.getByRole("status").filter({ hasText: "Passkey added" }).waitFor({ timeout: 15_000 });
    const passkeys = dialog.getByRole("list", { name: "Passkeys" }).getByRole("listitem");
    await eventually(async () => (await passkeys.count()) === 1, "the passkey is listed");
    assert.match(await passkeys.first().textContent(), /Passkey on Headless Chrome on Linux/);
    const devices = dialog.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
    assert.match(await devices.first().textContent(), /this device/);

    // Sign out: the cookie is gone and the server refuses the old one too.
    await dialog.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.equal((await api(server.url, "/api/session", { method: "GET", cookie: owner.cookie })).status, 401);
    assert.equal((await context.cookies(local())).filter((c) => c.name === "tracker_session").length, 0);

    // An assertion whose client data says another site asked for it: refused, nobody signed in.
    await page.route("**/api/passkeys/sign-in/finish", async (route) => {
      const body = JSON.parse(route.request().postData());
      const data = JSON.parse(Buffer.from(body.clientDataJson, "base64url").toString());
      data.origin = "https://evil.example";
      body.clientDataJson = Buffer.from(JSON.stringify(data)).toString("base64url");
      await route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /another site/);
    assert.equal((await context.cookies(local())).filter((c) => c.name === "tracker_session").length, 0);
    await page.unroute("**/api/passkeys/sign-in/finish");

    // The real one: signed in as Ada, in her workspace.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL(`**/w/${owner.workspace}`);
    await waitForList(page);
    dialog = await openAccount(page);
    await eventually(async () => /by passkey/.test(await dialog.getByRole("list", { name: "Signed-in devices" }).textContent()), "the session says it came by passkey");
    await page.getByRole("button", { name: "Account: Ada Passkey" }).waitFor();
  } finally {
    await context.close();
  }
});

test("add a device: a sign-in link and its QR code sign a second browser in once, and the first signs it out", async () => {
  const owner = await setUp(server.url, unique("Devices"), "Dev Owner");
  const laptop = await launchProfile({ signIn: false });
  const phone = await launchProfile({ signIn: false, viewport: { width: 390, height: 844 } });
  try {
    const page = await signedInPage(laptop, server.url, owner);
    const dialog = await openAccount(page);
    await dialog.getByRole("button", { name: "Create sign-in link" }).click();
    await dialog.getByRole("img", { name: "QR code of the sign-in link" }).waitFor();
    const link = await dialog.getByRole("textbox", { name: /Sign-in link/ }).inputValue();
    assert.match(link, /\/signin\?device=dev_/);

    const other = await phone.newPage();
    await other.goto(link);
    await other.getByRole("button", { name: "Sign in on this device" }).click();
    await other.waitForURL(`**/w/${owner.workspace}`);
    await waitForList(other);
    // The link is used up.
    const again = await phone.newPage();
    await again.goto(link);
    await again.getByRole("button", { name: "Sign in on this device" }).click();
    await again.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
    const phoneCookie = (await phone.cookies(server.url)).find((c) => c.name === "tracker_session").value;
    assert.equal((await api(server.url, "/api/session", { method: "GET", cookie: phoneCookie })).status, 200);

    // The laptop lists both devices and signs the phone out.
    await dialog.getByRole("button", { name: "Close" }).last().click();
    const reopened = await openAccount(page);
    const devices = reopened.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
    await eventually(async () => (await devices.count()) === 2, "both devices are listed");
    await reopened.getByRole("button", { name: /^Sign out Headless Chrome on Linux/ }).click();
    await eventually(async () => (await devices.count()) === 1, "the phone is gone from the list");
    assert.equal((await api(server.url, "/api/session", { method: "GET", cookie: phoneCookie })).status, 401);
    // The phone's open tracker is told at its next word with the server.
    await other.reload();
    await other.getByText("You are signed out here").waitFor({ timeout: 30_000 });
    assert.equal((await api(server.url, "/api/session", { method: "GET", cookie: owner.cookie })).status, 200);
  } finally {
    await laptop.close();
    await phone.close();
  }
});

test("a new name and a new workspace name show for everyone", async () => {
  const owner = await setUp(server.url, unique("Names"), "Nora Name");
  const place = { url: server.url, workspace: owner.workspace, owner };
  const invite = await (await api(server.url, `/api/workspaces/${owner.workspace}/invites`, { body: {}, cookie: owner.cookie })).json();
  const joined = await api(server.url, "/api/invites/accept", { body: { token: invite.token, name: "Max Member" } });
  const member = { cookie: /tracker_session=([^;]+)/.exec(joined.headers.get("set-cookie"))[1], workspace: place.workspace };
  const ownerContext = await launchProfile({ signIn: false });
  const memberContext = await launchProfile({ signIn: false });
  try {
    const ownerPage = await signedInPage(ownerContext, server.url, owner);
    const memberPage = await signedInPage(memberContext, server.url, member);
    const dialog = await openAccount(ownerPage);
    await dialog.getByRole("textbox", { name: "Display name" }).fill("Nora Renamed");
    await dialog.getByRole("button", { name: "Save name" }).click();
    await dialog.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    await dialog.getByRole("button", { name: "Close" }).last().click();
    await ownerPage.getByRole("button", { name: "Account: Nora Renamed" }).waitFor();

    await ownerPage.getByRole("button", { name: "Members" }).click();
    const members = ownerPage.getByRole("dialog", { name: "Members" });
    assert.match(await members.getByRole("list", { name: "Members" }).textContent(), /Nora Renamed/);
    await members.getByRole("textbox", { name: "Workspace name" }).fill("Renamed Space");
    await members.getByRole("button", { name: "Rename workspace" }).click();
    await members.getByRole("status").filter({ hasText: "Renamed for everyone" }).waitFor();
    // The member's open tracker shows the new name without a reload (the live channel says so).
    await eventually(async () => (await memberPage.locator("header.top").textContent()).includes("Renamed Space"), "the member sees the new workspace name");
    // A member's Members has no settings, and offers to leave.
    await memberPage.getByRole("button", { name: "Members" }).click();
    const theirs = memberPage.getByRole("dialog", { name: "Members" });
    await theirs.getByRole("button", { name: "Leave workspace" }).waitFor();
    assert.equal(await theirs.getByRole("textbox", { name: "Workspace name" }).count(), 0);
  } finally {
    await ownerContext.close();
    await memberContext.close();
  }
});

test("a browser signed in before sessions had rows stays signed in: its cookie is traded for a session", async () => {
  const owner = await setUp(server.url, unique("Upgrade"), "Uma Upgrade");
  // The first format, as servers before this one signed it: v1.<member>.<expiry>.<MAC>.
  const payload = `v1.${owner.member}.${Date.now() + 20 * 86_400_000}`;
  const old = `${payload}.${createHmac("sha256", SESSION_KEY).update(payload).digest("base64url")}`;
  assert.equal((await api(server.url, `/api/workspaces/${owner.workspace}/members`, { method: "GET", cookie: old })).status, 401, "refused but by the session route");
  const context = await launchProfile({ signIn: false });
  try {
    const page = await signedInPage(context, server.url, { ...owner, cookie: old });
    await eventually(async () => /Live|Synced/.test(await syncLabel(page)), "the tracker syncs");
    assert.equal(await page.getByText("You are signed out here").count(), 0);
    const cookie = (await context.cookies(server.url)).find((c) => c.name === "tracker_session").value;
    assert.match(cookie, /^v2\./);
    const dialog = await openAccount(page);
    await eventually(async () => /kept from an earlier version/.test(await dialog.getByRole("list", { name: "Signed-in devices" }).textContent()), "the traded session is listed");
  } finally {
    await context.close();
  }
});
