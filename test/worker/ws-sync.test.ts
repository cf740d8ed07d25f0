import { describe, expect, it } from "vitest";
import { directConversationId, type Message } from "../../protocol/index.js";
import { call } from "./http.js";
import { befriend, createGroup, loginDevice, registerUser, send, textTo } from "./messaging-fixtures.js";
import { connect, type Frame } from "./ws-client.js";

describe("group fan-out and offline sync", () => {
  it("every member of a group receives every message exactly once, with consecutive seqs", async () => {
    const owner = await registerUser("owner", "o1");
    const members = [await registerUser("m1", "d1"), await registerUser("m2", "d2"), await registerUser("m3", "d3")];
    const { groupId, conversationId } = await createGroup(owner, members);
    const everyone = [owner, ...members];
    const sockets = await Promise.all(everyone.map((u) => connect(u.token)));
    // Creating the group stored system messages (created, members joined) before anyone connected.
    const before = await call("GET", `/api/conversations/${conversationId}/messages`, { token: owner.token });
    const base = before.body.lastSeq as number;
    expect(base).toBe(2);
    const chat = (f: Frame) => f.type === "message.new" && f.message.kind === "text";

    // Each member sends two messages, half over the socket and half over HTTP.
    const sent: Message[] = [];
    for (const [i, user] of everyone.entries()) {
      sockets[i]!.send({ type: "message.send", ...textTo({ groupId }, `ws from ${i}`) });
      sent.push((await sockets[i]!.next("message.ack")).message);
      const res = await send(user, textTo({ groupId }, `http from ${i}`));
      expect(res.status).toBe(201);
      sent.push(res.body.message);
    }
    expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: 8 }, (_, k) => base + 1 + k));

    for (const [i, user] of everyone.entries()) {
      const expected = sent.filter((m) => m.senderId !== user.user.id);
      const got = (await sockets[i]!.take(expected.length, chat)).map((f) => f.message as Message);
      expect(got.map((m) => m.id).sort()).toEqual(expected.map((m) => m.id).sort());
      const extra = (await sockets[i]!.leftover(i === 0 ? 300 : 0)).filter(chat);
      expect(extra).toEqual([]);
    }
    for (const s of sockets) s.close();
  });

  it("a device that disconnects, misses messages and reconnects recovers all of them by sync", async () => {
    const alice = await registerUser("alice", "a1");
    const bob = await registerUser("bob", "b-phone");
    await befriend(alice, bob);
    const conversationId = directConversationId(alice.user.id, bob.user.id);
    const bobPhone = await connect(bob.token);
    await send(alice, textTo({ userId: bob.user.id }, "before"));
    const seen = (await bobPhone.next("message.new")).message as Message;
    expect(seen.seq).toBe(1);
    bobPhone.close();
    await bobPhone.closed;

    // Offline: alice writes 7 more, and bob's own laptop writes one too.
    for (let i = 0; i < 7; i++) await send(alice, textTo({ userId: bob.user.id }, `missed ${i}`));
    await send(await loginDevice(bob, "b-laptop"), textTo({ userId: alice.user.id }, "from the laptop"));

    // Reconnect, then sync from the last seq seen: ready first, so nothing falls between.
    const again = await connect(bob.token);
    const list = await call("GET", "/api/conversations", { token: bob.token });
    const summary = list.body.conversations.find((c: { id: string }) => c.id === conversationId);
    expect(summary).toMatchObject({ lastSeq: 9, readSeq: 0, unread: 8 });
    expect(summary.lastMessage).toMatchObject({ seq: 9, body: { text: "from the laptop" } });

    const recovered: Message[] = [];
    let after = seen.seq;
    for (;;) {
      const page = await call("GET", `/api/conversations/${conversationId}/messages?afterSeq=${after}&limit=3`, { token: bob.token });
      expect(page.status).toBe(200);
      recovered.push(...page.body.messages);
      after = recovered.at(-1)?.seq ?? after;
      if (!page.body.hasMore) break;
    }
    expect(recovered.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(recovered.slice(0, 7).map((m) => (m.body as { text: string }).text)).toEqual(
      Array.from({ length: 7 }, (_, i) => `missed ${i}`),
    );

    // A push after the sync continues the sequence with no gap.
    await send(alice, textTo({ userId: bob.user.id }, "live again"));
    expect((await again.next("message.new")).message.seq).toBe(10);
    again.close();
  });
});

