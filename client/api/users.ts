import { UserResponse } from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

export function usersApi(http: HttpClient) {
  return {
    /** By username, ignoring case. */
    byUsername: async (username: string) => (await http.json("GET", "/api/users", UserResponse, { query: { username } })).user,
    get: async (userId: string) => (await http.json("GET", `/api/users/${seg(userId)}`, UserResponse)).user,
  };
}
