import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Message } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { befriend, createGroup, registerUser, send, textTo, type TestUser } from "./messaging-fixtures.js";
import { connect } from "./ws-client.js";
import { messageDbOfMessage } from "./message-dbs.js";

const recall = (user: TestUser, messageId: string) => call("POST", `/api/messages/${messageId}/recall`, { token: user.token });

/** Moves a message's send time into the past, beyond the default 120 s window. */
async function age(messageId: string, seconds: number): Promise<void> {
  await (await messageDbOfMessage(messageId)).prepare("UPDATE messages SET created_at = created_at - ?1 WHERE id = ?2").bind(seconds * 1000, messageId).run();
}

async function history(user: TestUser, conversationId: string): Promise<Message[]> {
  return (await call("GET", `/api/conversations/${conversationId}/messages`, { token: user.token })).body.messages;
}

describe("recall", () => {
  it("lets the sender recall within the window: body cleared for everyone, pushed and stored for sync", async () => {
    const alice = await registerUser("alice", "a1");
    const bob = await registerUser("bob", "b1");
    await befriend(alice, bob);
    const sent = (await send(alice, textTo({ userId: bob.user.id }, "oops, wrong chat"))).body.message as Message;
    const b = await connect(bob.token);

    const res = await recall(alice, sent.id);
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ id: sent.id, seq: 1, body: {}, kind: "text" });
    expect(res.body.message.recalledAt).toBeGreaterThanOrEqual(sent.createdAt);

    expect(await b.next("message.recalled")).toEqual({
      type: "message.recalled",
      conversationId: sent.conversationId,
      messageId: sent.id,
      seq: 1,
      recalledBy: alice.user.id,
      recalledAt: res.body.message.recalledAt,
    });
    const notice = await b.next((f) => f.type === "message.new" && f.message.kind === "system");
    expect(notice.message).toMatchObject({ seq: 2, body: { event: "message_recalled", messageId: sent.id, seq: 1, by: alice.user.id } });

    // History (what an offline device syncs) shows it recalled, followed by the notice.
    const stored = await history(bob, sent.conversationId);
    expect(stored.map((m) => [m.seq, m.kind, m.body])).toEqual([
      [1, "text", {}],
      [2, "system", { event: "message_recalled", messageId: sent.id, seq: 1, by: alice.user.id }],
    ]);
    expect(stored[0]!.recalledAt).toBe(res.body.message.recalledAt);
    const list = await call("GET", "/api/conversations", { token: bob.token });
    expect(list.body.conversations[0]).toMatchObject({ unread: 0, lastSeq: 2 });

    // Recalling again changes nothing and stores no second notice.
    const again = await recall(alice, sent.id);
    expect(again.status).toBe(200);
    expect(again.body.message.recalledAt).toBe(res.body.message.recalledAt);
    expect((await history(bob, sent.conversationId)).length).toBe(2);
    b.close();
  });

  it("refuses the sender outside the window, the other side, strangers and system messages", async () => {
    const alice = await registerUser("cleo");
    const bob = await registerUser("dirk");
    const stranger = await registerUser("edna");
    await befriend(alice, bob);
    const sent = (await send(alice, textTo({ userId: bob.user.id }, "hello"))).body.message as Message;

    const byPeer = await recall(bob, sent.id);
    expect(byPeer.status).toBe(403);
    expect(errorCode(byPeer)).toBe("forbidden");
    const byStranger = await recall(stranger, sent.id);
    expect(byStranger.status).toBe(404);
    expect((await recall(alice, crypto.randomUUID())).status).toBe(404);
    expect((await recall(alice, "nope")).status).toBe(404);

    await age(sent.id, 121);
    const late = await recall(alice, sent.id);
    expect(late.status).toBe(403);
    expect(errorCode(late)).toBe("recall_window_expired");
    expect((await history(bob, sent.conversationId))[0]).toMatchObject({ body: { text: "hello" }, recalledAt: null });

    // Just inside the window still works.
    const fresh = (await send(alice, textTo({ userId: bob.user.id }, "again"))).body.message as Message;
    await age(fresh.id, 110);
    expect((await recall(alice, fresh.id)).status).toBe(200);

    const { conversationId } = await createGroup(alice, [bob]);
    const [created] = await history(alice, conversationId);
    const system = await recall(alice, created!.id);
    expect(system.status).toBe(403);
  });

  it("lets a group owner or admin recall any message at any time, but not a plain member", async () => {
    const owner = await registerUser("fern");
    const admin = await registerUser("gail");
    const member = await registerUser("hope");
    const { groupId, conversationId } = await createGroup(owner, [admin, member]);
    const promoted = await call("PUT", `/api/groups/${groupId}/admins/${admin.user.id}`, { token: owner.token });
    expect(promoted.status).toBe(200);

    const m1 = (await send(member, textTo({ groupId }, "spam 1"))).body.message as Message;
    const m2 = (await send(member, textTo({ groupId }, "spam 2"))).body.message as Message;
    const byOwner = (await send(owner, textTo({ groupId }, "rules"))).body.message as Message;
    await age(m1.id, 3600);
    await age(m2.id, 3600);

    const plain = await recall(member, byOwner.id);
    expect(plain.status).toBe(403);
    expect(errorCode(plain)).toBe("forbidden");
    const ownMemberLate = await recall(member, m1.id);
    expect(errorCode(ownMemberLate)).toBe("recall_window_expired");

    expect((await recall(owner, m1.id)).status).toBe(200);
    expect((await recall(admin, m2.id)).status).toBe(200);
    const after = await history(member, conversationId);
    expect(after.find((m) => m.id === m1.id)).toMatchObject({ body: {}, recalledAt: expect.any(Number) });
    expect(after.find((m) => m.id === m2.id)).toMatchObject({ body: {}, recalledAt: expect.any(Number) });
    const notices = after.filter((m) => m.kind === "system" && (m.body as { event: string }).event === "message_recalled");
    expect(notices.map((n) => (n.body as { by: string }).by)).toEqual([owner.user.id, admin.user.id]);
  });
});
