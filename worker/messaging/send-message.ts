import { MediaBody, type Message, type SendMessageBody } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { shareFile } from "../db/files.js";
import { messageDatabase } from "../db/message-databases.js";
import type { DeliveryOptions } from "../delivery/deliver.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { appendMessage } from "./append-message.js";
import { storedBody } from "./message-body.js";
import { pushMessageInBackground } from "./message-push.js";
import type { Actor, Runtime } from "./runtime.js";
import { resolveSendTarget } from "./send-target.js";

/**
 * The one send path, for POST /api/messages and the `message.send` frame alike:
 * check who may send where (one main-database round trip, which also names the message
 * database and the recipients with an edge device) while the rate limit is counted, build
 * the stored body, append with the next seq (one message-database round trip, idempotent
 * by clientMsgId), then push `message.new` in the background to every member's devices
 * except the sending one (it gets the answer or the ack). A text send therefore costs two
 * D1 round trips.
 *
 * A retry (created: false) is pushed again only if the first attempt's push is not
 * recorded as complete (messages.pushed_at): every stored message is pushed at least once.
 */
export async function sendMessage(rt: Runtime, actor: Actor, input: SendMessageBody): Promise<{ message: Message; created: boolean }> {
  const db = database(rt.env.DB);
  // Three independent questions at once: LIMIT_MESSAGES (HTTP, edge frames and Socket.IO,
  // forwarded over HTTP, all pass here; a call to the user's object, or a local count in
  // it), who may send where (the main database) and, for media, the sender's upload. Only
  // reads, apart from the token taken: nothing is stored until all three have passed, and a
  // refusal is reported in that order (a send over the limit is 429 whatever else is wrong).
  const [limit, target, body] = await Promise.allSettled([
    enforceLimit(rt, actor.userId, "messages"),
    resolveSendTarget(rt.env, db, actor.userId, input.to),
    storedBody(db, actor.userId, input),
  ]);
  if (limit.status === "rejected") throw limit.reason;
  if (target.status === "rejected") throw target.reason;
  if (body.status === "rejected") throw body.reason;
  const { conversationId, memberIds, messageDb, edgeUserIds } = target.value;
  const result = await appendMessage(
    messageDatabase(rt.env, messageDb),
    { conversationId, senderId: actor.userId, clientMsgId: input.clientMsgId, kind: input.kind, body: body.value },
    memberIds,
  );
  // The download permission follows the stored message (a retry repeats this harmlessly).
  const media = MediaBody.safeParse(result.message.body);
  if (media.success) await shareFile(db, media.data.fileId, result.message.conversationId);
  // A retry of a message whose push is recorded is not pushed again; one whose push is not
  // (still in flight, failed, or the isolate died before it) is: message-push.ts.
  if (!result.pushed) pushMessageInBackground(rt, result.message, memberIds, deliveryOptions(actor, memberIds, edgeUserIds));
  return { message: result.message, created: result.created };
}

/**
 * The sending device is left out. The edge presence read with the permission check (before
 * the store) is handed to delivery only when every recipient already had an edge device
 * then: their objects are all called, and each pushes to all of its user's sockets, a newer
 * one included. Otherwise delivery reads presence itself, after the store: a user whose
 * first device connected (and synced) between the two reads would miss the message if its
 * object were skipped (deliverWithReport explains why a read after the store cannot).
 */
function deliveryOptions(actor: Actor, recipients: string[], edgeUserIds: string[]): DeliveryOptions {
  const edge = new Set(edgeUserIds);
  const everyoneOnEdge = recipients.every((userId) => edge.has(userId));
  return everyoneOnEdge ? { exceptDevice: actor, edgeUserIds } : { exceptDevice: actor };
}
