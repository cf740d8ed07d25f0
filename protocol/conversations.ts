import * as z from "zod";
import { Id, Timestamp } from "./common.js";
import { Message } from "./messages.js";
import { PublicUser } from "./users.js";

/**
 * Conversation ids are derived, so every side names a conversation the same way:
 * `d:<smaller user id>:<larger user id>` for 1:1, `g:<group id>` for a group.
 */
export function directConversationId(a: string, b: string): string {
  return a < b ? `d:${a}:${b}` : `d:${b}:${a}`;
}
export function groupConversationId(groupId: string): string {
  return `g:${groupId}`;
}

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
export const ConversationId = z
  .string()
  .regex(new RegExp(`^(d:${UUID}:${UUID}|g:${UUID})$`), "not a conversation id");

export const ConversationSummary = z.object({
  id: ConversationId,
  kind: z.enum(["direct", "group"]),
  /** The other user, for 1:1. */
  peer: PublicUser.nullable(),
  /** The group, for group conversations. */
  group: z.object({ id: Id, name: z.string(), avatar: z.string().nullable() }).nullable(),
  lastSeq: z.number().int(),
  readSeq: z.number().int(),
  /** 1:1 only: how far the peer has read (the read receipt after a reload); null for groups. */
  peerReadSeq: z.number().int().nullable(),
  unread: z.number().int(),
  lastMessage: Message.nullable(),
  updatedAt: Timestamp,
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const MAX_CONVERSATION_PAGE = 100;
export const DEFAULT_CONVERSATION_PAGE = 50;
/**
 * GET /api/conversations pages, most recently active first: `cursor` is the previous page's
 * `nextCursor` (opaque; a malformed one is 400 invalid_cursor), `limit` the page size.
 */
export const ConversationListQuery = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_CONVERSATION_PAGE).default(DEFAULT_CONVERSATION_PAGE),
});
export const ConversationList = z.object({
  conversations: z.array(ConversationSummary),
  /** Where the next page starts; null = this was the last page. */
  nextCursor: z.string().nullable(),
});

export const MAX_HISTORY_PAGE = 200;
/** afterSeq pages forward (sync), beforeSeq pages back (history); neither = the newest page. */
export const HistoryQuery = z.object({
  afterSeq: z.coerce.number().int().nonnegative().optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(50),
});
export const HistoryPage = z.object({
  /** Always in ascending seq order. */
  messages: z.array(Message),
  /** More messages exist in the direction asked. */
  hasMore: z.boolean(),
  lastSeq: z.number().int(),
});

export const ReadBody = z.object({ seq: z.number().int().nonnegative() }).strict();
export const ReadResponse = z.object({ conversationId: ConversationId, readSeq: z.number().int(), unread: z.number().int() });
export type ReadResponse = z.infer<typeof ReadResponse>;
