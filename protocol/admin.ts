// The back office: routes under /api/admin, authenticated with the ADMIN_SECRET (docs/API.md, Admin).
import * as z from "zod";
import { Id, Timestamp } from "./common.js";
import { ConversationId } from "./conversations.js";
import { Message } from "./messages.js";
import { Notice, NoticeText } from "./notices.js";

/** A user as the back office sees it. */
export const AdminUser = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  createdAt: Timestamp,
  /** When an administrator disabled the account; null = active. */
  disabledAt: Timestamp.nullable(),
  online: z.boolean(),
});
export type AdminUser = z.infer<typeof AdminUser>;

/**
 * `GET /api/admin/users`: `query` is a user id (that user) or a username prefix (ignoring
 * case; empty = everyone), ordered by username. `cursor` = the `nextCursor` of the page before.
 */
export const AdminUsersQuery = z.object({
  query: z.string().trim().max(64).default(""),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type AdminUsersQuery = Partial<z.output<typeof AdminUsersQuery>>;

export const AdminUserList = z.object({ users: z.array(AdminUser), nextCursor: z.string().nullable() });
export type AdminUserList = z.infer<typeof AdminUserList>;

export const AdminUserResponse = z.object({ user: AdminUser });
export type AdminUserResponse = z.infer<typeof AdminUserResponse>;

/** `POST /api/admin/notices`: to one conversation (a stored system message), or to everyone. */
export const AdminNoticeBody = z.object({ conversationId: ConversationId.optional(), text: NoticeText }).strict();
export type AdminNoticeBody = z.input<typeof AdminNoticeBody>;

/** `message` when posted to a conversation, `notice` when posted to everyone. */
export const AdminNoticeResponse = z.union([z.object({ message: Message }), z.object({ notice: Notice })]);
export type AdminNoticeResponse = z.infer<typeof AdminNoticeResponse>;

export const AdminStatsQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(7) });
export type AdminStatsQuery = Partial<z.output<typeof AdminStatsQuery>>;

export const AdminStats = z.object({
  users: z.object({ total: z.number().int(), disabled: z.number().int() }),
  /** The last `days` UTC days, oldest first, today last (today so far); days without messages count 0. */
  messagesPerDay: z.array(z.object({ day: z.string(), messages: z.number().int() })),
  /** Users with a connected device now: on the edge, on a core gateway with a running lease, on either. */
  online: z.object({ edge: z.number().int(), core: z.number().int(), total: z.number().int() }),
  /**
   * Stored messages whose push is not recorded yet (pushed_at NULL), over every message
   * database: pushes in flight, and the debt the sweep pushes again (docs/OPERATIONS.md).
   */
  pushesOwed: z.number().int(),
});
export type AdminStats = z.infer<typeof AdminStats>;
