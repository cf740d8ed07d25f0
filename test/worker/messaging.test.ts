import { describe, expect, it } from "vitest";
import { directConversationId, MAX_TEXT_LENGTH, type Message } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { befriend, createGroup, registerUser, send, textTo } from "./messaging-fixtures.js";

describe("sending messages over HTTP", () => {
  it("stores a 1:1 message with the next seq and answers 201 with it", async () => {
    const alice = await registerUser("alice");
    const bob = await registerUser("bob");
    await befriend(alice, bob);
    const res = await send(alice, textTo({ userId: bob.user.id }, "  hello bob  ", "first"));
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({
      conversationId: directConversationId(alice.user.id, bob.user.id),
      seq: 1,
      senderId: alice.user.id,
      clientMsgId: "first",
      kind: "text",
      body: { text: "hello bob" },
      recalledAt: null,
    });
    expect(res.body.message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.message.createdAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses non-friends, non-members, myself and bad bodies", async () => {
    const alice = await registerUser("carl");
    const bob = await registerUser("dora");
    const outsider = await registerUser("earl");
    await befriend(alice, bob);
    const { groupId } = await createGroup(alice, [bob]);

    const stranger = await send(outsider, textTo({ userId: alice.user.id }, "hi"));
    expect(stranger.status).toBe(403);
    expect(errorCode(stranger)).toBe("forbidden");
    const notMember = await send(outsider, textTo({ groupId }, "let me in"));
    expect(notMember.status).toBe(403);
    const unknownGroup = await send(outsider, textTo({ groupId: crypto.randomUUID() }, "anyone?"));
    expect(unknownGroup.status).toBe(403);
    const self = await send(alice, textTo({ userId: alice.user.id }, "me"));
    expect(self.status).toBe(403);

    const tooLong = await send(alice, textTo({ userId: bob.user.id }, "x".repeat(MAX_TEXT_LENGTH + 1)));
    expect(tooLong.status).toBe(400);
    expect(errorCode(tooLong)).toBe("invalid_body");
    const longest = await send(alice, textTo({ userId: bob.user.id }, "x".repeat(MAX_TEXT_LENGTH)));
    expect(longest.status).toBe(201);
    const blank = await send(alice, textTo({ userId: bob.user.id }, "   "));
    expect(blank.status).toBe(400);
    const wrongShape = await call("POST", "/api/messages", {
      token: alice.token,
      body: { to: { userId: bob.user.id }, clientMsgId: "w1", kind: "image", body: { text: "not an image" } },
    });
    expect(wrongShape.status).toBe(400);
    const systemKind = await call("POST", "/api/messages", {
      token: alice.token,
      body: { to: { userId: bob.user.id }, clientMsgId: "w2", kind: "system", body: { event: "group_dismissed", by: alice.user.id } },
    });
    expect(systemKind.status).toBe(400);
    const noAuth = await call("POST", "/api/messages", { body: textTo({ userId: bob.user.id }, "x") });
    expect(noAuth.status).toBe(401);
  });

  it("gives 30 concurrent sends to one conversation the gap-free seqs 1..30", async () => {
    const alice = await registerUser("fred");
    const bob = await registerUser("gina");
    await befriend(alice, bob);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(i % 2 ? alice : bob, textTo(i % 2 ? { userId: bob.user.id } : { userId: alice.user.id }, `m${i}`))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(answers.map((a) => a.body.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const history = await call("GET", `/api/conversations/${directConversationId(alice.user.id, bob.user.id)}/messages?afterSeq=0&limit=100`, {
      token: alice.token,
    });
    expect(history.body.messages.map((m: Message) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(history.body).toMatchObject({ hasMore: false, lastSeq: 30 });
  });

  it("answers a retry with the same clientMsgId with the stored message (200), never a copy", async () => {
    const alice = await registerUser("hugo");
    const bob = await registerUser("iris");
    await befriend(alice, bob);
    const body = textTo({ userId: bob.user.id }, "only once", "retry-1");
    const first = await send(alice, body);
    expect(first.status).toBe(201);
    const retry = await send(alice, body);
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(first.body.message);

    // Concurrent retries of a new send also converge on one message.
    const racing = await Promise.all(Array.from({ length: 5 }, () => send(alice, textTo({ userId: bob.user.id }, "race", "retry-2"))));
    expect(new Set(racing.map((r) => r.body.message.id)).size).toBe(1);
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1);

    const history = await call("GET", `/api/conversations/${first.body.message.conversationId}/messages`, { token: bob.token });
    expect(history.body.messages.map((m: Message) => m.clientMsgId)).toEqual(["retry-1", "retry-2"]);
  });
});

describe("history, read positions and unread counts", () => {
  it("pages history forward by afterSeq and backward by beforeSeq, members only", async () => {
    const alice = await registerUser("jack");
    const bob = await registerUser("kate");
    const outsider = await registerUser("liam");
    await befriend(alice, bob);
    for (let i = 1; i <= 7; i++) await send(alice, textTo({ userId: bob.user.id }, `n${i}`));
    const id = directConversationId(alice.user.id, bob.user.id);
    const page = (query: string, token = bob.token) => call("GET", `/api/conversations/${id}/messages${query}`, { token });
    const seqs = (r: { body: { messages: Message[] } }) => r.body.messages.map((m) => m.seq);

    const newest = await page("?limit=3");
    expect(seqs(newest)).toEqual([5, 6, 7]);
    expect(newest.body.hasMore).toBe(true);
    const older = await page("?beforeSeq=5&limit=3");
    expect(seqs(older)).toEqual([2, 3, 4]);
    expect(older.body.hasMore).toBe(true);
    const oldest = await page("?beforeSeq=2&limit=3");
    expect(seqs(oldest)).toEqual([1]);
    expect(oldest.body.hasMore).toBe(false);
    const forward = await page("?afterSeq=4&limit=2");
    expect(seqs(forward)).toEqual([5, 6]);
    expect(forward.body).toMatchObject({ hasMore: true, lastSeq: 7 });
    expect(seqs(await page("?afterSeq=7"))).toEqual([]);
    expect(seqs(await page("?afterSeq=2&beforeSeq=5"))).toEqual([3, 4]);

    expect((await page("", outsider.token)).status).toBe(404); // not mine: as if it did not exist
    expect((await page("?limit=0")).status).toBe(400);
    expect((await page("?afterSeq=-1")).status).toBe(400);
    const unknown = await call("GET", `/api/conversations/${directConversationId(outsider.user.id, bob.user.id)}/messages`, { token: bob.token });
    expect(unknown.status).toBe(404);
    expect((await call("GET", "/api/conversations/not-an-id/messages", { token: bob.token })).status).toBe(404);
  });

  it("moves read positions forward only, clamps them to the last seq and keeps unread counts exact", async () => {
    const alice = await registerUser("mia");
    const bob = await registerUser("noah");
    await befriend(alice, bob);
    const id = directConversationId(alice.user.id, bob.user.id);
    for (let i = 1; i <= 3; i++) await send(alice, textTo({ userId: bob.user.id }, `a${i}`));
    await send(bob, textTo({ userId: alice.user.id }, "b1"));
    const summary = async (u: typeof alice) =>
      (await call("GET", "/api/conversations", { token: u.token })).body.conversations.find((c: { id: string }) => c.id === id);
    const read = (u: typeof alice, seq: number) => call("POST", `/api/conversations/${id}/read`, { token: u.token, body: { seq } });

    // My own messages never count as unread.
    expect(await summary(bob)).toMatchObject({ lastSeq: 4, readSeq: 0, unread: 3 });
    expect(await summary(alice)).toMatchObject({ lastSeq: 4, readSeq: 0, unread: 1 });

    expect((await read(bob, 2)).body).toEqual({ conversationId: id, readSeq: 2, unread: 1 });
    expect((await read(bob, 1)).body).toEqual({ conversationId: id, readSeq: 2, unread: 1 });
    expect((await read(bob, 999)).body).toEqual({ conversationId: id, readSeq: 4, unread: 0 });
    expect(await summary(bob)).toMatchObject({ readSeq: 4, unread: 0, peerReadSeq: 0 });
    // Alice's receipt: Bob has read up to 4, and the list says so after any reload.
    expect(await summary(alice)).toMatchObject({ readSeq: 0, unread: 1, peerReadSeq: 4 });

    await send(alice, textTo({ userId: bob.user.id }, "a4"));
    expect(await summary(bob)).toMatchObject({ lastSeq: 5, readSeq: 4, unread: 1 });

    const outsider = await registerUser("olive");
    expect((await read(outsider, 1)).status).toBe(404);
    expect((await call("POST", `/api/conversations/${id}/read`, { token: bob.token, body: { seq: -1 } })).status).toBe(400);
  });

  it("lists my conversations with peer or group, last message and unread counts (system messages not counted)", async () => {
    const alice = await registerUser("paul");
    const bob = await registerUser("quinn");
    const cara = await registerUser("rose");
    await befriend(alice, bob);
    const { groupId, conversationId: groupConversation } = await createGroup(alice, [bob, cara], "book club");
    await send(alice, textTo({ userId: bob.user.id }, "direct"));
    await send(cara, textTo({ groupId }, "group hello"));

    const list = await call("GET", "/api/conversations", { token: bob.token });
    expect(list.status).toBe(200);
    const [first, second] = list.body.conversations;
    expect(first).toMatchObject({
      id: groupConversation,
      kind: "group",
      peer: null,
      group: { id: groupId, name: "book club" },
      lastSeq: 3,
      unread: 1,
      lastMessage: { seq: 3, senderId: cara.user.id, body: { text: "group hello" } },
    });
    expect(second).toMatchObject({
      id: directConversationId(alice.user.id, bob.user.id),
      kind: "direct",
      peer: { id: alice.user.id, username: alice.user.username, online: false },
      group: null,
      lastSeq: 1,
      unread: 1,
    });
    const one = await call("GET", `/api/conversations/${groupConversation}`, { token: cara.token });
    expect(one.body.conversation).toMatchObject({ id: groupConversation, unread: 0, lastSeq: 3 });
  });
});

describe("API description", () => {
  it("documents the messaging routes in the OpenAPI document", async () => {
    const doc = await call("GET", "/api/openapi.json");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/messages",
        "/api/messages/{id}/recall",
        "/api/conversations",
        "/api/conversations/{id}",
        "/api/conversations/{id}/messages",
        "/api/conversations/{id}/read",
        "/api/files",
        "/api/files/{id}",
        "/api/ws",
      ]),
    );
    expect(doc.body.paths["/api/messages/{id}/recall"].post.responses["403"].description).toContain("recall_window_expired");
    expect(Object.keys(doc.body.paths["/api/files"].post.requestBody.content)).toEqual(["application/octet-stream"]);
  });
});
