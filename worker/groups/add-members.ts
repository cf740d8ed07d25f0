import { MAX_GROUP_MEMBERS } from "../../protocol/index.js";
import type { Db } from "../db/client.js";
import { grantGroupConversation, insertMembersIfRoom } from "../db/group-members.js";
import { deleteInvitationsTo } from "../db/group-invitations.js";
import { countGroupMembers, findGroup } from "../db/groups.js";
import { ApiError, notFound } from "../http/api-error.js";

function groupFull(memberCount: number, adding: number): ApiError {
  return new ApiError(
    "group_full",
    `the group has ${memberCount} members; adding ${adding} would pass the limit of ${MAX_GROUP_MEMBERS}`,
  );
}

/**
 * Adds users (not yet members) to a group as plain members, with the group conversation,
 * in one batch. Returns who was added: fewer than asked when some became members
 * meanwhile. 409 group_full when they do not all fit, 404 when the group is gone.
 */
export async function addMembers(db: Db, groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  // A clear answer for the common case; the insert re-checks atomically against races.
  const memberCount = await countGroupMembers(db, groupId);
  if (memberCount + userIds.length > MAX_GROUP_MEMBERS) throw groupFull(memberCount, userIds.length);

  const now = Date.now();
  const [inserted] = await db.batch([
    insertMembersIfRoom(db, groupId, userIds, now),
    grantGroupConversation(db, groupId, userIds, now),
    // A pending invitation of a new member is moot (they joined or were added another way).
    deleteInvitationsTo(db, groupId, userIds),
  ]);
  if (inserted.length > 0) return inserted.map((row) => row.userId);

  // Nobody was added: find out why.
  if (!(await findGroup(db, groupId))) throw notFound("group");
  const countNow = await countGroupMembers(db, groupId);
  if (countNow + userIds.length > MAX_GROUP_MEMBERS) throw groupFull(countNow, userIds.length);
  return []; // they all joined by another way in the meantime
}
