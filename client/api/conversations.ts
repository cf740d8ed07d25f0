import * as z from "zod";
import {
  ConversationList,
  ConversationSummary,
  HistoryPage,
  Ok,
  ReadResponse,
  type ConversationListQuery,
  type HistoryQuery,
} from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

/** GET /api/conversations/:id wraps one summary (the route declares the shape inline). */
const ConversationAnswer = z.object({ conversation: ConversationSummary });

export function conversationsApi(http: HttpClient) {
  const conversation = (id: string, rest = "") => `/api/conversations/${seg(id)}${rest}`;
  const page = (query: Partial<z.output<typeof ConversationListQuery>> = {}) =>
    http.json("GET", "/api/conversations", ConversationList, { query });
  return {
    /** One page of mine, most recently active first; pass its `nextCursor` back for the next. */
    page,
    /** All of mine, most recently active first, with exact unread counts (every page, in order). */
    list: async (): Promise<ConversationSummary[]> => {
      const all: ConversationSummary[] = [];
      let cursor: string | undefined;
      do {
        const next = await page(cursor === undefined ? {} : { cursor });
        all.push(...next.conversations);
        cursor = next.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return all;
    },
    get: async (conversationId: string) => (await http.json("GET", conversation(conversationId), ConversationAnswer)).conversation,
    /** One page in ascending seq order: afterSeq pages forward, beforeSeq back, neither = the newest page. */
    history: (conversationId: string, query: Partial<z.output<typeof HistoryQuery>> = {}) =>
      http.json("GET", conversation(conversationId, "/messages"), HistoryPage, { query }),
    /** Moves my read position forward (never back). */
    read: (conversationId: string, seq: number) => http.json("POST", conversation(conversationId, "/read"), ReadResponse, { json: { seq } }),
    /** "I am typing": relayed to the other members, never stored. */
    typing: async (conversationId: string): Promise<void> => void (await http.json("POST", conversation(conversationId, "/typing"), Ok)),
  };
}
