import * as z from "zod";
import { Id, Text, Timestamp } from "./common.js";

export const MAX_NOTICE_LENGTH = 2000;

/** A notice an administrator posted to everyone (POST /api/admin/notices without a conversation). */
export const Notice = z.object({ id: Id, text: z.string(), createdAt: Timestamp });
export type Notice = z.infer<typeof Notice>;

export const NoticeText = Text(MAX_NOTICE_LENGTH).trim().min(1);

/** `GET /api/notices`: the newest first; `since` = only those posted after it (epoch ms). */
export const NoticesQuery = z.object({
  since: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type NoticesQuery = Partial<z.output<typeof NoticesQuery>>;

export const NoticeList = z.object({ notices: z.array(Notice) });
export type NoticeList = z.infer<typeof NoticeList>;
