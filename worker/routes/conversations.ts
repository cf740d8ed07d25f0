import {
  ConversationList,
  ConversationListQuery,
  ConversationSummary,
  HistoryPage,
  HistoryQuery,
  ReadBody,
  ReadResponse,
} from "../../protocol/index.js";
import { z } from "zod";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { parseConversationId } from "../messaging/conversation-access.js";
import { listConversations } from "../messaging/conversation-list.js";
import { historyPage } from "../messaging/history.js";
import { markRead } from "../messaging/mark-read.js";
import { runtimeOf } from "../messaging/runtime.js";

export const conversationRoutes = apiRouter("/api/conversations", "conversations");

conversationRoutes.get(
  "/",
  {
    summary:
      "A page of my conversations, most recent first: last seq, my read seq, exact unread count, last message, peer or group; `nextCursor` fetches the next page (null = last page)",
    query: ConversationListQuery,
    response: { status: 200, schema: ConversationList },
    errors: ["invalid_cursor"],
  },
  async (c, { query }) => c.json(await listConversations(c.env, c.var.auth.userId, query), 200),
);

conversationRoutes.get(
  "/:id",
  {
    summary: "One of my conversations, as in the list",
    response: { status: 200, schema: z.object({ conversation: ConversationSummary }) },
    errors: ["not_found"],
  },
  async (c) => {
    const id = parseConversationId(c.req.param("id"));
    // The list reads only my memberships: not mine and unknown are the same empty answer.
    const [conversation] = (await listConversations(c.env, c.var.auth.userId, { limit: 1 }, id)).conversations;
    if (!conversation) throw notFound("conversation");
    return c.json({ conversation }, 200);
  },
);

conversationRoutes.get(
  "/:id/messages",
  {
    summary:
      "A page of messages in ascending seq order: afterSeq pages forward (sync), beforeSeq pages back (history), neither gives the newest page",
    query: HistoryQuery,
    response: { status: 200, schema: HistoryPage },
    errors: ["not_found"],
  },
  async (c, { query }) => {
    const id = parseConversationId(c.req.param("id"));
    return c.json(await historyPage(c.env, id, c.var.auth.userId, query), 200);
  },
);

conversationRoutes.post(
  "/:id/read",
  {
    summary: "Move my read position forward to seq (never back, at most the last seq); my other devices and a 1:1 peer are told",
    body: ReadBody,
    response: { status: 200, schema: ReadResponse },
    errors: ["not_found"],
  },
  async (c, { body }) => {
    const id = parseConversationId(c.req.param("id"));
    return c.json(await markRead(runtimeOf(c), c.var.auth, id, body.seq), 200);
  },
);
