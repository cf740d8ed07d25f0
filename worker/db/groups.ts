import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import type { GroupMemberRow } from "./group-members.js";
import { groupMembers, groups } from "./schema.js";

export type GroupRow = typeof groups.$inferSelect;
export type GroupChanges = Partial<Pick<GroupRow, "name" | "avatar" | "announcement" | "joinPolicy" | "ownerId">>;

/** The member count, as a correlated subquery (served by the group_members primary key). */
const memberCount = sql<number>`(SELECT count(*) FROM group_members AS counted WHERE counted.group_id = ${groups.id})`;

export async function findGroup(db: Db, groupId: string): Promise<GroupRow | undefined> {
  return db.select().from(groups).where(eq(groups.id, groupId)).get();
}

export async function countGroupMembers(db: Db, groupId: string): Promise<number> {
  const row = await db
    .select({ count: sql<number>`count(*)` })
    .from(groupMembers)
    .where(eq(groupMembers.groupId, groupId))
    .get();
  return row?.count ?? 0;
}

/** "My groups", newest membership first (group_members_user_idx). */
export async function listGroupsOf(
  db: Db,
  userId: string,
): Promise<{ group: GroupRow; membership: GroupMemberRow; memberCount: number }[]> {
  return db
    .select({ group: groups, membership: groupMembers, memberCount })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, userId))
    .orderBy(desc(groupMembers.joinedAt), groups.id);
}

// Statement builders (not awaited) for the callers' db.batch().

export function insertGroup(db: Db, row: GroupRow) {
  return db.insert(groups).values(row);
}

export function updateGroup(db: Db, groupId: string, changes: GroupChanges, now: number) {
  return db
    .update(groups)
    .set({ ...changes, updatedAt: now })
    .where(eq(groups.id, groupId));
}

/** The foreign keys cascade: members, the group conversation and its members go too (its messages: dismiss-group.ts). */
export function deleteGroup(db: Db, groupId: string) {
  return db.delete(groups).where(eq(groups.id, groupId));
}
