// Export from the web app: the whole workspace from this device's replica, as a JSON or CSV
// download, from the Members dialog and from the command palette, with no request to the server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { serverForThisFile, launchProfile, pushAs, setUp, signIn, unique, waitForList, auditBothSchemes } from "./harness.mjs";

const server = serverForThisFile();

test("Export: JSON from the Members dialog and CSV from the palette, from the replica alone", async () => {
  const name = unique("Exported");
  const owner = await setUp(server.url, name, "Olive Owner");
  const label = randomUUID();
  const first = randomUUID();
  const second = randomUUID();
  const answer = await pushAs(server.url, randomUUID(), [
    { name: "createLabel", args: { id: label, name: "bug", color: "#d73a4a", createdAt: 1 } },
    { name: "createIssue", args: { id: first, title: "First, \"quoted\"", description: "Line one\nline two", owner: "Olive Owner", createdAt: 1_700_000_000_000 } },
    { name: "addIssueLabel", args: { issueId: first, labelId: label, updatedAt: 1_700_000_000_001 } },
    { name: "addComment", args: { id: randomUUID(), issueId: first, body: "A comment", createdAt: 1_700_000_000_002 } },
    { name: "createIssue", args: { id: second, title: "Second", description: "", owner: "Olive Owner", createdAt: 1_700_000_000_003 } },
    { name: "updateIssueStatus", args: { id: second, status: "done", updatedAt: 1_700_000_000_004 } },
  ], 1, owner);
  assert.deepEqual(answer.rejected, []);
  const context = await launchProfile({ signIn: false });
  try {
    await signIn(context, server, owner);
    const page = await context.newPage();
    await page.goto(`${server.url}/w/${owner.workspace}`);
    await waitForList(page);
    await page.getByRole("link", { name: /Second/ }).waitFor();
    const asked = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/")) asked.push(request.url());
    });

    await page.getByRole("button", { name: "Members" }).click();
    const dialog = page.getByRole("dialog", { name: "Members" });
    const exportSection = dialog.getByRole("region", { name: "Export" });
    await exportSection.waitFor();
    // How to reach this workspace from a terminal, as the CLI's login reads it.
    assert.match(await dialog.textContent(), new RegExp(`tracker login ${server.url}/w/${owner.workspace}`));
    const screens = [];
    await auditBothSchemes(page, "members with export", screens);
    assert.deepEqual(screens.filter(([, v]) => v.length), []);
    const before = asked.length;
    const [jsonDownload] = await Promise.all([
      page.waitForEvent("download"),
      exportSection.getByRole("button", { name: "Export JSON" }).click(),
    ]);
    assert.match(jsonDownload.suggestedFilename(), /^exported-[0-9a-f]{8}-\d{4}-\d\d-\d\d\.json$/);
    const exported = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
    assert.equal(asked.length, before, `no request to the server: ${asked.slice(before)}`);
    assert.equal(exported.format, "tracker-export");
    assert.equal(exported.version, 1);
    assert.equal(exported.workspace.name, name);
    assert.deepEqual(exported.members, [{ id: owner.member, name: "Olive Owner" }]);
    assert.deepEqual(exported.labels.map((l) => [l.name, l.color]), [["bug", "#d73a4a"]]);
    assert.deepEqual(exported.issues.map((i) => [i.number, i.title, i.status, i.labels]), [
      [1, "First, \"quoted\"", "not started", ["bug"]],
      [2, "Second", "done", []],
    ]);
    assert.equal(exported.issues[0].comments[0].body, "A comment");
    assert.equal(exported.issues[0].comments[0].author, owner.member);
    assert.ok(exported.issues[1].history.some((e) => e.kind === "status" && e.value === "done"));
    await dialog.getByRole("button", { name: "Close" }).click();

    // CSV from the palette.
    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.getByRole("combobox").fill("Export as CSV");
    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.keyboard.press("Enter"),
    ]);
    assert.match(csvDownload.suggestedFilename(), /\.csv$/);
    const csv = readFileSync(await csvDownload.path(), "utf8");
    const lines = csv.trimEnd().split("\n");
    assert.equal(lines[0], "id,title,description,status,priority,labels,assignee,owner,created by,created at,updated at,deleted at,comments");
    assert.match(csv, /^[A-Z]{2,5}-1,"First, ""quoted""","Line one\nline two",not started,none,bug,,Olive Owner,Olive Owner,2023-11-14T22:13:20.000Z,/m);
    assert.match(csv, /^[A-Z]{2,5}-2,Second,,done,/m);
    assert.equal(asked.length, before, "still no request");
    await page.getByRole("alert").filter({ hasText: /Exported / }).first().waitFor();
  } finally {
    await context.close();
  }
});
