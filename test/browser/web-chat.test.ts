// The web client as people use it: three browser windows (Chromium contexts) against the
// local Worker, which serves the page, and its linked bridge node. Alice and Carol connect
// at the edge (Carol in a phone-sized window, dark), Bob through the Socket.IO node (behind
// a proxy this test can cut, as a network would). They register, befriend, chat both ways,
// send a photo, see a read receipt and typing, make a group and chat in it; Bob drops off
// the network and catches up when he is back; Alice recalls a message. Every step is driven
// by role and label, waits for what the user would see, and leaves a screenshot in
// test/artifacts/browser/.
import { mkdirSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProxy, type CuttableProxy } from "../client/support/proxy.js";
import { chromiumMissing, launchChromium } from "./support/chromium.js";
import { SEEN_MS, sees } from "./support/sees.js";
import { solidPng } from "./support/png.js";

const ARTIFACTS = "test/artifacts/browser";
const PASSWORD = "correct horse battery";

interface Person {
  name: string;
  username: string;
  context: BrowserContext;
  page: Page;
}


describe.skipIf(chromiumMissing() || inject("servicesMissing"))("the web client in Chromium", () => {
  let browser: Browser;
  let proxy: CuttableProxy;
  let step = 0;
  const people: Person[] = [];

  const shot = async (person: Person, label: string) => {
    step += 1;
    await person.page.screenshot({ path: `${ARTIFACTS}/${String(step).padStart(2, "0")}-${label}-${person.name.toLowerCase()}.png` });
  };

  /**
   * Opens the app in a fresh window (its own storage: its own device) and creates an account.
   * A desktop window in light mode, or (`phone`) a phone-sized one in dark mode.
   */
  async function register(name: string, displayName: string, options: { socketIoUrl?: string; phone?: boolean } = {}): Promise<Person> {
    const { socketIoUrl, phone = false } = options;
    const context = await browser.newContext(
      phone ? { viewport: { width: 375, height: 760 }, colorScheme: "dark", isMobile: true, hasTouch: true } : { viewport: { width: 1100, height: 760 } },
    );
    const page = await context.newPage();
    const person = { name, username: `${name.toLowerCase()}_${randomUUID().slice(0, 8)}`, context, page };
    people.push(person);
    await page.goto(inject("workerUrl"));
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill(person.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Display name").fill(displayName);
    if (socketIoUrl) {
      await page.getByRole("radio", { name: /Socket\.IO/ }).check();
      await page.getByLabel("Socket.IO URL").fill(socketIoUrl);
    }
    await page.getByRole("button", { name: "Create account" }).click();
    await sees(connection(page).filter({ hasText: "Live" }), `${name} live`);
    expect(await connection(page).textContent()).toContain(socketIoUrl ? "Socket.IO" : "edge");
    return person;
  }

  const connection = (page: Page) => page.getByRole("status", { name: "Connection" });
  const messages = (page: Page) => page.getByRole("log", { name: "Messages" });
  const tab = (page: Page, name: "Chats" | "Friends" | "Groups") => page.getByRole("tab", { name: new RegExp(`^${name}`) });

  async function befriend(from: Person, to: Person, toName: string, fromName: string): Promise<void> {
    await tab(from.page, "Friends").click();
    await from.page.getByLabel("Friend's username").fill(to.username);
    await from.page.getByRole("button", { name: "Send request" }).click();
    await tab(to.page, "Friends").click();
    await (await sees(to.page.getByRole("button", { name: `Accept ${fromName}` }), `${to.name} sees the request`)).click();
    await sees(from.page.getByRole("list", { name: "Friends" }).getByRole("button", { name: `Chat with ${toName}` }), `${from.name} sees ${toName} as a friend`);
  }

  async function say(person: Person, text: string): Promise<void> {
    await person.page.getByRole("textbox", { name: "Message" }).fill(text);
    await person.page.getByRole("textbox", { name: "Message" }).press("Enter");
    // My own message shows as soon as the server stored it (no "sending" left).
    await sees(messages(person.page).getByRole("listitem", { name: "You", exact: true }).filter({ hasText: text }), `${person.name}'s own "${text}"`);
  }

  const received = (person: Person, from: string, text: string) =>
    sees(messages(person.page).getByRole("listitem", { name: from, exact: true }).filter({ hasText: text }), `${person.name} receives "${text}" from ${from}`);

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    proxy = await startProxy(inject("linkSocketUrl"));
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it("three people chat across the edge and a Socket.IO node, with a photo, a group, a network cut and a recall", async () => {
    // ---- accounts: Alice and Carol at the edge, Bob through the Socket.IO node ----
    const alice = await register("Alice", "Alice Liddell");
    const bob = await register("Bob", "Bob Builder", { socketIoUrl: proxy.url });
    const carol = await register("Carol", "Carol Danvers", { phone: true });
    await shot(bob, "registered");
    await shot(carol, "registered");

    // ---- friends ----
    await befriend(alice, bob, "Bob Builder", "Alice Liddell");
    await befriend(alice, carol, "Carol Danvers", "Alice Liddell");
    await sees(alice.page.getByRole("list", { name: "Friends" }).getByRole("listitem").filter({ hasText: "Bob Builder" }).filter({ hasText: "Online" }), "Bob online in Alice's list");
    await shot(alice, "friends");

    // ---- 1:1 both ways, edge <-> Socket.IO ----
    await alice.page.getByRole("button", { name: "Chat with Bob Builder" }).click();
    await sees(alice.page.getByRole("heading", { name: "Bob Builder" }), "Alice's chat with Bob");
    await say(alice, "Hello Bob, this is the edge");
    await tab(bob.page, "Chats").click();
    await (await sees(bob.page.getByRole("link", { name: "Alice Liddell, 1 unread" }), "Bob's unread badge")).click();
    await received(bob, "Alice Liddell", "Hello Bob, this is the edge");
    await bob.page.getByRole("textbox", { name: "Message" }).pressSequentially("Hi");
    await sees(alice.page.getByText("Bob Builder is typing…"), "Bob typing, in Alice's window");
    await say(bob, "Hi Alice, Socket.IO here");
    await received(alice, "Bob Builder", "Hi Alice, Socket.IO here");
    await shot(bob, "chat");

    // ---- a photo, seen by Bob ----
    await alice.page.getByLabel("File to send").setInputFiles({ name: "sunset.png", mimeType: "image/png", buffer: solidPng(96, 64, [240, 120, 40]) });
    const photo = await sees(bob.page.getByRole("img", { name: "Photo sunset.png" }), "the photo in Bob's window");
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: SEEN_MS }).toBe(96);
    await shot(bob, "photo");

    // ---- the read receipt under Alice's last message (Bob has the chat open) ----
    await say(alice, "Did you get the picture?");
    await received(bob, "Alice Liddell", "Did you get the picture?");
    await sees(messages(alice.page).getByText("Read", { exact: true }), "the read receipt in Alice's window");
    // The receipt is the server's (peerReadSeq), not only a live push: it survives a reload.
    await alice.page.reload();
    await sees(connection(alice.page).filter({ hasText: "Live" }), "Alice live after a reload");
    await sees(messages(alice.page).getByText("Read", { exact: true }), "the read receipt after Alice's reload");
    await shot(alice, "read-receipt");

    // ---- a group with Bob and Carol ----
    await tab(alice.page, "Groups").click();
    await alice.page.getByRole("button", { name: "New group" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Group name").fill("Weekend trip");
    await dialog.getByRole("group", { name: "Members" }).getByRole("checkbox", { name: "Bob Builder" }).check();
    await dialog.getByRole("group", { name: "Members" }).getByRole("checkbox", { name: "Carol Danvers" }).check();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await sees(alice.page.getByRole("heading", { name: "Weekend trip" }), "Alice's group chat");
    await say(alice, "Who brings the tent?");
    for (const member of [bob, carol]) {
      await tab(member.page, "Chats").click();
      await (await sees(member.page.getByRole("link", { name: /^Weekend trip/ }), `the group in ${member.name}'s list`)).click();
      await received(member, "Alice Liddell", "Who brings the tent?");
    }
    await say(carol, "I will, from the edge");
    await received(alice, "Carol Danvers", "I will, from the edge");
    await received(bob, "Carol Danvers", "I will, from the edge");
    await shot(carol, "group");

    // ---- Bob's network drops; he misses two messages and catches up when it is back ----
    await tab(bob.page, "Chats").click();
    proxy.cut();
    await sees(connection(bob.page).filter({ hasText: "Offline" }), "Bob's window saying it is offline");
    await shot(bob, "offline");
    await alice.page.getByRole("tab", { name: /^Chats/ }).click();
    await alice.page.getByRole("link", { name: /^Bob Builder/ }).click();
    await say(alice, "Are you there, Bob?");
    await alice.page.getByRole("link", { name: /^Weekend trip/ }).click();
    await say(alice, "Leaving at nine");
    proxy.restore();
    await sees(connection(bob.page).filter({ hasText: "Live" }), "Bob's window live again", 45_000);
    await (await sees(bob.page.getByRole("link", { name: "Alice Liddell, 1 unread" }), "the missed 1:1 message as unread")).click();
    await received(bob, "Alice Liddell", "Are you there, Bob?");
    await bob.page.getByRole("link", { name: /^Weekend trip/ }).click();
    await received(bob, "Alice Liddell", "Leaving at nine");
    await shot(bob, "caught-up");

    // ---- Alice recalls her last group message; everyone sees it gone ----
    const leaving = messages(alice.page).getByRole("listitem", { name: "You", exact: true }).filter({ hasText: "Leaving at nine" });
    await leaving.getByRole("button", { name: "Recall message" }).click();
    for (const member of [bob, carol]) {
      await sees(messages(member.page).getByText("Message recalled"), `the recall in ${member.name}'s window`);
      expect(await messages(member.page).textContent()).not.toContain("Leaving at nine");
    }
    await shot(bob, "recalled");
    await shot(alice, "final");
  }, 240_000);
});
