import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.js";
import type { Runtime } from "../../worker/messaging/runtime.js";
import { sendMessage } from "../../worker/messaging/send-message.js";
import { directConversationId } from "../../protocol/index.js";
import { countingD1, sequentialTrips, type RoundTrip } from "./counting-d1.js";
import { messageDbOf } from "./message-dbs.js";
import { connect } from "./ws-client.js";
import { befriend, createGroup, registerUser, textTo, type TestUser } from "./messaging-fixtures.js";

// How many D1 round trips a send costs, held so a regression fails here. A 1:1 send to a
// conversation the isolate has seen is ONE: the message database's batch checks its copy of
// the friendship, seq, insert, unread counts, and reads its copy of edge presence for the
// push; the main database is not asked, by the send or by its push. A group send asks the
// main database (membership, directory) and then appends: two. Before the message databases
// both were 3 to 4 (friendship, membership, retry look-up, append), and every push read
// presence on the main database.

/**
 * The send's trips are those issued before its append settled; `pushTrips`, those after
 * (the push, the push record), kept apart.
 */
async function countedSend(sender: TestUser, to: { userId: string } | { groupId: string }) {
  const log: RoundTrip[] = [];
  const counted: Env = {
    ...env,
    DB: countingD1(env.DB, "main", log),
    MESSAGES_0: countingD1(env.MESSAGES_0, "messages", log),
    MESSAGES_1: countingD1(env.MESSAGES_1, "messages", log),
  } as Env & { MESSAGES_1: D1Database };
  const background: Promise<unknown>[] = [];
  const rt: Runtime = { env: counted, waitUntil: (promise) => background.push(promise) };
  const { created } = await sendMessage(rt, { userId: sender.user.id, deviceId: "counting" }, textTo(to, "counted"));
  await Promise.allSettled(background);
  expect(created).toBe(true);
  const appends = log.filter((trip) => trip.database === "messages" && trip.what.startsWith("batch"));
  const lastAppend = appends.at(-1)!;
  const trips = log.filter((trip) => trip.issued! < lastAppend.settled!);
  return {
    main: trips.filter((t) => t.database === "main").length,
    messages: trips.filter((t) => t.database === "messages").length,
    sequential: sequentialTrips(trips),
    trips,
    pushTrips: log.filter((trip) => trip.issued! > lastAppend.settled!),
  };
}

describe("D1 round trips per send", () => {
  it("a 1:1 text send between users on the edge: one round trip; neither the send nor its push asks the main database", async () => {
    const amy = await registerUser("amy");
    const ben = await registerUser("ben");
    // Online on the edge before anything is pushed to them.
    const sockets = [await connect(amy.token), await connect(ben.token)];
    await befriend(amy, ben);
    for (let i = 0; i < 2; i++) {
      const { main, messages, sequential, trips, pushTrips } = await countedSend(amy, { userId: ben.user.id });
      expect({ main, messages, sequential }, JSON.stringify(trips)).toEqual({ main: 0, messages: 1, sequential: 1 });
      expect(pushTrips.filter((t) => t.database === "main"), JSON.stringify(pushTrips)).toEqual([]);
    }
    // The push did reach ben's edge device: its object was called on the append's read.
    const frame = await sockets[1]!.next((f) => f.type === "message.new");
    expect(frame.message.body).toEqual({ text: "counted" });
    for (const socket of sockets) socket.close();
  });

  it("a 1:1 send between users without an edge device: one round trip, and no main-database trip after it either", async () => {
    const amy = await registerUser("amy");
    const ben = await registerUser("ben");
    await befriend(amy, ben);
    await countedSend(amy, { userId: ben.user.id });
    const { main, messages, sequential, trips, pushTrips } = await countedSend(amy, { userId: ben.user.id });
    expect({ main, messages, sequential }, JSON.stringify(trips)).toEqual({ main: 0, messages: 1, sequential: 1 });
    expect(pushTrips.filter((t) => t.database === "main"), JSON.stringify(pushTrips)).toEqual([]);
  });

  it("a 1:1 conversation without the copy of the friendship: the main database decides and the copy is written; the next send is one round trip", async () => {
    const amy = await registerUser("amy");
    const ben = await registerUser("ben");
    await befriend(amy, ben);
    const conversationId = directConversationId(amy.user.id, ben.user.id);
    // As a conversation created before the copy existed.
    await (await messageDbOf(conversationId)).prepare("DELETE FROM direct_send_rights WHERE conversation_id = ?1").bind(conversationId).run();
    const repaired = await countedSend(amy, { userId: ben.user.id });
    // The refused check, the main database's friendship check, the append that writes the copy.
    expect({ main: repaired.main, messages: repaired.messages, sequential: repaired.sequential }, JSON.stringify(repaired.trips)).toEqual({ main: 1, messages: 2, sequential: 3 });
    const next = await countedSend(ben, { userId: amy.user.id });
    expect({ messages: next.messages, sequential: next.sequential }, JSON.stringify(next.trips)).toEqual({ messages: 1, sequential: 1 });
  });

  it("a group text send: one to each, before and after the directory is cached", async () => {
    const owner = await registerUser("own");
    const members = [await registerUser("mem"), await registerUser("mem")];
    const group = await createGroup(owner, members);
    for (let i = 0; i < 2; i++) {
      const { main, messages, sequential, trips } = await countedSend(members[0]!, { groupId: group.groupId });
      expect({ main, messages, sequential }, JSON.stringify(trips)).toEqual({ main: 1, messages: 1, sequential: 2 });
    }
  });
});
