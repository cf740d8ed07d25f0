import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { groupConversationId, MAX_GROUP_MEMBERS, type GroupRole } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { conversationMembers, groupMembers, groups, users } from "./schema.js";
import type { UserRow } from "./users.js";

export type GroupMemberRow = typeof groupMembers.$inferSelect;

/** D1 binds at most 100 parameters per statement; a member row binds 6. */
const MEMBER_ROWS_PER_INSERT = 16;
const IDS_PER_LOOKUP = 90;

/** Owner first, then admins, then members; each by seniority. */
const roleRank = sql`CASE ${groupMembers.role} WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END`;

export async function findMembership(db: Db, groupId: string, userId: string): Promise<GroupMemberRow | undefined> {
  return db
    .select()
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
    .get();
}

export async function listMembers(db: Db, groupId: string): Promise<{ member: GroupMemberRow; user: UserRow }[]> {
  return db
    .select({ member: groupMembers, user: users })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.groupId, groupId))
    .orderBy(roleRank, groupMembers.joinedAt, groupMembers.userId);
}

export async function listMemberships(db: Db, groupId: string): Promise<GroupMemberRow[]> {
  return db.select().from(groupMembers).where(eq(groupMembers.groupId, groupId));
}

/** Which of these users are already members. */
export async function memberIdsAmong(db: Db, groupId: string, userIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < userIds.length; i += IDS_PER_LOOKUP) {
    const rows = await db
      .select({ userId: groupMembers.userId })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), inArray(groupMembers.userId, userIds.slice(i, i + IDS_PER_LOOKUP))));
    for (const row of rows) found.add(row.userId);
  }
  return found;
}

/**
 * Who inherits the group when its owner leaves: the oldest admin, else the oldest
 * member (ties on the join time, as among a group's first members, go by user id).
 */
export async function findSuccessor(db: Db, groupId: string, leavingOwnerId: string): Promise<GroupMemberRow | undefined> {
  return db
    .select()
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), ne(groupMembers.userId, leavingOwnerId)))
    .orderBy(roleRank, groupMembers.joinedAt, groupMembers.userId)
    .limit(1)
    .get();
}

// Statement builders (not awaited) for the callers' db.batch().

/** A new group's members (no capacity check: the create body is capped below the limit). */
export function insertMembers(db: Db, rows: GroupMemberRow[]) {
  const statements = [];
  for (let i = 0; i < rows.length; i += MEMBER_ROWS_PER_INSERT) {
    statements.push(db.insert(groupMembers).values(rows.slice(i, i + MEMBER_ROWS_PER_INSERT)));
  }
  return statements;
}

/**
 * Adds plain members to an existing group only if they all fit under MAX_GROUP_MEMBERS and
 * the group still exists; the check and the insert are one statement, so concurrent invites
 * cannot overfill the group. Ids go in as one JSON parameter (json_each), whatever their
 * number. Returns the rows actually inserted: none when the group is full or gone, and
 * without users who became members meanwhile.
 */
export function insertMembersIfRoom(db: Db, groupId: string, userIds: string[], now: number) {
  return db
    .insert(groupMembers)
    .select(
      sql`SELECT ${groupId}, invited.value, 'member', '', '', ${now} FROM json_each(${JSON.stringify(userIds)}) AS invited
          WHERE EXISTS (SELECT 1 FROM groups WHERE id = ${groupId})
            AND (SELECT count(*) FROM group_members WHERE group_id = ${groupId}) + ${userIds.length} <= ${MAX_GROUP_MEMBERS}`,
    )
    .onConflictDoNothing()
    .returning({ userId: groupMembers.userId });
}

/**
 * Gives these users the group conversation, but only those who are group members by now:
 * conversation membership follows group membership, so a refused insertMembersIfRoom in
 * the same batch adds nobody here either. Like insertConversationMembers, newcomers start
 * with the existing history marked read (they have no read position yet).
 */
