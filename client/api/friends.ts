import type { z } from "zod";
import {
  FriendList,
  FriendRequestList,
  FriendRequestResponse,
  FriendResponse,
  Ok,
  type FriendRequestListQuery,
  type UpdateFriendBody,
} from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

/** Who to ask: by id or by username (exactly one). */
export type FriendTarget = { userId: string } | { username: string };

export function friendsApi(http: HttpClient) {
  const friend = (userId: string) => `/api/friends/${seg(userId)}`;
  const request = (requestId: string, answer: "accept" | "decline") => `/api/friends/requests/${seg(requestId)}/${answer}`;
  return {
    list: async () => (await http.json("GET", "/api/friends", FriendList)).friends,
    get: async (userId: string) => (await http.json("GET", friend(userId), FriendResponse)).friend,
    update: async (userId: string, body: z.input<typeof UpdateFriendBody>) =>
      (await http.json("PATCH", friend(userId), FriendResponse, { json: body })).friend,
    remove: async (userId: string): Promise<void> => void (await http.json("DELETE", friend(userId), Ok)),
    /** My requests with one status (default: incoming, pending), newest first. */
    requests: async (query: z.input<typeof FriendRequestListQuery> = {}) =>
      (await http.json("GET", "/api/friends/requests", FriendRequestList, { query })).requests,
    request: async (target: FriendTarget, message?: string) =>
      (await http.json("POST", "/api/friends/requests", FriendRequestResponse, { json: message === undefined ? target : { ...target, message } }))
        .request,
    accept: async (requestId: string) => (await http.json("POST", request(requestId, "accept"), FriendResponse)).friend,
    decline: async (requestId: string) => (await http.json("POST", request(requestId, "decline"), FriendRequestResponse)).request,
  };
}
