import type { Env } from "../env.js";
import { messageDatabaseNames, messageDatabases } from "./message-databases.js";

// The copy of edge presence on each message database (migrations/messages/0003_edge_users.sql).
// A send's append batch reads it right after its insert, in the same transaction, so the push
// knows which users' Durable Objects to call and the main database is not asked on a send.
//
// Why a read inside the append cannot lose a push: the batch is one serialized transaction on
// the conversation's database. A user's object writes its copy on EVERY message database
// before a socket of theirs gets `ready`, and clients sync after `ready` (docs/PROTOCOL.md).
// If that write came before the batch, the batch sees it and the object is called; if after,
// the device's sync runs later still on the same database and finds the message. A stale
// copy (sockets lost without close events) costs one call, which makes the object re-check
// and delete it.

/** SQL: the user ids among `idsParam` (a JSON array) with an edge device, as one JSON array (a scalar subquery). */
export function edgeUsersAmongSql(idsParam: string): string {
  return `SELECT json_group_array(user_id) FROM edge_users WHERE user_id IN (SELECT value FROM json_each(${idsParam}))`;
}

/**
 * Writes (online) or deletes (offline) the user's copy on every message database, all at
 * once. Throws if any write failed: a socket must not get `ready` before every copy exists.
 */
export async function writeEdgeUserCopies(env: Env, userId: string, online: boolean, now = Date.now()): Promise<void> {
  const [sql, ...args] = online
    ? ["INSERT INTO edge_users (user_id, since) VALUES (?1, ?2) ON CONFLICT DO NOTHING", userId, now]
    : ["DELETE FROM edge_users WHERE user_id = ?1", userId];
  await Promise.all(messageDatabases(env).map((d1) => d1.prepare(sql).bind(...args).run()));
}

/**
 * Which message databases a recorded copy covers: the object stores it beside its record, and
 * writes the copies again when MESSAGE_DATABASES changed (a database added) or when the record
 * predates the copies.
 */
export function edgeCopiesCover(env: Env): string {
  return messageDatabaseNames(env).join(",");
}
