import { MediaBody, type Message, type SendMessageBody } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { shareFile } from "../db/files.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { appendMessage, type NewMessage } from "./append-message.js";
import { storedBody } from "./message-body.js";
import { pushMessageInBackground } from "./message-push.js";
import { withWaitingRecords } from "./push-records.js";
import type { Actor, Runtime } from "./runtime.js";
import { knownDirectTarget, resolveSendTarget, type KnownDirectTarget, type SendTarget } from "./send-target.js";

/**
 * The one send path, for POST /api/messages and the `message.send` frame alike: count the
 * rate limit, check who may send where, build the stored body, append with the next seq
 * (one message-database round trip, idempotent by clientMsgId), then push `message.new` in
 * the background to every member's devices except the sending one (it gets the answer or
 * the ack).
 *
 * Who may send where:
 *  - a 1:1 send to a conversation this isolate has seen: the append itself checks the
 *    message database's copy of the friendship, so the send is ONE D1 round trip, and the
 *    main database is not asked at all. If the copy does not say friends (ended, or not
 *    written yet), the main database decides, and that append writes the copy;
 *  - otherwise: one main-database round trip (permission, the directory) before the
 *    append: two in all.
 * Who of the members has an edge device (whose Durable Object the push calls) is read by the
 * append itself, after its insert (worker/db/edge-user-copies.ts explains why that read
 * cannot miss a device).
 *
 * A retry (created: false) is pushed again only if the first attempt's push is not
 * recorded as complete (messages.pushed_at): every stored message is pushed at least once.
 */
export async function sendMessage(rt: Runtime, actor: Actor, input: SendMessageBody): Promise<{ message: Message; created: boolean }> {
  const db = database(rt.env.DB);
  const known = knownDirectTarget(actor.userId, input.to);
  // Independent questions at once: LIMIT_MESSAGES (HTTP, edge frames and Socket.IO,
  // forwarded over HTTP, all pass here; a call to the user's object, or a local count in
  // it), who may send where (the main database, unless the append checks it) and, for
  // media, the sender's upload. Only reads, apart from the token taken: nothing is stored
  // until all have passed, and a refusal is reported in that order (a send over the limit
  // is 429 whatever else is wrong).
  const limited = enforceLimit(rt, actor.userId, "messages");
  // A session still to be asked (requireAuthAtLimit) is answered with the limit. The main
  // database's check may repair a missing conversation (a write): it waits for that answer.
  if (rt.sessionToCheck && !known) await limited;
  const [limit, target, body] = await Promise.allSettled([
    limited,
    known ?? resolveSendTarget(rt.env, db, actor.userId, input.to),
    storedBody(db, actor.userId, input),
  ]);
  if (limit.status === "rejected") throw limit.reason;
  if (target.status === "rejected") throw target.reason;
  if (body.status === "rejected") throw body.reason;
  const message = { senderId: actor.userId, clientMsgId: input.clientMsgId, kind: input.kind, body: body.value };
  const stored = known
    ? await appendKnownDirect(rt, known, message, input.to)
    : await appendTo(rt, target.value as SendTarget, message);
  const { result, sendTarget } = stored;
  const { memberIds } = sendTarget;
  // The download permission follows the stored message (a retry repeats this harmlessly).
  const media = MediaBody.safeParse(result.message.body);
  if (media.success) await shareFile(db, media.data.fileId, result.message.conversationId);
  // A retry of a message whose push is recorded is not pushed again; one whose push is not
  // (still in flight, failed, or the isolate died before it) is: message-push.ts.
  if (!result.pushed) pushMessageInBackground(rt, result.message, memberIds, { exceptDevice: actor, edgeUserIds: result.edgeUserIds });
  return { message: result.message, created: result.created };
}

type Unaddressed = Omit<NewMessage, "conversationId">;

/** The append after the main database's check; a 1:1 one also writes the copy of the friendship. */
async function appendTo(rt: Runtime, target: SendTarget, message: Unaddressed) {
  const direct = target.friendsSince === undefined ? undefined : { since: target.friendsSince };
  const addressed = { ...message, conversationId: target.conversationId };
  const result = await withWaitingRecords(rt, target.messageDb, (d1, records) => appendMessage(d1, addressed, target.memberIds, direct, records));
  return { result, sendTarget: target };
}

/** The one-round-trip 1:1 send: the append checks the copy of the friendship. If the copy refused, the main database decides. */
async function appendKnownDirect(rt: Runtime, known: KnownDirectTarget, message: Unaddressed, to: SendMessageBody["to"]) {
  const addressed = { ...message, conversationId: known.conversationId };
  const result = await withWaitingRecords(rt, known.messageDb, (d1, records) => appendMessage(d1, addressed, known.memberIds, "check", records));
  if (result) return { result, sendTarget: known };
  return appendTo(rt, await resolveSendTarget(rt.env, database(rt.env.DB), message.senderId, to), message);
}
