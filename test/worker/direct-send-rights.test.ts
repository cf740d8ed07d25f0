// A 1:1 send is checked against the message database's copy of the friendship
// (worker/db/direct-send-rights.ts), inside its one append batch. These tests hold that the
// copy never lets through what the friendship (the main database) forbids: an ended
// friendship or a block stops sends at once, a late or repeated start cannot reopen it, and
// a copy that lags (an end whose main-database delete failed) only sends the check to the
// main database.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import { friendshipStartedWrite } from "../../worker/db/direct-send-rights.js";
import { call } from "./http.js";
import { befriend, registerUser, send, textTo, type TestUser } from "./messaging-fixtures.js";
import { messageDbOf } from "./message-dbs.js";

async function copyOf(a: TestUser, b: TestUser) {
  const conversationId = directConversationId(a.user.id, b.user.id);
  const d1 = await messageDbOf(conversationId);
  const row = await d1
    .prepare("SELECT friends, since FROM direct_send_rights WHERE conversation_id = ?1")
    .bind(conversationId)
    .first<{ friends: number; since: number }>();
  return { d1, conversationId, row };
}

async function storedCount(a: TestUser, b: TestUser): Promise<number> {
  const { d1, conversationId } = await copyOf(a, b);
  const row = await d1.prepare("SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?1").bind(conversationId).first<{ n: number }>();
  return row?.n ?? 0;
}

async function friendsWithAMessage() {
  const amy = await registerUser("copy");
  const ben = await registerUser("copypeer");
  await befriend(amy, ben);
  expect((await send(amy, textTo({ userId: ben.user.id }, "hi"))).status).toBe(201);
  return { amy, ben };
}

describe("the message database's copy of a friendship", () => {
  it("is written when the friendship starts", async () => {
    const { amy, ben } = await friendsWithAMessage();
    const { row } = await copyOf(amy, ben);
    expect(row?.friends).toBe(1);
  });

  it("an unfriending stops the next send at once, from either side, and stores nothing", async () => {
    const { amy, ben } = await friendsWithAMessage();
    expect((await call("DELETE", `/api/friends/${ben.user.id}`, { token: amy.token })).status).toBe(200);
    expect((await copyOf(amy, ben)).row?.friends).toBe(0);
    for (const [from, to] of [[amy, ben], [ben, amy]] as const) {
      const refused = await send(from, textTo({ userId: to.user.id }, "still there?"));
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("forbidden");
    }
    expect(await storedCount(amy, ben)).toBe(1);
  });

  it("a block stops sends both ways", async () => {
    const { amy, ben } = await friendsWithAMessage();
    expect((await call("PUT", `/api/blocks/${amy.user.id}`, { token: ben.token })).status).toBe(200);
    expect((await send(amy, textTo({ userId: ben.user.id }, "hello?"))).status).toBe(403);
    expect((await send(ben, textTo({ userId: amy.user.id }, "bye"))).status).toBe(403);
    expect(await storedCount(amy, ben)).toBe(1);
  });

  it("a late start of the ended friendship (an accept's copy or a send's, landing after the end) does not reopen it", async () => {
    const { amy, ben } = await friendsWithAMessage();
    const { d1, conversationId, row } = await copyOf(amy, ben);
    expect((await call("DELETE", `/api/friends/${ben.user.id}`, { token: amy.token })).status).toBe(200);
    await friendshipStartedWrite(d1, conversationId, row!.since).run();
    expect((await copyOf(amy, ben)).row).toMatchObject({ friends: 0, since: row!.since });
    expect((await send(amy, textTo({ userId: ben.user.id }, "sneaking in"))).status).toBe(403);
  });

  it("friends again: the new friendship's copy reopens the conversation", async () => {
    const { amy, ben } = await friendsWithAMessage();
    const before = (await copyOf(amy, ben)).row!;
    expect((await call("DELETE", `/api/friends/${ben.user.id}`, { token: amy.token })).status).toBe(200);
    await befriend(ben, amy);
    const after = (await copyOf(amy, ben)).row!;
    expect(after.friends).toBe(1);
    expect(after.since).toBeGreaterThan(before.since);
    expect((await send(amy, textTo({ userId: ben.user.id }, "welcome back"))).status).toBe(201);
    expect(await storedCount(amy, ben)).toBe(2);
  });

  it("a copy that says ended while the main database still says friends (an end whose delete failed): the main database decides, the copy stays ended", async () => {
    const { amy, ben } = await friendsWithAMessage();
    const { d1, conversationId, row } = await copyOf(amy, ben);
    await d1.prepare("UPDATE direct_send_rights SET friends = 0 WHERE conversation_id = ?1").bind(conversationId).run();
    const answer = await send(amy, textTo({ userId: ben.user.id }, "through the main database"));
    expect(answer.status).toBe(201);
    expect((await copyOf(amy, ben)).row).toEqual({ friends: 0, since: row!.since });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM friendships WHERE user_id = ?1").bind(amy.user.id).first("n")).toBe(1);
  });
});
