import { eq, inArray } from "drizzle-orm";
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
