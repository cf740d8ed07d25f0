// A push calls the Durable Objects of the recipients with an edge device, and no other:
// deliver() reads the main DB's presence rows (gateway 'edge'), and a send's push the copy
// of them its append read (worker/db/edge-user-copies.ts); a user's object writes both
// before it sends a socket `ready`. Users without an edge device cost nothing.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ServerEvent } from "../../protocol/index.js";
import { deliverWithReport } from "../../worker/delivery/deliver.js";
import { userHub } from "../../worker/user-hub/stub.js";
import { call } from "./http.js";
import { befriend, createGroup, registerUser, send, textTo } from "./messaging-fixtures.js";
import { connect, type Frame } from "./ws-client.js";

const edgeRow = (userId: string) =>
  env.DB.prepare("SELECT user_id FROM presence WHERE user_id = ?1 AND gateway = 'edge'").bind(userId).first<string>("user_id");
/** The row and its copies on both message databases of the test Worker. */
const dropEdgeRows = (userId: string) =>
  Promise.all(
    [
      env.DB.prepare("DELETE FROM presence WHERE user_id = ?1 AND gateway = 'edge'"),
      env.MESSAGES_0.prepare("DELETE FROM edge_users WHERE user_id = ?1"),
      env.MESSAGES_1.prepare("DELETE FROM edge_users WHERE user_id = ?1"),
    ].map((statement) => statement.bind(userId).run()),
  );
const isNew = (id: string) => (f: Frame) => f.type === "message.new" && f.message.id === id;
const presenceOf = (userId: string): ServerEvent => ({ type: "presence", userId, online: true });

/** How long a "nothing else arrived" check waits after the same push reached another member. */
const QUIET_MS = 300;

