// The send's rate limit and its permission check run side by side (worker/messaging/
// send-message.ts): both must pass before anything is stored, and a refusal is reported
// in a fixed order (limit, then permission). Runs sendMessage with a runtime whose counters
// answer as the test says, on D1 bindings that log every round trip.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import type { Env } from "../../worker/env.js";
import { ApiError } from "../../worker/http/api-error.js";
import type { Runtime } from "../../worker/messaging/runtime.js";
import { sendMessage } from "../../worker/messaging/send-message.js";
import type { Verdict } from "../../worker/limits/token-bucket.js";
import { countingD1, type RoundTrip } from "./counting-d1.js";
import { befriend, createGroup, registerUser, textTo, type TestUser } from "./messaging-fixtures.js";
import { MESSAGE_DBS, messageDbOf } from "./message-dbs.js";

/** A runtime whose LIMIT_MESSAGES verdict for `sender` is `verdict`, given after `delayMs` (the check runs meanwhile). */
function runtimeFor(sender: TestUser, verdict: Verdict, delayMs: number, log: RoundTrip[], background: Promise<unknown>[] = []): Runtime {
  const counted = {
    ...env,
    DB: countingD1(env.DB, "main", log),
    MESSAGES_0: countingD1(env.MESSAGES_0, "messages", log),
    MESSAGES_1: countingD1(env.MESSAGES_1, "messages", log),
  } as Env;
  return {
    env: counted,
    waitUntil: (promise) => background.push(promise),
    counters: {
      owner: sender.user.id,
      take: async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        log.push({ database: "limit", what: verdict.allowed ? "allowed" : "refused" });
        return verdict;
      },
    },
  };
}

async function storedWithClientId(clientMsgId: string): Promise<number> {
  let count = 0;
  for (const d1 of MESSAGE_DBS) {
    const row = await d1.prepare("SELECT COUNT(*) AS n FROM messages WHERE client_msg_id = ?1").bind(clientMsgId).first<{ n: number }>();
    count += row?.n ?? 0;
  }
  return count;
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("a send's limit and permission check, side by side", () => {
  it("a group send refused by the limit stores nothing, though its permission check already ran", async () => {
    const owner = await registerUser("parlim");
    const member = await registerUser("parlimpeer");
    const group = await createGroup(owner, [member]);
    // The group's creation wrote system messages: the seq the next message gets.
    const d1 = await messageDbOf(group.conversationId);
    const state = await d1.prepare("SELECT last_seq FROM conversation_state WHERE conversation_id = ?1").bind(group.conversationId).first<{ last_seq: number }>();
    const log: RoundTrip[] = [];
    const body = textTo({ groupId: group.groupId }, "over the limit");
    // The verdict comes late: the main-database check has answered by then.
    const rt = runtimeFor(member, { allowed: false, retryAfterSeconds: 7 }, 30, log);
    const error = await refusal(sendMessage(rt, { userId: member.user.id, deviceId: "d" }, body));
    expect(error.code).toBe("rate_limited");
    expect(error.headers?.["Retry-After"]).toBe("7");
    expect(log.map((t) => t.database)).toEqual(["main", "limit"]);
    expect(await storedWithClientId(body.clientMsgId)).toBe(0);
    // The conversation's seq did not move either: the next accepted send takes the next one.
    const background: Promise<unknown>[] = [];
    const accepted = await sendMessage(runtimeFor(member, { allowed: true }, 0, [], background), { userId: member.user.id, deviceId: "d" }, textTo({ groupId: group.groupId }, "now"));
    await Promise.allSettled(background);
    expect(accepted.message).toMatchObject({ conversationId: group.conversationId, seq: (state?.last_seq ?? 0) + 1 });
  });

  it("a 1:1 send refused by the limit asks no database at all (its permission check is in the append) and stores nothing", async () => {
    const amy = await registerUser("parlim");
    const ben = await registerUser("parlimpeer");
    await befriend(amy, ben);
    const log: RoundTrip[] = [];
    const body = textTo({ userId: ben.user.id }, "over the limit");
    const error = await refusal(sendMessage(runtimeFor(amy, { allowed: false, retryAfterSeconds: 7 }, 10, log), { userId: amy.user.id, deviceId: "d" }, body));
    expect(error.code).toBe("rate_limited");
    expect(log.map((t) => t.database)).toEqual(["limit"]);
    expect(await storedWithClientId(body.clientMsgId)).toBe(0);
    const background: Promise<unknown>[] = [];
    const accepted = await sendMessage(runtimeFor(amy, { allowed: true }, 0, [], background), { userId: amy.user.id, deviceId: "d" }, textTo({ userId: ben.user.id }, "now"));
    await Promise.allSettled(background);
    expect(accepted.message).toMatchObject({ conversationId: directConversationId(amy.user.id, ben.user.id), seq: 1 });
  });

  it("a send over the limit to a non-friend is refused as rate_limited; within the limit as forbidden; neither stores", async () => {
    const amy = await registerUser("parorder");
    const stranger = await registerUser("parstranger");
    const overLimit = textTo({ userId: stranger.user.id }, "hello?");
    const limited = await refusal(sendMessage(runtimeFor(amy, { allowed: false, retryAfterSeconds: 2 }, 0, []), { userId: amy.user.id, deviceId: "d" }, overLimit));
    expect(limited.code).toBe("rate_limited");
    const withinLimit = textTo({ userId: stranger.user.id }, "hello?");
    const log: RoundTrip[] = [];
    const forbidden = await refusal(sendMessage(runtimeFor(amy, { allowed: true }, 20, log), { userId: amy.user.id, deviceId: "d" }, withinLimit));
    expect(forbidden.code).toBe("forbidden");
    expect(log.filter((t) => t.database === "messages")).toEqual([]);
    expect(await storedWithClientId(overLimit.clientMsgId)).toBe(0);
    expect(await storedWithClientId(withinLimit.clientMsgId)).toBe(0);
  });

  it("an accepted send waits for a slow limit verdict before it appends", async () => {
    const owner = await registerUser("parslow");
    const member = await registerUser("parslowpeer");
    const group = await createGroup(owner, [member]);
    const log: RoundTrip[] = [];
    const background: Promise<unknown>[] = [];
    const { created } = await sendMessage(runtimeFor(member, { allowed: true }, 30, log, background), { userId: member.user.id, deviceId: "d" }, textTo({ groupId: group.groupId }, "slow limit"));
    expect(created).toBe(true);
    // The check answered first, the append came only after the verdict (the push follows).
    expect(log.slice(0, 3).map((t) => t.database)).toEqual(["main", "limit", "messages"]);
    await Promise.allSettled(background);
  });

  it("a 1:1 send appends only after a slow limit verdict", async () => {
    const amy = await registerUser("parslow");
    const ben = await registerUser("parslowpeer");
    await befriend(amy, ben);
    const log: RoundTrip[] = [];
    const background: Promise<unknown>[] = [];
    const { created } = await sendMessage(runtimeFor(amy, { allowed: true }, 30, log, background), { userId: amy.user.id, deviceId: "d" }, textTo({ userId: ben.user.id }, "slow limit"));
    expect(created).toBe(true);
    // Nothing touched the message database before the verdict (its permission check is the append).
    expect(log[0]?.database).toBe("limit");
    expect(log.filter((t) => t.database === "messages")).toHaveLength(1);
    await Promise.allSettled(background);
  });
});
