// The local runtime floor of the full path: the five workerd hops of a 1:1 send and nothing
// else (no Hono, no validation, no auth, no ORM), so that the full path's CPU and latency can
// be read against what workerd itself costs on this machine for the same hops.
// Plain JS on purpose: bench/ is type-checked with Node's types (tsconfig.node.json), which
// clash with workerd's.
import { DurableObject } from "cloudflare:workers";

// The message database's tables, the shape of migrations/messages (POST /setup, once).
const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS conversation_state (conversation_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS read_positions (conversation_id TEXT NOT NULL, user_id TEXT NOT NULL, read_seq INTEGER NOT NULL, unread INTEGER NOT NULL, PRIMARY KEY (conversation_id, user_id))",
  "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, sender_id TEXT NOT NULL, client_msg_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL)",
  "CREATE UNIQUE INDEX IF NOT EXISTS messages_seq ON messages (conversation_id, seq)",
  "CREATE UNIQUE INDEX IF NOT EXISTS messages_client ON messages (sender_id, client_msg_id)",
];

// The send's batch, six statements like worker/messaging/append-message.ts: ?1 conversation,
// ?2 sender, ?3 client id, ?4 members (JSON), ?5 new id, ?6 body, ?7 now. D1 wants exactly as
// many values as the statement's highest ?N, so each gets the first N (counted once, here).
const BATCH = [
  `INSERT INTO conversation_state (conversation_id, last_seq, updated_at) VALUES (?1, 1, ?7)
   ON CONFLICT (conversation_id) DO UPDATE SET last_seq = last_seq + 1, updated_at = excluded.updated_at`,
  `INSERT INTO read_positions (conversation_id, user_id, read_seq, unread)
   SELECT ?1, m.value, s.last_seq - 1, 0 FROM json_each(?4) m JOIN conversation_state s ON s.conversation_id = ?1
   ON CONFLICT DO NOTHING`,
  `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, body, created_at)
   SELECT ?5, ?1, last_seq, ?2, ?3, ?6, ?7 FROM conversation_state WHERE conversation_id = ?1`,
  `UPDATE read_positions SET unread = unread + 1
   WHERE conversation_id = ?1 AND user_id != ?2 AND user_id IN (SELECT value FROM json_each(?4))`,
  `UPDATE conversation_state SET updated_at = ?7 WHERE conversation_id = ?1 AND EXISTS (SELECT 1 FROM messages WHERE id = ?5)`,
  `SELECT id, conversation_id, seq, sender_id, client_msg_id, body, created_at FROM messages WHERE sender_id = ?2 AND client_msg_id = ?3`,
].map((sql) => [sql, Math.max(...[...sql.matchAll(/\?(\d)/g)].map((m) => Number(m[1])))]);

/** One per user: hop 2 (the sender's counter, in memory) and hop 5 (the recipient's socket). */
export class FloorUser extends DurableObject {
  count = 0;

  /** The rate-limit counter's stand-in: a count and an answer, no storage. */
  take() {
    this.count++;
    return true;
  }

  /** One frame on each socket this user holds (the bench holds one per recipient). */
  push(frame) {
    for (const socket of this.ctx.getWebSockets()) socket.send(frame);
  }

  /** GET /ws: the socket is accepted with the hibernation API, as the real UserHub does. */
  async fetch() {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  webSocketMessage() {}

  webSocketClose(socket, code) {
    try {
      socket.close(code, "bye");
    } catch {
      // already closed
    }
  }
}

const user = (env, id) => env.USERS.get(env.USERS.idFromName(id));

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/send" && request.method === "POST") {
      // Hop 1: this request. Body: { from, to, clientMsgId, text }.
      const send = await request.json();
      // Hop 2: the sender's counter.
      if (!(await user(env, send.from).take())) return new Response("limited", { status: 429 });
      // Hop 3: the batch.
      const conversation = send.from < send.to ? `${send.from}:${send.to}` : `${send.to}:${send.from}`;
      const args = [conversation, send.from, send.clientMsgId, JSON.stringify([send.from, send.to]), crypto.randomUUID(), JSON.stringify({ text: send.text }), Date.now()];
      const results = await env.DB.batch(BATCH.map(([sql, count]) => env.DB.prepare(sql).bind(...args.slice(0, count))));
      const row = JSON.stringify(results.at(-1).results[0]);
      // After the answer, hops 4 and 5: the bridge stand-in, then the recipient's object.
      ctx.waitUntil(
        Promise.all([
          fetch(env.BRIDGE_URL, { method: "POST", headers: { "content-type": "application/json" }, body: row }).then((r) => r.arrayBuffer()),
          user(env, send.to).push(row),
        ]),
      );
      return new Response(row, { status: 201, headers: { "content-type": "application/json" } });
    }
    if (url.pathname === "/ws" && request.headers.get("upgrade") === "websocket") {
      return user(env, url.searchParams.get("user") ?? "").fetch(request);
    }
    if (url.pathname === "/setup" && request.method === "POST") {
      await env.DB.batch(SCHEMA.map((sql) => env.DB.prepare(sql)));
      return new Response("ok");
    }
    return new Response("not found", { status: 404 });
  },
};