describe("pushes reach only the objects of users with an edge device", () => {
  it("a 1:1 push to an offline user calls no object; to a connected one, one", async () => {
    const [alice, bob] = [await registerUser("eo_a"), await registerUser("eo_b")];
    // Before: every recipient's object was called (2 per 1:1 push: the peer's and the sender's own).
    expect((await deliverWithReport(env, [alice.user.id, bob.user.id], presenceOf(alice.user.id))).edgeCalls).toBe(0);

    const bobWs = await connect(bob.token);
    const report = await deliverWithReport(env, [alice.user.id, bob.user.id], presenceOf(alice.user.id));
    expect(report).toMatchObject({ edgeCalls: 1, sockets: 1, complete: true, core: "no-bridge" });
    expect(await bobWs.next("presence")).toEqual(presenceOf(alice.user.id));
    bobWs.close();
  });

  it("a socket whose user has no presence row gets no push: its object is not called", async () => {
    const [owner, seen, unseen] = [await registerUser("eo_o"), await registerUser("eo_s"), await registerUser("eo_u")];
    const group = await createGroup(owner, [seen, unseen]);
    const [seenWs, unseenWs] = [await connect(seen.token), await connect(unseen.token)];
    // The state a lost write would leave: a connected socket, no row. Only the rows decide.
    await dropEdgeRows(unseen.user.id);

    const sent = await send(owner, textTo({ groupId: group.groupId }, "to the members with a row"));
    expect(sent.status).toBe(201);
    const id = sent.body.message.id as string;
    await seenWs.next(isNew(id));
    // The objects are called all at once: had this one been called, its frame would follow within QUIET_MS.
    expect((await unseenWs.leftover(QUIET_MS)).filter(isNew(id))).toEqual([]);
    seenWs.close();
    unseenWs.close();
  });

  it("with edgeUserIds the caller names the objects: no other is called, no presence is read", async () => {
    const [alice, bob] = [await registerUser("eo_k"), await registerUser("eo_l")];
    const [aliceWs, bobWs] = [await connect(alice.token), await connect(bob.token)];
    const report = await deliverWithReport(env, [alice.user.id, bob.user.id], presenceOf(alice.user.id), {
      edgeUserIds: [bob.user.id, "not-a-recipient"],
    });
    expect(report).toMatchObject({ edgeCalls: 1, sockets: 1 });
    await bobWs.next("presence");
    expect((await aliceWs.leftover(QUIET_MS)).filter((f) => f.type === "presence")).toEqual([]);
    aliceWs.close();
    bobWs.close();
  });

  it("a device's presence row exists before it receives `ready`", async () => {
    // Several first connections at once: each socket checks the row the moment `ready` arrives.
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => registerUser(`eo_r${i}`)));
    const sockets = await Promise.all(
      users.map(async (user) => {
        const socket = await connect(user.token); // resolves on `ready`
        expect(await edgeRow(user.user.id)).toBe(user.user.id);
        return socket;
      }),
    );
    // A second device of a user already online: its `ready` too comes with the row in place.
    const again = await connect(users[0]!.token);
    expect(await edgeRow(users[0]!.user.id)).toBe(users[0]!.user.id);
    for (const s of [...sockets, again]) s.close();
  });

  it("a device that connects after the push read presence gets the message by its sync after `ready`", async () => {
    const [alice, bob] = [await registerUser("eo_x"), await registerUser("eo_y")];
    await befriend(alice, bob);
    const sent = await send(alice, textTo({ userId: bob.user.id }, "stored before bob's device came"));
    const id = sent.body.message.id as string;
    // A push that reads presence now (after the store) finds no row for bob: no call.
    const push = await deliverWithReport(env, [bob.user.id], { type: "message.new", message: sent.body.message });
    expect(push.edgeCalls).toBe(0);
    const bobWs = await connect(bob.token); // its row is written, then `ready`, then the sync
    const list = await call("GET", "/api/conversations", { token: bob.token });
    const conversation = list.body.conversations.find((c: { id: string }) => c.id === sent.body.message.conversationId);
    expect(conversation).toMatchObject({ lastSeq: 1, unread: 1 });
    const page = await call("GET", `/api/conversations/${conversation.id}/messages?afterSeq=0`, { token: bob.token });
    expect(page.body.messages.map((m: { id: string }) => m.id)).toEqual([id]);
    bobWs.close();
  });

  it("a stale row (sockets lost without close events) costs one call, and that call clears it", async () => {
    const [alice, bob] = [await registerUser("eo_st"), await registerUser("eo_sf")];
    await befriend(alice, bob);
    const bobWs = await connect(bob.token);
    const aliceWs = await connect(alice.token);
    expect((await bobWs.next("presence")).online).toBe(true);
    aliceWs.close();
    expect((await bobWs.next("presence")).online).toBe(false);
    // What a restart of alice's object leaves: recorded online, a row, no socket.
    await runInDurableObject(userHub(env, alice.user.id), (_instance, state) => state.storage.put("edge-online", true));
    await env.DB.prepare("INSERT INTO presence (user_id, gateway, since) VALUES (?1, 'edge', ?2)").bind(alice.user.id, Date.now()).run();

    const report = await deliverWithReport(env, [alice.user.id], presenceOf(bob.user.id));
    expect(report).toMatchObject({ edgeCalls: 1, sockets: 0 });
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: false });
    expect(await edgeRow(alice.user.id)).toBeNull();
    expect((await deliverWithReport(env, [alice.user.id], presenceOf(bob.user.id))).edgeCalls).toBe(0);
    bobWs.close();
  });

  it("a 500-member group push calls the 50 objects of the members with an edge device", async () => {
    const owner = await registerUser("eo_big");
    const ids = Array.from({ length: 500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const now = Date.now();
    // 500 users at once, straight into D1 (registering each would hash 500 passwords): copies of the owner's row.
    const template = (await env.DB.prepare("SELECT * FROM users WHERE id = ?1").bind(owner.user.id).first<Record<string, unknown>>())!;
    const columns = Object.keys(template);
    const insertUser = `INSERT INTO users (${columns.join(", ")}) VALUES (${columns.map((_, j) => `?${j + 1}`).join(", ")})`;
    await env.DB.batch(ids.map((id, i) => env.DB.prepare(insertUser).bind(...columns.map((c) => ({ ...template, id, username: `bulk${i}` })[c]))));
    // 50 at the edge (rows only: their objects hold no socket), 150 on a core gateway, 300 offline.
    const rows = [
      ...ids.slice(0, 50).map((id) => env.DB.prepare("INSERT INTO presence (user_id, gateway, since) VALUES (?1, 'edge', ?2)").bind(id, now)),
      ...ids.slice(50, 200).map((id) => env.DB.prepare("INSERT INTO presence (user_id, gateway, since) VALUES (?1, 'node-x', ?2)").bind(id, now)),
    ];
    await env.DB.batch(rows);
    const report = await deliverWithReport(env, ids, presenceOf(owner.user.id));
    // Before, each of the 500 objects was called (about 145-175 ms of workerd CPU per push, 17-19 ms now).
    expect(report).toMatchObject({ edgeCalls: 50, sockets: 0, complete: true });
  }, 30_000);
});
