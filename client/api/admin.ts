// The back office (docs/API.md, Admin): its own client, signed with the Worker's ADMIN_SECRET
// instead of a user's session. Keep it to servers and scripts: never ship the secret to a browser.
import {
  AdminNoticeResponse,
  AdminStats,
  AdminUserList,
  AdminUserResponse,
  Ok,
  type AdminNoticeBody,
  type AdminStatsQuery,
  type AdminUsersQuery,
} from "../../protocol/index.js";
import { seg, HttpClient } from "../http/http-client.js";
import { Session } from "../http/session.js";
import { MemoryTokenStore } from "../http/token-store.js";
import { ApiError } from "../http/api-error.js";

export interface EdgeImAdminOptions {
  /** The Worker, e.g. "http://127.0.0.1:8787" (no trailing /api). */
  baseUrl: string;
  /** The Worker's ADMIN_SECRET. */
  adminSecret: string;
  fetch?: typeof fetch;
}

/** Every route under /api/admin as a typed method. */
export class EdgeImAdmin {
  readonly baseUrl: string;
  readonly users: ReturnType<typeof adminUsersApi>;
  readonly groups: { dismiss(groupId: string): Promise<void> };
  /** POST /api/admin/notices: to one conversation (a system message) or, without `conversationId`, to everyone. */
  readonly notice: (body: AdminNoticeBody) => Promise<AdminNoticeResponse>;
  readonly stats: (query?: AdminStatsQuery) => Promise<AdminStats>;

  constructor(options: EdgeImAdminOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // The secret rides on every request; no user session is involved (calls go with auth: false).
    const signed: typeof fetch = (input, init) =>
      fetchFn(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${options.adminSecret}` } });
    const noSession = new Session(new MemoryTokenStore(), () => Promise.reject(new ApiError("unauthorized", "the admin client has no user session", 401)));
    const http = new HttpClient(this.baseUrl, signed, noSession);
    this.users = adminUsersApi(http);
    this.groups = {
      dismiss: async (groupId) => {
        await http.json("DELETE", `/api/admin/groups/${seg(groupId)}`, Ok, { auth: false });
      },
    };
    this.notice = (body) => http.json("POST", "/api/admin/notices", AdminNoticeResponse, { json: body, auth: false });
    this.stats = (query = {}) => http.json("GET", "/api/admin/stats", AdminStats, { query, auth: false });
  }
}

function adminUsersApi(http: HttpClient) {
  return {
    /** By id, or by username prefix (ignoring case; "" = everyone); pass the answer's `nextCursor` for the next page. */
    find: (query: AdminUsersQuery = {}) => http.json("GET", "/api/admin/users", AdminUserList, { query, auth: false }),
    disable: async (userId: string) => (await http.json("POST", `/api/admin/users/${seg(userId)}/disable`, AdminUserResponse, { auth: false })).user,
    enable: async (userId: string) => (await http.json("POST", `/api/admin/users/${seg(userId)}/enable`, AdminUserResponse, { auth: false })).user,
  };
}
