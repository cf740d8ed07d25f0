import type { Message } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { conversationMemberIds } from "../db/conversations.js";
import { isEveryBridgeNodeDown } from "../bridge-link/bridge-client.js";
import { messageDbIndexOf } from "../db/conversation-directory.js";
import { messageDatabase, messageDatabases } from "../db/message-databases.js";
import { markPushed, unpushedMessages } from "../db/messages.js";
import { deliver, withOwnHub, type DeliveryOptions } from "../delivery/deliver.js";
import type { Env } from "../env.js";
import { recordPush } from "./push-records.js";
import type { Runtime } from "./runtime.js";

// Every stored message is pushed at least once (docs/PROTOCOL.md, Part B 9.1). The
// messages table is its own outbox: a row is stored with pushed_at NULL in the same write
// that stores the message, and pushed_at is set only once message.new was taken by every
// gateway (each recipient's Durable Object, and a bridge node when one is configured);
// that write is usually carried by the next append on the same database (push-records.ts).
// Whatever stops the push in between (every bridge node down, a Durable Object failing,
// the isolate dying after the answer was sent) leaves NULL behind, and two paths push again:
// a send retried with the same clientMsgId (sendMessage), and the per-minute sweep below.
// A push may therefore arrive twice; clients drop duplicates by id and seq.

/** A message younger than this may still have its first push in flight: the sweep leaves it alone. */
export const REPUSH_AFTER_MS = 30_000;
/** Older than this, a push is no longer worth it: the sweep records it given up (devices sync). */
export const GIVE_UP_AFTER_MS = 60 * 60_000;
/** Messages per sweep run (one run a minute). */
const SWEEP_BATCH = 200;

/**
 * Message ids whose push runs in this isolate. A retry of the send that arrives meanwhile
 * (the same device resending at once) does not push again: the push in flight records the
 * message when complete, and if it fails the sweep pushes it again. (Only a check, never a
 * wait on another request's promise.)
 */
const pushesInFlight = new Set<string>();

/**
 * Pushes message.new and records the push when it is complete. Never throws; returns whether
 * it is recorded. `recording`: "gathered" (a send's push) lets the record wait a moment for
 * an append to carry it (push-records.ts); "now" (the sweep, which pushes one message after
 * another) writes it at once.
 */
export async function pushMessage(
  env: Env,
  message: Message,
  userIds: string[],
  options: DeliveryOptions = {},
  recording: "gathered" | "now" = "gathered",
): Promise<boolean> {
  if (pushesInFlight.has(message.id)) return false;
  pushesInFlight.add(message.id);
  try {
    const complete = await deliver(env, userIds, { type: "message.new", message }, options);
    if (complete) await recordPushed(env, message, recording);
    return complete;
  } catch (error) {
    console.warn(`push of message ${message.id} failed; a retry or the sweep pushes it again`, error);
    return false;
  } finally {
    pushesInFlight.delete(message.id);
  }
}

/** pushMessage after the answer is sent (waitUntil). */
export function pushMessageInBackground(rt: Runtime, message: Message, userIds: string[], options: DeliveryOptions = {}): void {
  rt.waitUntil(pushMessage(rt.env, message, userIds, withOwnHub(rt, options)));
}

/**
 * The sweep (cron, every minute): pushes again every message stored more than
 * REPUSH_AFTER_MS ago whose push is not recorded, to the conversation's members now (the
 * sending device may get its own message: it dedupes by id), oldest first, and stops when
 * a push failed with every bridge node down. Past GIVE_UP_AFTER_MS it only records that it gave up.
 * Returns how many it pushed and gave up.
 */
export async function repushUnpushedMessages(env: Env, now: number): Promise<{ pushed: number; gaveUp: number }> {
  let pushed = 0;
  let gaveUp = 0;
  // Each message database keeps its own outbox; one at a time, so a run's work stays bounded.
  for (const d1 of messageDatabases(env)) {
    const pending = await unpushedMessages(d1, now - REPUSH_AFTER_MS, SWEEP_BATCH);
    const [pushedBefore, gaveUpBefore] = [pushed, gaveUp];
    let bridgeDown = false;
    for (const message of pending) {
      if (message.createdAt < now - GIVE_UP_AFTER_MS) {
        await markPushed(d1, message.id, 0);
        gaveUp++;
        continue;
      }
      const members = await conversationMemberIds(database(env.DB), message.conversationId);
      if (await pushMessage(env, message, members, {}, "now")) pushed++;
      // The bridge is down: every other push would fail the same way. The next run goes on.
      else if (isEveryBridgeNodeDown(env)) {
        bridgeDown = true;
        break;
      }
    }
    if (pending.length > 0) {
      console.warn(`push sweep: ${pending.length} unpushed messages, ${pushed - pushedBefore} pushed now, ${gaveUp - gaveUpBefore} given up`);
    }
    if (bridgeDown) break;
  }
  return { pushed, gaveUp };
}

/** The push record on the message's own database (the directory, usually cached: no round trip). */
async function recordPushed(env: Env, message: Message, recording: "gathered" | "now"): Promise<void> {
  const index = await messageDbIndexOf(database(env.DB), message.conversationId);
  if (index === undefined) return;
  if (recording === "now") await markPushed(messageDatabase(env, index), message.id, Date.now());
  else await recordPush(env, index, message.id);
}
