import * as z from "zod";
import { ConversationList, ConversationSummary, HistoryPage, Ok, ReadResponse, type HistoryQuery } from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

/** GET /api/conversations/:id wraps one summary (the route declares the shape inline). */
const ConversationAnswer = z.object({ conversation: ConversationSummary });

export function conversationsApi(http: HttpClient) {
  const conversation = (id: string, rest = "") => `/api/conversations/${seg(id)}${rest}`;
  return {
    /** Mine, most recently active first, with exact unread counts. */
    list: async () => (await http.json("GET", "/api/conversations", ConversationList)).conversations,
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
