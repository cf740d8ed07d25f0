import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { groupInvitations, groups, users } from "./schema.js";
import type { GroupRow } from "./groups.js";
import type { UserRow } from "./users.js";

export type GroupInvitationRow = typeof groupInvitations.$inferSelect;

/**
 * Invites these users (one row each; a user already invited keeps their first invitation).
 * Returns the invitations made by this call, to push `group.invited` for.
 */
export async function insertInvitations(
  db: Db,
  groupId: string,
  inviterId: string,
  userIds: string[],
  now: number,
): Promise<GroupInvitationRow[]> {
  if (userIds.length === 0) return [];
  const rows = userIds.map((userId) => ({ id: crypto.randomUUID(), groupId, userId, inviterId, createdAt: now }));
  const made: GroupInvitationRow[] = [];
  // D1 binds at most 100 parameters per statement; a row binds 5.
  for (let i = 0; i < rows.length; i += 16) {
    made.push(...(await db.insert(groupInvitations).values(rows.slice(i, i + 16)).onConflictDoNothing().returning()));
  }
  return made;
}

export async function findInvitation(db: Db, id: string): Promise<GroupInvitationRow | undefined> {
  return db.select().from(groupInvitations).where(eq(groupInvitations.id, id)).get();
}

/** My pending invitations, newest first, with their group and inviter. */
export async function listInvitationsOf(
  db: Db,
  userId: string,
): Promise<{ invitation: GroupInvitationRow; group: GroupRow; inviter: UserRow }[]> {
  return db
    .select({ invitation: groupInvitations, group: groups, inviter: users })
    .from(groupInvitations)
    .innerJoin(groups, eq(groups.id, groupInvitations.groupId))
    .innerJoin(users, eq(users.id, groupInvitations.inviterId))
    .where(eq(groupInvitations.userId, userId))
    .orderBy(desc(groupInvitations.createdAt), groupInvitations.id);
}

// Statement builders (not awaited) for the callers' db.batch().

export function deleteInvitation(db: Db, id: string) {
  return db.delete(groupInvitations).where(eq(groupInvitations.id, id)).returning({ id: groupInvitations.id });
}

/**
 * These users' invitations to this group, for those who are members by now (a refused add in
 * the same batch leaves theirs): an invitation is moot once its invitee is in the group.
 */
export function deleteInvitationsTo(db: Db, groupId: string, userIds: string[]) {
  return db
    .delete(groupInvitations)
    .where(
      and(
        eq(groupInvitations.groupId, groupId),
        sql`${groupInvitations.userId} IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`,
        sql`EXISTS (SELECT 1 FROM group_members WHERE group_id = ${groupId} AND user_id = ${groupInvitations.userId})`,
      ),
    );
}

/** Every invitation `inviterId` sent to `userId` (blocking them withdraws these). */
export function deleteInvitationsBetween(db: Db, inviterId: string, userId: string) {
  return db
    .delete(groupInvitations)
    .where(and(eq(groupInvitations.inviterId, inviterId), eq(groupInvitations.userId, userId)));
}
