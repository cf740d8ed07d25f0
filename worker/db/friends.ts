import { and, eq, or, sql } from "drizzle-orm";
import type { Friend } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { friendships, users } from "./schema.js";
import { toPublicUser, type UserRow } from "./users.js";

// A friendship is two rows, one per side (user_id -> friend_id), so each side keeps
// its own private remark. Both rows are written and deleted together.

type FriendshipRow = typeof friendships.$inferSelect;

/** The friend as `friendship.userId` sees them: their profile plus my remark. */
export function toFriend(friend: UserRow, friendship: FriendshipRow): Friend {
  return { user: toPublicUser(friend), remark: friendship.remark, since: friendship.createdAt };
}

/** One side is enough: both rows exist or neither does. Used by messaging to refuse non-friends. */
export async function areFriends(db: Db, userId: string, otherId: string): Promise<boolean> {
  const row = await db
    .select({ friendId: friendships.friendId })
    .from(friendships)
    .where(and(eq(friendships.userId, userId), eq(friendships.friendId, otherId)))
    .get();
  return row !== undefined;
}

/** Which of `others` are friends of `userId` (one query: the ids go in as one JSON parameter). */
export async function friendIdsAmong(db: Db, userId: string, others: string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const rows = await db
    .select({ friendId: friendships.friendId })
    .from(friendships)
    .where(
      and(eq(friendships.userId, userId), sql`${friendships.friendId} IN (SELECT value FROM json_each(${JSON.stringify(others)}))`),
    );
  return new Set(rows.map((row) => row.friendId));
}

/** `friendId` as `userId` sees them, or undefined when they are not friends. */
export async function findFriend(db: Db, userId: string, friendId: string): Promise<Friend | undefined> {
  const row = await db
    .select({ user: users, friendship: friendships })
    .from(friendships)
    .innerJoin(users, eq(users.id, friendships.friendId))
    .where(and(eq(friendships.userId, userId), eq(friendships.friendId, friendId)))
    .get();
  return row && toFriend(row.user, row.friendship);
}

/** All my friends, by display name (case-insensitive), then username. */
export async function listFriends(db: Db, userId: string): Promise<Friend[]> {
  const rows = await db
    .select({ user: users, friendship: friendships })
    .from(friendships)
    .innerJoin(users, eq(users.id, friendships.friendId))
    .where(eq(friendships.userId, userId))
    .orderBy(sql`${users.displayName} COLLATE NOCASE`, sql`${users.username} COLLATE NOCASE`);
  return rows.map((r) => toFriend(r.user, r.friendship));
}

/** Sets my remark for a friend; false when they are not my friend. */
export async function setFriendRemark(db: Db, userId: string, friendId: string, remark: string): Promise<boolean> {
  const updated = await db
    .update(friendships)
    .set({ remark })
    .where(and(eq(friendships.userId, userId), eq(friendships.friendId, friendId)))
    .returning({ friendId: friendships.friendId });
  return updated.length > 0;
}

/** Ends the friendship for both sides; false when there was none. */
export async function deleteFriendship(db: Db, userId: string, friendId: string): Promise<boolean> {
  const deleted = await db
    .delete(friendships)
    .where(
      or(
        and(eq(friendships.userId, userId), eq(friendships.friendId, friendId)),
        and(eq(friendships.userId, friendId), eq(friendships.friendId, userId)),
      ),
    )
    .returning({ userId: friendships.userId });
  return deleted.length > 0;
}
