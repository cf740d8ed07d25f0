import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userHub } from "../../worker/user-hub/stub.js";
import { befriend, registerUser, send, textTo } from "./messaging-fixtures.js";
import { MESSAGE_DBS } from "./message-dbs.js";
import { connect, type Frame } from "./ws-client.js";

// The copy of edge presence on every message database (worker/db/edge-user-copies.ts): a
// send's append reads it after its insert, so the push calls the right Durable Objects with
// no query on the main database. It must exist on EVERY message database before a socket
// gets `ready`, and go when the last socket closes.

const copies = async (userId: string) =>
  Promise.all(MESSAGE_DBS.map((d1) => d1.prepare("SELECT user_id FROM edge_users WHERE user_id = ?1").bind(userId).first<string>("user_id")));

/** Waits (up to 5 s) until the copies are gone: the object deletes them after the close. */
async function copiesGone(userId: string): Promise<boolean> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
    if ((await copies(userId)).every((copy) => copy === null)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const isNew = (id: string) => (f: Frame) => f.type === "message.new" && f.message.id === id;

describe("the copies of edge presence on the message databases", () => {
  it("exist on every message database when `ready` arrives, and stay until the last socket closes", async () => {
    const amy = await registerUser("ec_a");
    expect(await copies(amy.user.id)).toEqual([null, null]);
    const phone = await connect(amy.token); // resolves on `ready`
    expect(await copies(amy.user.id)).toEqual([amy.user.id, amy.user.id]);
    const laptop = await connect(amy.token);
    phone.close();
    // One device is still connected: a message reaches it through the copy.
    const ben = await registerUser("ec_b");
    await befriend(amy, ben);
    const sent = await send(ben, textTo({ userId: amy.user.id }, "to the laptop"));
    await laptop.next(isNew(sent.body.message.id as string));
    expect(await copies(amy.user.id)).toEqual([amy.user.id, amy.user.id]);
    laptop.close();
    expect(await copiesGone(amy.user.id)).toBe(true);
  });

  it("a send pushes by the copy: a user whose copies are missing is not called, whatever the main database says", async () => {
    const [amy, ben] = [await registerUser("ec_c"), await registerUser("ec_d")];
    await befriend(amy, ben);
    const benWs = await connect(ben.token);
    // The main database still says ben is on the edge; only the copies are gone.
    await Promise.all(MESSAGE_DBS.map((d1) => d1.prepare("DELETE FROM edge_users WHERE user_id = ?1").bind(ben.user.id).run()));
    const unseen = await send(amy, textTo({ userId: ben.user.id }, "not pushed to the edge"));
    expect(unseen.status).toBe(201);
    // Had ben's object been called, the frame would arrive within the 300 ms waited here
    // (the pushes of this test Worker reach a socket in a few ms).
    expect((await benWs.leftover(300)).filter(isNew(unseen.body.message.id as string))).toEqual([]);
    benWs.close();
  });

  it("a stale copy (sockets lost without close events) costs one call, and that call deletes it", async () => {
    const [amy, ben] = [await registerUser("ec_s"), await registerUser("ec_t")];
    await befriend(amy, ben);
    (await connect(amy.token)).close();
    expect(await copiesGone(amy.user.id)).toBe(true);
    // What a restart of amy's object leaves: recorded online, copies on every database, no socket.
    await runInDurableObject(userHub(env, amy.user.id), (_instance, state) =>
      state.storage.put({ "edge-online": true, "edge-copies": "MESSAGES_0,MESSAGES_1" }),
    );
    await Promise.all(MESSAGE_DBS.map((d1) => d1.prepare("INSERT INTO edge_users (user_id, since) VALUES (?1, ?2)").bind(amy.user.id, Date.now()).run()));
    expect(await copies(amy.user.id)).toEqual([amy.user.id, amy.user.id]);
    expect((await send(ben, textTo({ userId: amy.user.id }, "to a socket that is gone"))).status).toBe(201);
    expect(await copiesGone(amy.user.id)).toBe(true);
  });

  it("an object whose record predates the copies writes them before its next socket's `ready`", async () => {
    const amy = await registerUser("ec_e");
    const first = await connect(amy.token);
    // What an object recorded online before this change holds: the record without the cover
    // of the copies, and no copy on any message database.
    // The record is stored after `ready` (once the friends are told): wait for it, then undo it.
    const hub = userHub(env, amy.user.id);
    const coverStored = () => runInDurableObject(hub, async (_instance, state) => (await state.storage.get("edge-copies")) !== undefined);
    for (const deadline = Date.now() + 5_000; !(await coverStored()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await runInDurableObject(hub, (_instance, state) => state.storage.delete("edge-copies"))).toBe(true);
    await Promise.all(MESSAGE_DBS.map((d1) => d1.prepare("DELETE FROM edge_users WHERE user_id = ?1").bind(amy.user.id).run()));
    const second = await connect(amy.token);
    expect(await copies(amy.user.id)).toEqual([amy.user.id, amy.user.id]);
    first.close();
    second.close();
  });
});
