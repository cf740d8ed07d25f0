import { BlockList, BlockResponse, Ok } from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

/** Blocking users: they cannot reach me, and are never told (docs/API.md, "Blocks"). */
export function blocksApi(http: HttpClient) {
  const blocked = (userId: string) => `/api/blocks/${seg(userId)}`;
  return {
    /** The users I blocked, most recent first. */
    list: async () => (await http.json("GET", "/api/blocks", BlockList)).blocked,
    /** Ends our friendship too; blocking again is a no-op. */
    block: async (userId: string) => (await http.json("PUT", blocked(userId), BlockResponse)).blocked,
    unblock: async (userId: string): Promise<void> => void (await http.json("DELETE", blocked(userId), Ok)),
  };
}
