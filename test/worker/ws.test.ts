import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, directConversationId } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { call, errorCode } from "./http.js";
import { befriend, loginDevice, registerUser, send, textTo } from "./messaging-fixtures.js";
import { connect, upgrade } from "./ws-client.js";

const newMessages = (frames: { type: string }[]) => frames.filter((f) => f.type === "message.new");

describe("edge WebSocket", () => {
  it("two users, one with two devices, exchange 1:1 messages over WebSocket and HTTP; each device sees what it should", async () => {
    const alice = await registerUser("alice", "a-phone");
    const aliceLaptop = await loginDevice(alice, "a-laptop");
    const bob = await registerUser("bob", "b-phone");
    await befriend(alice, bob);
    const [aPhone, aLaptop, bPhone] = await Promise.all([connect(alice.token), connect(aliceLaptop.token), connect(bob.token)]);

    // 1. alice's phone sends over its socket: an ack for the phone, a push for her laptop and for bob.
    aPhone.send({ type: "message.send", ...textTo({ userId: bob.user.id }, "hi bob", "ws-1") });
    const ack = await aPhone.next("message.ack");
    expect(ack.clientMsgId).toBe("ws-1");
    expect(ack.message).toMatchObject({
      conversationId: directConversationId(alice.user.id, bob.user.id),
      seq: 1,
      senderId: alice.user.id,
      kind: "text",
      body: { text: "hi bob" },
      recalledAt: null,
    });
    expect((await aLaptop.next("message.new")).message).toEqual(ack.message);
    expect((await bPhone.next("message.new")).message).toEqual(ack.message);

    // 2. bob answers over HTTP from his phone: both of alice's devices get it, bob's phone has the response.
    const reply = await send(bob, textTo({ userId: alice.user.id }, "hi alice"));
    expect(reply.status).toBe(201);
    expect(reply.body.message.seq).toBe(2);
    expect((await aPhone.next("message.new")).message.id).toBe(reply.body.message.id);
    expect((await aLaptop.next("message.new")).message.id).toBe(reply.body.message.id);

    // 3. alice's laptop sends over HTTP: her phone and bob see it, the laptop has the response.
    const third = await send(aliceLaptop, textTo({ userId: bob.user.id }, "from my laptop"));
    expect(third.body.message.seq).toBe(3);
    expect((await aPhone.next("message.new")).message.id).toBe(third.body.message.id);
    expect((await bPhone.next("message.new")).message.id).toBe(third.body.message.id);

    // Exactly once: nothing else arrived anywhere (the sending device never gets its own message back).
    expect(newMessages(await aPhone.leftover())).toEqual([]);
    expect(newMessages(await aLaptop.leftover(0))).toEqual([]);
    expect(newMessages(await bPhone.leftover(0))).toEqual([]);
    for (const s of [aPhone, aLaptop, bPhone]) s.close();
  });

  it("refuses a missing, forged or expired token with a 401 JSON answer and no socket", async () => {
    const u = await registerUser("carol");
    const none = await upgrade("");
    expect(none.status).toBe(401);
    expect(none.webSocket).toBeNull();
    expect((await none.json<any>()).error.code).toBe("unauthorized");

    const forged = await signAccessToken("another-secret-0123456789abcdef0123456789", { userId: u.user.id, deviceId: "d", sessionId: "s" }, 900);
    const bad = await upgrade(`?token=${forged}`);
    expect(bad.status).toBe(401);
    expect(bad.webSocket).toBeNull();

    const old = await signAccessToken(env.AUTH_SECRET, { userId: u.user.id, deviceId: "d", sessionId: "s" }, 60, Date.now() - 3600_000);
    const expired = await upgrade("", { "Sec-WebSocket-Protocol": old });
    expect(expired.status).toBe(401);
    expect(expired.webSocket).toBeNull();
    expect((await expired.json<any>()).error.code).toBe("token_expired");

    const plainGet = await call("GET", `/api/ws?token=${u.token}`);
    expect(plainGet.status).toBe(426);
    expect(errorCode(plainGet)).toBe("upgrade_required");
  });

  it("accepts the token as Sec-WebSocket-Protocol and echoes it back", async () => {
    const u = await registerUser("dan", "browser-1");
    const socket = await connect(u.token, "protocol");
    expect(socket.response.status).toBe(101);
    expect(socket.response.headers.get("Sec-WebSocket-Protocol")).toBe(u.token);
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    socket.close();
  });

  it("answers bad frames with an error frame and keeps the socket usable", async () => {
    const alice = await registerUser("eve", "e1");
    const bob = await registerUser("frank", "f1");
    const stranger = await registerUser("gus");
    await befriend(alice, bob);
    const s = await connect(alice.token);

    s.send("not json at all");
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame" });
    s.send({ type: "nope" });
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame" });
    s.send("[1, 2, 3]");
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame" });
    s.ws.send(new Uint8Array([1, 2, 3]));
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame" });
    s.send({ type: "message.send", to: { userId: bob.user.id }, clientMsgId: "bad-1", kind: "text" });
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame", clientMsgId: "bad-1" });
    s.send({ type: "message.send", ...textTo({ userId: bob.user.id }, "x".repeat(5001), "bad-2") });
    expect(await s.next("error")).toMatchObject({ code: "invalid_frame", clientMsgId: "bad-2" });
    s.send({ type: "message.send", ...textTo({ userId: stranger.user.id }, "hello?", "bad-3") });
    expect(await s.next("error")).toMatchObject({ code: "forbidden", clientMsgId: "bad-3" });
    s.send({ type: "message.send", ...textTo({ userId: bob.user.id }, "y".repeat(70_000), "bad-4") });
    expect(await s.next("error")).toMatchObject({ code: "payload_too_large" });
    s.send({ type: "read", conversationId: directConversationId(stranger.user.id, bob.user.id), seq: 1 });
    expect(await s.next("error")).toMatchObject({ code: "not_found" });

    // Still usable after all that.
    s.send({ type: "ping", t: 1 });
    expect(await s.next("pong")).toEqual({ type: "pong", t: 1 });
    s.send({ type: "message.send", ...textTo({ userId: bob.user.id }, "still here", "good-1") });
    expect((await s.next("message.ack")).message).toMatchObject({ seq: 1, body: { text: "still here" } });
    s.close();
  });

  it("a retried message.send with the same clientMsgId acks the same stored message, pushed once", async () => {
    const alice = await registerUser("hank", "h1");
    const bob = await registerUser("ida", "i1");
    await befriend(alice, bob);
    const [a, b] = await Promise.all([connect(alice.token), connect(bob.token)]);
    const frame = { type: "message.send", ...textTo({ userId: bob.user.id }, "once", "retry-me") };
    a.send(frame);
    a.send(frame);
    const [first, second] = await a.take(2, "message.ack");
    expect(second!.message).toEqual(first!.message);
    expect(newMessages(await b.take(1, "message.new"))).toHaveLength(1);
    expect(newMessages(await b.leftover())).toEqual([]);
    const history = await call("GET", `/api/conversations/${first!.message.conversationId}/messages`, { token: bob.token });
    expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual([first!.message.id]);
    a.close();
    b.close();
  });

  it("keeps one socket per device: a new connection closes the old one with a clear code", async () => {
    const u = await registerUser("jan", "tablet");
    const old = await connect(u.token);
    const fresh = await connect(u.token);
    expect((await old.closed).code).toBe(CLOSE_CODES.replaced);
    fresh.send({ type: "ping" });
    expect(await fresh.next("pong")).toEqual({ type: "pong" });
    fresh.close();
  });

  it("relays typing to the peer only and stores nothing", async () => {
    const alice = await registerUser("kim", "k-phone");
    const aliceLaptop = await loginDevice(alice, "k-laptop");
    const bob = await registerUser("lee", "l-phone");
    await befriend(alice, bob);
    const [aPhone, aLaptop, b] = await Promise.all([connect(alice.token), connect(aliceLaptop.token), connect(bob.token)]);
    const conversationId = directConversationId(alice.user.id, bob.user.id);
    aPhone.send({ type: "typing", conversationId });
    expect(await b.next("typing")).toEqual({ type: "typing", conversationId, userId: alice.user.id });
    expect((await aLaptop.leftover()).filter((f) => f.type === "typing")).toEqual([]);
    const list = await call("GET", "/api/conversations", { token: bob.token });
    expect(list.body.conversations[0]).toMatchObject({ id: conversationId, lastSeq: 0, unread: 0, lastMessage: null });
    for (const s of [aPhone, aLaptop, b]) s.close();
  });

  it("a read frame moves my read position, tells my other devices and sends the peer a receipt", async () => {
    const alice = await registerUser("max", "m-phone");
    const aliceLaptop = await loginDevice(alice, "m-laptop");
    const bob = await registerUser("ned", "n-phone");
    await befriend(alice, bob);
    for (const t of ["one", "two"]) await send(bob, textTo({ userId: alice.user.id }, t));
    const [aPhone, aLaptop, b] = await Promise.all([connect(alice.token), connect(aliceLaptop.token), connect(bob.token)]);
    const conversationId = directConversationId(alice.user.id, bob.user.id);
    aPhone.send({ type: "read", conversationId, seq: 2 });
    const expected = { type: "read", conversationId, userId: alice.user.id, seq: 2 };
    expect(await aLaptop.next("read")).toEqual(expected);
    expect(await b.next("read")).toEqual(expected);
    const list = await call("GET", "/api/conversations", { token: alice.token });
    expect(list.body.conversations[0]).toMatchObject({ readSeq: 2, unread: 0 });
    for (const s of [aPhone, aLaptop, b]) s.close();
  });

  it("shows a user's online state to friends while any socket is open", async () => {
    const alice = await registerUser("olga", "o-phone");
    const aliceLaptop = await loginDevice(alice, "o-laptop");
    const bob = await registerUser("pete", "p-phone");
    await befriend(alice, bob);
    const b = await connect(bob.token);
    const online = async () => (await call("GET", `/api/friends/${alice.user.id}`, { token: bob.token })).body.friend.user.online;
    expect(await online()).toBe(false);

    const phone = await connect(alice.token);
    expect(await b.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: true });
    expect(await online()).toBe(true);
    const list = await call("GET", "/api/friends", { token: bob.token });
    expect(list.body.friends[0].user).toMatchObject({ id: alice.user.id, online: true });

    // A second device changes nothing for friends; closing one of two keeps her online.
    const laptop = await connect(aliceLaptop.token);
    phone.close();
    await phone.closed;
    expect((await b.leftover(300)).filter((f) => f.type === "presence")).toEqual([]);
    expect(await online()).toBe(true);

    laptop.close();
    expect(await b.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: false });
    expect(await online()).toBe(false);
    b.close();
  });
});
