import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { EDGE_GATEWAY } from "../db/presence.js";
import { presence } from "../db/schema.js";

/**
 * Which of these users have an edge device: a presence row of gateway 'edge', written by
 * the user's Durable Object before it sends any socket its `ready` frame
 * (worker/user-hub/edge-presence.ts). For pushes without an append (a send's append reads
 * the message database's copy instead: worker/db/edge-user-copies.ts). One query, whatever
 * the count: the ids are bound as one JSON parameter (json_each), so D1's limit of 100 bound
 * parameters per statement is never reached (a 500-member group is one statement of two).
 */
export async function edgeUsersAmong(db: Db, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: presence.userId })
    .from(presence)
    .where(and(eq(presence.gateway, EDGE_GATEWAY), sql`${presence.userId} IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`));
  return new Set(rows.map((row) => row.userId));
}
