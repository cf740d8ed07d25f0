import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.js";
import type { Runtime } from "../../worker/messaging/runtime.js";
import { sendMessage } from "../../worker/messaging/send-message.js";
import { countingD1, type RoundTrip } from "./counting-d1.js";
import { befriend, createGroup, registerUser, textTo, type TestUser } from "./messaging-fixtures.js";

// How many D1 round trips a send costs, held so a regression fails here. A send asks the
// main database once (permission, directory, who has an edge device: one batch) and the
// conversation's message database once (idempotency check, seq, insert, unread counts: one
// batch). Before the message databases it was 4 (1:1: friendship, membership, retry look-up,
// append) and 3 (group: members, retry look-up, append).

/** What the push after the answer runs (deliver's own presence look-up, the push record): not the send's. */
const isPush = (trip: RoundTrip) => /SET pushed_at/.test(trip.what) || (!trip.what.startsWith("batch") && /"presence"/.test(trip.what));

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
  const trips = log.filter((trip) => !isPush(trip));
  await Promise.allSettled(background);
  expect(created).toBe(true);
  return {
    main: trips.filter((t) => t.database === "main").length,
    messages: trips.filter((t) => t.database === "messages").length,
    trips,
  };
}

describe("D1 round trips per send", () => {
  it("a 1:1 text send: one to the main database, one to the message database", async () => {
    const amy = await registerUser("amy");
    const ben = await registerUser("ben");
    await befriend(amy, ben);
    // The first send and a later one cost the same: the 1:1 permission batch names the database.
    for (let i = 0; i < 2; i++) {
      const { main, messages, trips } = await countedSend(amy, { userId: ben.user.id });
      expect({ main, messages }, JSON.stringify(trips)).toEqual({ main: 1, messages: 1 });
    }
  });

  it("a group text send: one to each, before and after the directory is cached", async () => {
    const owner = await registerUser("own");
    const members = [await registerUser("mem"), await registerUser("mem")];
    const group = await createGroup(owner, members);
    for (let i = 0; i < 2; i++) {
      const { main, messages, trips } = await countedSend(members[0]!, { groupId: group.groupId });
      expect({ main, messages }, JSON.stringify(trips)).toEqual({ main: 1, messages: 1 });
    }
  });
});
