import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Me, PublicUser } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { users } from "./schema.js";

export type UserRow = typeof users.$inferSelect;

export function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, username: row.username, displayName: row.displayName, avatar: row.avatar, bio: row.bio };
}

export function toMe(row: UserRow): Me {
  return { ...toPublicUser(row), createdAt: row.createdAt, groupAddPolicy: row.groupAddPolicy };
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

/** Usernames are unique case-insensitively (the column is COLLATE NOCASE). */
export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export async function findUsersByIds(db: Db, ids: string[]): Promise<Map<string, UserRow>> {
  const unique = [...new Set(ids)];
  const rows: UserRow[] = [];
  // D1 caps bound parameters per statement at 100.
  for (let i = 0; i < unique.length; i += 90) {
    rows.push(...(await db.select().from(users).where(inArray(users.id, unique.slice(i, i + 90)))));
  }
  return new Map(rows.map((r) => [r.id, r]));
}

/** Sets (a time) or clears (null) when the user was disabled. Returns the row, if the user exists. */
export async function setUserDisabled(db: Db, id: string, disabledAt: number | null): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set({ disabledAt, updatedAt: Date.now() }).where(eq(users.id, id)).returning();
  return row;
}

export async function isUserDisabled(db: Db, id: string): Promise<boolean> {
  const row = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, id)).get();
  return row?.disabledAt != null;
}

/** `LIKE` matches `%` and `_` as wildcards: a prefix given by someone is matched literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * The back office's look-up: one user by id, or users whose username starts with `prefix`
 * (ignoring case, as usernames are unique), ordered by username, from after `cursor`.
 */
export async function searchUsers(db: Db, q: { id?: string; prefix: string; cursor?: string; limit: number }): Promise<UserRow[]> {
  if (q.id) return db.select().from(users).where(eq(users.id, q.id)).all();
  const conditions = [sql`${users.username} LIKE ${likePrefix(q.prefix)} ESCAPE '\\'`];
  if (q.cursor) conditions.push(gt(users.username, q.cursor));
  return db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(users.username))
    .limit(q.limit);
}

export async function countUsers(db: Db): Promise<{ total: number; disabled: number }> {
  const row = await db
    .select({ total: sql<number>`count(*)`, disabled: sql<number>`count(${users.disabledAt})` })
    .from(users)
    .get();
  return { total: row?.total ?? 0, disabled: row?.disabled ?? 0 };
}
