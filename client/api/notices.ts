import { NoticeList, type NoticesQuery } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";

/** `GET /api/notices`: the administrators' notices to everyone, newest first (also pushed live as `notice`). */
export const noticesApi = (http: HttpClient) => ({
  list: async (query: NoticesQuery = {}) => (await http.json("GET", "/api/notices", NoticeList, { query })).notices,
});