export function grantGroupConversation(db: Db, groupId: string, userIds: string[], now: number) {
  const conversationId = groupConversationId(groupId);
  return db
    .insert(conversationMembers)
    .select(
      sql`SELECT ${conversationId}, member.user_id, ${now}
          FROM group_members AS member JOIN conversations AS conversation ON conversation.id = ${conversationId}
          WHERE member.group_id = ${groupId} AND member.user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`,
    )
    .onConflictDoNothing();
}

export function updateMemberSettings(db: Db, groupId: string, userId: string, settings: { nickname?: string; remark?: string }) {
  return db
    .update(groupMembers)
    .set(settings)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
    .returning();
}

// Role changes are conditional writes: each statement re-checks, inside the batch (one
// D1 transaction), what the route read before it, so two racing requests can never leave
// a group with two owners or none. The route checks the rows changed and answers 409.

/**
 * First statement of a hand-over: moves groups.owner_id from `fromId` to `toId`, only if
 * `fromId` still owns the group and `toId` is still a member. Returns the group id when it won.
 */
export function claimOwnership(db: Db, groupId: string, fromId: string, toId: string, now: number) {
  return db
    .update(groups)
    .set({ ownerId: toId, updatedAt: now })
    .where(
      and(
        eq(groups.id, groupId),
        eq(groups.ownerId, fromId),
        sql`EXISTS (SELECT 1 FROM group_members WHERE group_id = ${groupId} AND user_id = ${fromId} AND role = 'owner')`,
        sql`EXISTS (SELECT 1 FROM group_members WHERE group_id = ${groupId} AND user_id = ${toId})`,
      ),
    )
    .returning({ id: groups.id });
}

/**
 * Second statement, after claimOwnership in the same batch: `toId` becomes the owner and
 * `fromId` an admin, in one statement, only if that claim just won (owner_id is `toId`
 * while `fromId` still holds the owner row); otherwise it changes nothing.
 */
export function passOwnerRole(db: Db, groupId: string, fromId: string, toId: string) {
  return db
    .update(groupMembers)
    .set({ role: sql`CASE WHEN ${groupMembers.userId} = ${fromId} THEN 'admin' ELSE 'owner' END` })
    .where(
      and(
        eq(groupMembers.groupId, groupId),
        inArray(groupMembers.userId, [fromId, toId]),
        sql`EXISTS (SELECT 1 FROM groups WHERE id = ${groupId} AND owner_id = ${toId})`,
        sql`EXISTS (SELECT 1 FROM group_members WHERE group_id = ${groupId} AND user_id = ${fromId} AND role = 'owner')`,
      ),
    );
}

/** Removes a member unless they are (by now) the owner, or their role is no longer `expectedRole`. */
export function deleteMemberUnlessOwner(db: Db, groupId: string, userId: string, expectedRole?: GroupRole) {
  return db
    .delete(groupMembers)
    .where(
      and(
        eq(groupMembers.groupId, groupId),
        eq(groupMembers.userId, userId),
        ne(groupMembers.role, "owner"),
        ...(expectedRole ? [eq(groupMembers.role, expectedRole)] : []),
      ),
    )
    .returning({ userId: groupMembers.userId });
}

/** Takes the group conversation from these users, only those who are no longer group members. */
export function revokeGroupConversation(db: Db, groupId: string, userIds: string[]) {
  return db.delete(conversationMembers).where(
    and(
      eq(conversationMembers.conversationId, groupConversationId(groupId)),
      inArray(conversationMembers.userId, userIds),
      sql`NOT EXISTS (SELECT 1 FROM group_members WHERE group_id = ${groupId} AND user_id = conversation_members.user_id)`,
    ),
  );
}

/** Makes a member an admin or a plain member, only while `ownerId` still owns the group and never the owner. */
export function setAdminRole(db: Db, groupId: string, ownerId: string, userId: string, role: "admin" | "member") {
  return db
    .update(groupMembers)
    .set({ role })
    .where(
      and(
        eq(groupMembers.groupId, groupId),
        eq(groupMembers.userId, userId),
        ne(groupMembers.role, "owner"),
        sql`EXISTS (SELECT 1 FROM groups WHERE id = ${groupId} AND owner_id = ${ownerId})`,
      ),
    )
    .returning({ userId: groupMembers.userId });
}
