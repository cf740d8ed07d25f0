import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FileInfo } from "../../protocol/index.js";
import worker from "../../worker/index.js";
import { BASE, call } from "./http.js";
import { befriend, createGroup, registerUser, send, type TestUser } from "./messaging-fixtures.js";

// A file lives as long as a message carries it: recalling the message takes it from
// everyone but its uploader, and an upload never sent is removed after a grace period.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9]);

async function upload(user: TestUser): Promise<FileInfo> {
  const res = await call<{ file: FileInfo }>("POST", "/api/files?kind=image&name=x.png", {
    token: user.token,
    rawBody: PNG,
    headers: { "Content-Type": "image/png" },
  });
  expect(res.status).toBe(201);
  return res.body.file;
}

const download = (user: TestUser, fileId: string) =>
  SELF.fetch(`${BASE}/api/files/${fileId}`, { headers: { Authorization: `Bearer ${user.token}` } }).then(async (r) => (await r.arrayBuffer(), r.status));
const recall = (user: TestUser, messageId: string) => call("POST", `/api/messages/${messageId}/recall`, { token: user.token });

/** Runs the Worker's cron handler inside workerd, as the hourly trigger would, at `now`. */
async function runScheduled(scheduledTime = Date.now()): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: "17 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled!(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("file lifecycle", () => {
  it("recalling a message takes its file from everyone but the sender", async () => {
    const [alice, bob] = [await registerUser("fa"), await registerUser("fb")];
    await befriend(alice, bob);
    const file = await upload(alice);
    const sent = await send(alice, { to: { userId: bob.user.id }, clientMsgId: "f-1", kind: "image", body: { fileId: file.id } });
    expect(sent.status).toBe(201);
    expect(await download(bob, file.id)).toBe(200);

    expect((await recall(alice, sent.body.message.id)).status).toBe(200);
    expect(await download(bob, file.id)).toBe(404);
    expect(await download(alice, file.id)).toBe(200);
  });

  it("a group admin's recall also revokes it; another unrecalled message with the file keeps it", async () => {
    const [owner, carol] = [await registerUser("go"), await registerUser("gc")];
    const { groupId } = await createGroup(owner, [carol]);
    const file = await upload(carol);
    const first = await send(carol, { to: { groupId }, clientMsgId: "g-1", kind: "image", body: { fileId: file.id } });
    const second = await send(carol, { to: { groupId }, clientMsgId: "g-2", kind: "image", body: { fileId: file.id } });
    expect([first.status, second.status]).toEqual([201, 201]);

    expect((await recall(owner, first.body.message.id)).status).toBe(200);
    expect(await download(owner, file.id)).toBe(200); // the second message still carries it
    expect((await recall(owner, second.body.message.id)).status).toBe(200);
    expect(await download(owner, file.id)).toBe(404);
    expect(await download(carol, file.id)).toBe(200);
  });

  it("the scheduled clean-up removes uploads never sent once the grace period passed, and keeps sent ones", async () => {
    const [alice, bob] = [await registerUser("ca"), await registerUser("cb")];
    await befriend(alice, bob);
    const unsent = await upload(alice);
    const sentFile = await upload(alice);
    expect((await send(alice, { to: { userId: bob.user.id }, clientMsgId: "c-1", kind: "image", body: { fileId: sentFile.id } })).status).toBe(201);

    // Within the grace period (FILE_UNSENT_GRACE_SECONDS, one day in wrangler.toml) nothing goes.
    await runScheduled();
    expect(await download(alice, unsent.id)).toBe(200);

    // The handler's clock is the trigger's scheduledTime: one run past the grace period.
    await runScheduled(Date.now() + Number(env.FILE_UNSENT_GRACE_SECONDS) * 1000 + 60_000);
    expect(await download(alice, unsent.id)).toBe(404);
    expect(await env.FILES.head(`files/${unsent.id}`)).toBeNull();
    expect(await download(alice, sentFile.id)).toBe(200);
    expect(await download(bob, sentFile.id)).toBe(200);
  });
});
