// Abuse limits (worker/limits/, docs/API.md "Limits"), each at its default (LIMIT_FRAMES at
// 1000/10, set in vitest.config.ts): a burst past it
// is refused with 429 rate_limited and Retry-After over HTTP, or an error frame
// { code: "rate_limited", retryAfter } on the edge socket. Every count but the frames' is
// the user's (or the address's) in its Durable Object, shared by HTTP, edge and Socket.IO.
import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol/index.js";
import { call, errorCode, type Answer } from "./http.js";
import { befriend, createGroup, loginDevice, registerUser, send, textTo } from "./messaging-fixtures.js";
import { connect, TestSocket, upgrade } from "./ws-client.js";

/** Every refusal is 429 rate_limited with a Retry-After of whole seconds, at least 1. */
function expectRateLimited(answers: Answer[]): void {
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    expect(answer.status).toBe(429);
    expect(errorCode(answer)).toBe("rate_limited");
    expect(Number(answer.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  }
}

const split = (answers: Answer[], ok: number) => ({
  passed: answers.filter((a) => a.status === ok),
  refused: answers.filter((a) => a.status !== ok),
});

describe("rate limits", () => {
  it("message sends per user: a burst of 300 stops after about 60, and the edge socket shares the count", async () => {
    const alice = await registerUser("limsend");
    const bob = await registerUser("limsendpeer");
    await befriend(alice, bob);
    const socket = await connect(alice.token);
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => send(alice, textTo({ userId: bob.user.id }, `m${i}`))));
    const { passed, refused } = split(answers, 201);
    // A burst of 60, refilled at 6 per second while the burst runs.
    expect(passed.length).toBeGreaterThanOrEqual(60);
    expect(passed.length).toBeLessThan(200);
    expectRateLimited(refused);

    // The same user's edge socket draws from the same bucket: of 40 sends right after the
    // burst, only what refilled meanwhile passes.
    for (let i = 0; i < 40; i++) socket.send({ type: "message.send", ...textTo({ userId: bob.user.id }, "over the edge", `edge-${i}`) });
    const edgeAnswers = await socket.take(40, (f) => f.type === "message.ack" || f.type === "error", 10_000);
    const refusals = edgeAnswers.filter((f) => f.type === "error");
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ code: "rate_limited", clientMsgId: expect.stringMatching(/^edge-/) });
      expect(refusal.retryAfter).toBeGreaterThanOrEqual(1);
    }
    // Another user is not affected.
    expect((await send(bob, textTo({ userId: alice.user.id }, "still fine"))).status).toBe(201);
    socket.close();
  });

  it("frames per edge socket: of 1200 pings about 1000 are answered, the rest refused with retryAfter", async () => {
    const user = await registerUser("limframes");
    const socket = await connect(user.token);
    for (let i = 0; i < 1200; i++) socket.send({ type: "ping", t: i });
    const answers = await socket.take(1200, (f) => f.type === "pong" || f.type === "error", 10_000);
    const pongs = answers.filter((f) => f.type === "pong");
    const errors = answers.filter((f) => f.type === "error");
    expect(pongs.length).toBeGreaterThanOrEqual(1000);
    expect(pongs.length).toBeLessThan(1200);
    for (const error of errors) expect(error).toMatchObject({ code: "rate_limited", retryAfter: expect.any(Number) });
    // Another socket of the same user has its own bucket.
    const other = await loginDevice(user, "second-device");
    const fresh = await connect(other.token);
    fresh.send({ type: "ping", t: 1 });
    expect(await fresh.next("pong")).toMatchObject({ t: 1 });
    socket.close();
    fresh.close();
  });

  it("typing per user: 100 notices into a group stop after about 20, over HTTP and on the socket", async () => {
    const owner = await registerUser("limtyping");
    const { conversationId } = await createGroup(owner, []);
    const path = `/api/conversations/${encodeURIComponent(conversationId)}/typing`;
    const answers = await Promise.all(Array.from({ length: 100 }, () => call("POST", path, { token: owner.token })));
    const { passed, refused } = split(answers, 200);
    expect(passed.length).toBeGreaterThanOrEqual(20);
    expect(passed.length).toBeLessThan(60);
    expectRateLimited(refused);
    const socket = await connect(owner.token);
    socket.send({ type: "typing", conversationId });
    expect(await socket.next("error")).toMatchObject({ code: "rate_limited", retryAfter: expect.any(Number) });
    socket.close();
  });

  it("friend requests per user: 20 an hour", async () => {
    const asker = await registerUser("limfriends");
    const targets = await Promise.all(Array.from({ length: 30 }, () => registerUser("limfriendtarget")));
    const answers = await Promise.all(targets.map((t) => call("POST", "/api/friends/requests", { token: asker.token, body: { userId: t.user.id } })));
    const { passed, refused } = split(answers, 201);
    expect(passed).toHaveLength(20);
    expectRateLimited(refused);
  });

  it("group creation (10 an hour) and invite calls (30 an hour) per user", async () => {
    const owner = await registerUser("limgroups");
    const created = await Promise.all(Array.from({ length: 15 }, (_, i) => call("POST", "/api/groups", { token: owner.token, body: { name: `g${i}` } })));
    const creates = split(created, 201);
    expect(creates.passed).toHaveLength(10);
    expectRateLimited(creates.refused);

    const groupId = creates.passed[0]!.body.group.id as string;
    const invited = await Promise.all(
      Array.from({ length: 35 }, () => call("POST", `/api/groups/${groupId}/members`, { token: owner.token, body: { userIds: [owner.user.id] } })),
    );
    const invites = split(invited, 200);
    expect(invites.passed).toHaveLength(30);
    expectRateLimited(invites.refused);
  });

  it("registrations per client address: 20 an hour; another address is not affected", async () => {
    const register = (address: string, i: number) =>
      call("POST", "/api/auth/register", {
        headers: { "CF-Connecting-IP": address },
        body: { username: `limreg${i}_${Math.random().toString(36).slice(2, 7)}`, password: "correct horse battery" },
      });
    const answers: Answer[] = [];
    for (let i = 0; i < 23; i++) answers.push(await register("203.0.113.50", i));
    const { passed, refused } = split(answers, 201);
    expect(passed).toHaveLength(20);
    expectRateLimited(refused);
    expect((await register("203.0.113.51", 99)).status).toBe(201);
  });

  /**
   * A socket for `token` once the user's object admits it: the object learns of a closed
   * socket a moment after the client does, and a refusal says so at once (error, 4029).
   */
  async function admitted(token: string): Promise<TestSocket> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const res = await upgrade(`?token=${encodeURIComponent(token)}`);
      res.webSocket!.accept();
      const socket = new TestSocket(res.webSocket!, res);
      if ((await socket.next((f) => f.type === "ready" || f.type === "error")).type === "ready") return socket;
      await socket.closed;
    }
    throw new Error("the device was never admitted");
  }

  it("edge sockets per user: at most 10 devices at once; the 11th is told why and closed with 4029", async () => {
    const user = await registerUser("limsockets");
    const devices = [];
    for (let i = 0; i < 11; i++) devices.push(await loginDevice(user, `dev-${i}`));
    const sockets: TestSocket[] = [];
    for (const device of devices.slice(0, 10)) sockets.push(await connect(device.token));

    const res = await upgrade(`?token=${encodeURIComponent(devices[10]!.token)}`);
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const refused = new TestSocket(res.webSocket!, res);
    expect(await refused.next("error")).toMatchObject({ code: "rate_limited" });
    expect((await refused.closed).code).toBe(CLOSE_CODES.tooManySockets);

    // A device already connected may still reconnect (its old socket is replaced).
    const again = await connect(devices[0]!.token);
    expect((await sockets[0]!.closed).code).toBe(CLOSE_CODES.replaced);
    // Once one device leaves, another may join.
    sockets[1]!.close();
    await sockets[1]!.closed;
    const joined = await admitted(devices[10]!.token);
    for (const s of [...sockets, again, joined]) s.close();
  });
});
