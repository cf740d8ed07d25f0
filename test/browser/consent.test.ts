// Consent in the web client: a group invitation from a stranger shows in the Groups tab and
// is accepted there; a friend is blocked from the friend dialog. Alice uses the browser; the
// others are SDK users. Driven by role and label (web/README.md, "Accessible names").
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerUser } from "../e2e/support/api.js";
import { chromiumMissing, launchChromium } from "./support/chromium.js";
import { SEEN_MS, sees } from "./support/sees.js";



describe.skipIf(chromiumMissing() || inject("servicesMissing"))("consent in the web client", () => {
  let browser: Browser;
  let page: Page;
  const username = `alice_${randomUUID().slice(0, 8)}`;
  const tab = (name: "Friends" | "Groups") => page.getByRole("tab", { name: new RegExp(`^${name}`) });

  beforeAll(async () => {
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
    await page.goto(inject("workerUrl"));
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByLabel("Display name").fill("Alice");
    await page.getByRole("button", { name: "Create account" }).click();
    await sees(page.getByRole("status", { name: "Connection" }).filter({ hasText: "Live" }), "Alice live");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a stranger's group invitation is accepted in the Groups tab", async () => {
    const bob = await registerUser("bob");
    const alice = await bob.api.users.byUsername(username);
    const created = await bob.api.groups.create({ name: "Book club", memberIds: [alice.id] });
    expect(created.invited).toEqual([alice.id]);

    await sees(page.getByRole("tab", { name: /^Groups.*1 invitations$/ }), "the Groups tab counting the invitation");
    await tab("Groups").click();
    const invitations = page.getByRole("list", { name: "Group invitations" });
    await (await sees(invitations.getByRole("button", { name: "Accept invitation to Book club" }), "the invitation")).click();
    await sees(page.getByRole("list", { name: "Groups" }).getByRole("button", { name: "Open Book club" }), "Book club in my groups");
    expect(await invitations.count()).toBe(0);
    expect((await bob.api.groups.members(created.group.id)).map((m) => m.user.id)).toContain(alice.id);
  });

  it("blocking a friend from the friend dialog ends the friendship", async () => {
    const carol = await registerUser("carol");
    await carol.api.me.update({ displayName: "Carol" });
    const alice = await carol.api.users.byUsername(username);
    await carol.api.friends.request({ userId: alice.id });
    await tab("Friends").click();
    await (await sees(page.getByRole("button", { name: "Accept Carol" }), "Carol's request")).click();
    const friends = page.getByRole("list", { name: "Friends" });
    await (await sees(friends.getByRole("button", { name: "Edit Carol" }), "Carol as a friend")).click();

    const dialog = page.getByRole("dialog", { name: "Carol" });
    await dialog.getByRole("button", { name: "Block Carol" }).click();
    await dialog.getByRole("button", { name: "Block", exact: true }).click();
    await dialog.waitFor({ state: "hidden", timeout: SEEN_MS });
    await page.waitForFunction(() => !document.querySelector('[aria-label="Edit Carol"]'), undefined, { timeout: SEEN_MS });

    expect(await carol.api.friends.list()).toEqual([]);
    await expect(carol.api.messages.send({ to: { userId: alice.id }, kind: "text", body: { text: "hello?" } })).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});
