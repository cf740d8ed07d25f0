import { and, desc, eq, or, sql } from "drizzle-orm";
import type { BlockedUser } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { blocks, users } from "./schema.js";
import { toPublicUser } from "./users.js";

// A block is one row, blocker -> blocked. Most of its rules (docs/API.md, "Blocks") apply
// in both directions; the look-ups below say which direction they ask.

/** `blockerId` blocked `blockedId` (one direction only). */
export async function hasBlocked(db: Db, blockerId: string, blockedId: string): Promise<boolean> {
  const row = await db
    .select({ blockerId: blocks.blockerId })
    .from(blocks)
    .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
    .get();
  return row !== undefined;
}

/** `column IN (the ids)`, the ids bound as one JSON parameter, however many there are. */
const amongIds = (column: typeof blocks.blockerId | typeof blocks.blockedId, ids: string[]) =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** Which of `others` blocked `userId` or were blocked by them (one query). */
export async function blockedEitherWayAmong(db: Db, userId: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db
    .select({ blockerId: blocks.blockerId, blockedId: blocks.blockedId })
    .from(blocks)
    .where(
      or(
        and(eq(blocks.blockerId, userId), amongIds(blocks.blockedId, others)),
        and(eq(blocks.blockedId, userId), amongIds(blocks.blockerId, others)),
      ),
    );
  return new Set(rows.map((row) => (row.blockerId === userId ? row.blockedId : row.blockerId)));
}

/** Which of `others` blocked `userId` (the other direction is not asked; one query). */
export async function blockersAmong(db: Db, userId: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db
    .select({ blockerId: blocks.blockerId })
    .from(blocks)
    .where(and(eq(blocks.blockedId, userId), amongIds(blocks.blockerId, others)));
  return new Set(rows.map((row) => row.blockerId));
}

/** The users I blocked, most recent first. */
export async function listBlocked(db: Db, blockerId: string): Promise<BlockedUser[]> {
  const rows = await db
    .select({ user: users, since: blocks.createdAt })
    .from(blocks)
    .innerJoin(users, eq(users.id, blocks.blockedId))
    .where(eq(blocks.blockerId, blockerId))
    .orderBy(desc(blocks.createdAt), blocks.blockedId);
  return rows.map((r) => ({ user: toPublicUser(r.user), since: r.since }));
}

// Statement builders (not awaited) for the callers' db.batch().

export function insertBlock(db: Db, blockerId: string, blockedId: string, now: number) {
  return db.insert(blocks).values({ blockerId, blockedId, createdAt: now }).onConflictDoNothing();
}

export function deleteBlock(db: Db, blockerId: string, blockedId: string) {
  return db
    .delete(blocks)
    .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
    .returning({ blockedId: blocks.blockedId });
}

export async function findBlock(db: Db, blockerId: string, blockedId: string) {
  return db
    .select()
    .from(blocks)
    .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
    .get();
}
