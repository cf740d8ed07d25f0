import type { AuthContext } from "./middleware/require-auth.js";

/** The bindings wrangler.toml declares, plus the secrets (see .dev.vars.example). */
export interface Env {
  /** The main database: accounts, friends, groups, conversations and their members, the message directory. */
  DB: D1Database;
  /**
   * The message databases' binding names, comma-separated (wrangler.toml); default "MESSAGES_0".
   * Each names a D1 binding of this Worker (worker/db/message-databases.ts).
   */
  MESSAGE_DATABASES?: string;
  /** Message database 0 of the default configuration; others are reached by name. */
  MESSAGES_0?: D1Database;
  FILES: R2Bucket;
  USER_HUB: DurableObjectNamespace;
  SIGNATURE_LEDGER: DurableObjectNamespace;
  /** The coalescing links to the bridge (worker/bridge-link/bridge-link.ts); used when BRIDGE_LINKS > 0. */
  BRIDGE_LINK?: DurableObjectNamespace;
  /** How many link objects pushes to the bridge may go through; "0" or unset = none, one call per push. */
  BRIDGE_LINKS?: string;
  /** When pushes take the links: "busy" (default) while a bridge node asks for batches (X-Bridge-Busy), "always" every push. */
  BRIDGE_LINK_MODE?: string;
  /** How long a link gathers deliveries before it sends them, in ms (default 2). */
  BRIDGE_LINK_WINDOW_MS?: string;
  /** How long a push record waits for an append to carry it, in ms (default 100; worker/messaging/push-records.ts). */
  PUSH_RECORD_WAIT_MS?: string;
  AUTH_SECRET: string;
  BRIDGE_SECRET?: string;
  /** The back office's bearer secret (/api/admin/*, worker/middleware/require-admin.ts); unset = no back office. */
  ADMIN_SECRET?: string;
  /** One bridge node's internal address; the one-element form of BRIDGE_URLS (used when that is empty). */
  BRIDGE_URL?: string;
  /** The bridge nodes' internal addresses, comma-separated, in order of preference (worker/bridge-link/bridge-client.ts). */
  BRIDGE_URLS?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_TTL_SECONDS?: string;
  REFRESH_REUSE_GRACE_SECONDS?: string;
  RECALL_WINDOW_SECONDS?: string;
  /** How long an upload never sent in a message is kept, in seconds (worker/files/unsent-uploads.ts). */
  FILE_UNSENT_GRACE_SECONDS?: string;
  /** The public Socket.IO gateway address handed to web clients (GET /api/client-config); empty = none. */
  SOCKET_IO_URL?: string;
  /** Browser origins allowed to call /api/* cross-origin, comma-separated; empty = same-origin only. */
  CORS_ORIGINS?: string;
  /** Rate limits, each "count/seconds" (worker/limits/limit-config.ts; docs/API.md "Limits"). */
  LIMIT_MESSAGES?: string;
  LIMIT_FRAMES?: string;
  LIMIT_TYPING?: string;
  LIMIT_FRIEND_REQUESTS?: string;
  LIMIT_GROUP_CREATES?: string;
  LIMIT_GROUP_INVITES?: string;
  LIMIT_REGISTRATIONS?: string;
  LIMIT_UPLOADS?: string;
  /** Sum of one user's upload sizes, in bytes. */
  STORAGE_QUOTA_BYTES?: string;
  /** Open edge sockets of one user (one per device always). */
  MAX_SOCKETS_PER_USER?: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    auth: AuthContext;
    /** Set by requireAuthAtLimit when the session is still to be asked, with the route's first call to the user's object. */
    sessionToCheck?: { userId: string; sessionId: string };
  };
}

/** A numeric var with a default; a malformed value is a deploy mistake, so it falls back loudly. */
export function numberVar(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.warn(`ignoring malformed numeric var ${JSON.stringify(value)}, using ${fallback}`);
    return fallback;
  }
  return n;
}
