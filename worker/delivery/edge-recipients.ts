import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { EDGE_GATEWAY } from "../db/presence.js";
import { presence } from "../db/schema.js";

/**
 * Which of these users have an edge device: a presence row of gateway 'edge', written by
 * the user's Durable Object before it sends any socket its `ready` frame
 * (worker/user-hub/edge-presence.ts). One query, whatever the count: the ids are bound as
 * one JSON parameter (json_each), so D1's limit of 100 bound parameters per statement is
 * never reached (a 500-member group is one statement of two parameters).
 */
export async function edgeUsersAmong(db: Db, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: presence.userId })
    .from(presence)
    .where(and(eq(presence.gateway, EDGE_GATEWAY), sql`${presence.userId} IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`));
  const edge = new Set(rows.map((row) => row.userId));
  for (const userId of userIds) rememberEdge(userId, edge.has(userId));
  return edge;
}

// What the last read in this isolate said of each user: a hint, never an answer. A caller
// that may read presence early (beside the store, where only an "all of them" answer can be
// used: deliverWithReport) asks it whether that read is likely to be of use.
const lastSeenOnEdge = new Map<string, boolean>();
const MAX_HINTS = 50_000;

function rememberEdge(userId: string, onEdge: boolean): void {
  if (lastSeenOnEdge.size >= MAX_HINTS) lastSeenOnEdge.clear();
  lastSeenOnEdge.set(userId, onEdge);
}

/** False when the last read here found one of these users without an edge device; true otherwise (unknown included). */
export function mayAllBeOnEdge(userIds: readonly string[]): boolean {
  return userIds.every((userId) => lastSeenOnEdge.get(userId) !== false);
}
