import * as z from "zod";
import { Id, Timestamp } from "./common.js";
import { ConversationId } from "./conversations.js";
import { Friend, FriendRequest } from "./friends.js";
import { Group, GroupInvitation, GroupView, MyMembership } from "./groups.js";
import { Message } from "./messages.js";
import { Notice } from "./notices.js";

/**
 * Why a session ended: its device logged out, logged in again (a newer session replaced it),
 * another of the user's devices ended it, its rotated refresh token was presented again, or an
 * administrator disabled the account.
 */
export const SessionEndReason = z.enum(["logout", "new_login", "revoked", "refresh_reuse", "disabled"]);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

/**
 * Everything the server pushes to a user's devices, over an edge WebSocket (a JSON frame)
 * or Socket.IO (event name = `type`, payload = the whole object). Pushes are a fast path:
 * anything stored (messages, recalls) is also recovered by sync.
 */
export const ServerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message.new"), message: Message }),
  z.object({
    type: z.literal("message.recalled"),
    conversationId: ConversationId,
    messageId: Id,
    seq: z.number().int(),
    recalledBy: Id,
    recalledAt: Timestamp,
  }),
  /** My read position moved (from another of my devices), or, in 1:1, the peer's did (a receipt). */
  z.object({ type: z.literal("read"), conversationId: ConversationId, userId: Id, seq: z.number().int() }),
  z.object({ type: z.literal("typing"), conversationId: ConversationId, userId: Id }),
  z.object({ type: z.literal("presence"), userId: Id, online: z.boolean() }),
  z.object({ type: z.literal("conversation.updated"), conversationId: ConversationId, lastSeq: z.number().int(), readSeq: z.number().int().optional() }),
  z.object({ type: z.literal("friend.request"), request: FriendRequest }),
  z.object({ type: z.literal("friend.accepted"), friend: Friend, requestId: Id }),
  z.object({ type: z.literal("friend.declined"), requestId: Id, userId: Id }),
  z.object({ type: z.literal("friend.removed"), userId: Id }),
  z.object({ type: z.literal("friend.updated"), friend: Friend }),
  /**
   * A group I am in changed (name, avatar, announcement, policy, owner, member count).
   * The same event goes to every member, so the bridge routes it once per node; `me` is
   * there only for members whose own membership changed (role, nickname, remark).
   */
  z.object({ type: z.literal("group.updated"), group: Group, me: MyMembership.optional() }),
  /** I was added to a group. */
  z.object({ type: z.literal("group.joined"), group: GroupView }),
  /** Someone I have not allowed to add me (groupAddPolicy) invited me to a group: accept or decline it. */
  z.object({ type: z.literal("group.invited"), invitation: GroupInvitation }),
  /**
   * This device's session ended (logout, a newer login on this device, ended from another
   * device, or its refresh token reused): the connection closes right after it (edge: close
   * code 4003). Sign out; do not reconnect or refresh. Sent only to the sockets of that session.
   */
  z.object({
    type: z.literal("session.ended"),
    sessionId: z.string(),
    deviceId: z.string(),
    reason: SessionEndReason,
  }),
  /** I am no longer in a group: left, kicked or dismissed. */
  z.object({ type: z.literal("group.removed"), groupId: Id, reason: z.enum(["left", "kicked", "dismissed"]) }),
  /** An administrator posted a notice to everyone; sent to whoever is online (the rest read GET /api/notices). */
  z.object({ type: z.literal("notice"), notice: Notice }),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
export type ServerEventType = ServerEvent["type"];
