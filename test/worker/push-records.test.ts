// Push records (messages.pushed_at) are gathered per message database and written by the
// next append there, in its batch, or, with no append within PUSH_RECORD_WAIT_MS, by one
// UPDATE for all of them (worker/messaging/push-records.ts). Runs the real send and push
// paths on D1 bindings that log every round trip.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import { messageDbIndexOf } from "../../worker/db/conversation-directory.js";
import { database } from "../../worker/db/client.js";
import type { Env } from "../../worker/env.js";
import { pushMessage } from "../../worker/messaging/message-push.js";
import { isRecordWaiting, recordPush, withWaitingRecords } from "../../worker/messaging/push-records.js";
import type { Runtime } from "../../worker/messaging/runtime.js";
import { sendMessage } from "../../worker/messaging/send-message.js";
import { countingD1, type RoundTrip } from "./counting-d1.js";
import { befriend, registerUser, textTo, type TestUser } from "./messaging-fixtures.js";
import { messageDbOf } from "./message-dbs.js";

/** The test env with this record wait, on D1 bindings that log into `log`; no bridge (pushes go to the edge only). */
function envWith(waitMs: number, log: RoundTrip[]): Env {
  return {
    ...env,
    BRIDGE_URL: "",
    BRIDGE_URLS: "",
    PUSH_RECORD_WAIT_MS: String(waitMs),
    DB: countingD1(env.DB, "main", log),
    MESSAGES_0: countingD1(env.MESSAGES_0, "messages", log),
    MESSAGES_1: countingD1(env.MESSAGES_1, "messages", log),
  } as Env;
}

function runtime(counted: Env, background: Promise<unknown>[]): Runtime {
  return { env: counted, waitUntil: (promise) => background.push(promise) };
}

async function pushedAt(conversationId: string, messageId: string): Promise<number | null> {
  return (await messageDbOf(conversationId)).prepare("SELECT pushed_at FROM messages WHERE id = ?1").bind(messageId).first<number | null>("pushed_at");
}

const ownWrites = (log: RoundTrip[]) => log.filter((trip) => /SET pushed_at/.test(trip.what));

async function friends(): Promise<{ amy: TestUser; ben: TestUser; conversationId: string; index: number }> {
  const amy = await registerUser("rec");
  const ben = await registerUser("recpeer");
  await befriend(amy, ben);
  const conversationId = directConversationId(amy.user.id, ben.user.id);
  const index = (await messageDbIndexOf(database(env.DB), conversationId))!;
  return { amy, ben, conversationId, index };
}

describe("push records", () => {
  it("ride on the next append on the same database: no write of their own", async () => {
    const { amy, ben, conversationId, index } = await friends();
    const log: RoundTrip[] = [];
    const counted = envWith(2_000, log);
    const background: Promise<unknown>[] = [];
    const actor = { userId: amy.user.id, deviceId: "d" };
    const first = await sendMessage(runtime(counted, background), actor, textTo({ userId: ben.user.id }, "one"));
    // Its push is complete; the record waits (up to 2 s) for an append.
    await vi.waitFor(() => expect(isRecordWaiting(index, first.message.id)).toBe(true), { timeout: 2_000, interval: 10 });
    expect(await pushedAt(conversationId, first.message.id)).toBeNull();

    await sendMessage(runtime(counted, background), actor, textTo({ userId: ben.user.id }, "two"));
    expect(await pushedAt(conversationId, first.message.id)).toBeGreaterThan(0);
    await Promise.all(background);
    // The second message's record was written after the wait (no append came); the first's never on its own.
    expect(ownWrites(log)).toHaveLength(1);
    expect(await pushedAt(conversationId, first.message.id)).toBeGreaterThan(0);
  });

  it("with no append within the wait, the records waiting are written together, in one UPDATE", async () => {
    const { amy, ben, conversationId } = await friends();
    const background: Promise<unknown>[] = [];
    const actor = { userId: amy.user.id, deviceId: "d" };
    const sent = [];
    for (const text of ["a", "b", "c"]) sent.push((await sendMessage(runtime(envWith(0, []), background), actor, textTo({ userId: ben.user.id }, text))).message);
    await Promise.all(background);
    // As if their pushes had been lost: push them again, side by side.
    const d1 = await messageDbOf(conversationId);
    for (const message of sent) await d1.prepare("UPDATE messages SET pushed_at = NULL WHERE id = ?1").bind(message.id).run();
    const log: RoundTrip[] = [];
    const counted = envWith(1_000, log);
    const results = await Promise.all(sent.map((message) => pushMessage(counted, message, [amy.user.id, ben.user.id])));
    expect(results).toEqual([true, true, true]);
    expect(ownWrites(log)).toHaveLength(1);
    for (const message of sent) expect(await pushedAt(conversationId, message.id)).toBeGreaterThan(0);
  });

  it("30 concurrent sends: every push is recorded, in far fewer writes than messages", async () => {
    const { amy, ben, conversationId } = await friends();
    const log: RoundTrip[] = [];
    const counted = envWith(100, log);
    const background: Promise<unknown>[] = [];
    const actor = { userId: amy.user.id, deviceId: "d" };
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => sendMessage(runtime(counted, background), actor, textTo({ userId: ben.user.id }, `n${i}`))),
    );
    await Promise.all(background);
    for (const { message } of sent) expect(await pushedAt(conversationId, message.id)).toBeGreaterThan(0);
    expect(ownWrites(log).length).toBeLessThan(15);
  });

  it("an append that fails writes the records it took on their own", async () => {
    const { amy, ben, conversationId, index } = await friends();
    const background: Promise<unknown>[] = [];
    const { message } = await sendMessage(runtime(envWith(0, []), background), { userId: amy.user.id, deviceId: "d" }, textTo({ userId: ben.user.id }, "x"));
    await Promise.all(background);
    await (await messageDbOf(conversationId)).prepare("UPDATE messages SET pushed_at = NULL WHERE id = ?1").bind(message.id).run();
    const counted = envWith(1_000, []);
    const waiting = recordPush(counted, index, message.id);
    const after: Promise<unknown>[] = [];
    const failed = withWaitingRecords(runtime(counted, after), index, async (_d1, records) => {
      expect(records).toContain(message.id);
      throw new Error("the append failed");
    });
    await expect(failed).rejects.toThrow("the append failed");
    await Promise.all(after);
    expect(await pushedAt(conversationId, message.id)).toBeGreaterThan(0);
    await waiting; // it saw its record taken, after its 1 s wait
  });
});
