import type { Db } from "../db/client.js";
import { findMembership, type GroupMemberRow } from "../db/group-members.js";
import { findGroup, type GroupRow } from "../db/groups.js";
import { forbidden, notFound } from "../http/api-error.js";

export interface GroupAccess {
  group: GroupRow;
  /** The caller's membership; null for a visitor of an open group. */
  membership: GroupMemberRow | null;
}

/**
 * The group as the caller may see it. Members see their groups; anyone signed in sees an
 * open group (so they can join it); everyone else gets the same 404 as for a group that
 * does not exist, so invite-only groups stay unlisted.
 */
export async function visibleGroup(db: Db, groupId: string, userId: string): Promise<GroupAccess> {
  const [group, membership] = await Promise.all([findGroup(db, groupId), findMembership(db, groupId, userId)]);
  if (!group || (!membership && group.joinPolicy !== "open")) throw notFound("group");
  return { group, membership: membership ?? null };
}

/** As visibleGroup, and the caller must be a member: a visitor of an open group gets 403. */
export async function memberAccess(
  db: Db,
  groupId: string,
  userId: string,
  action: string,
): Promise<{ group: GroupRow; membership: GroupMemberRow }> {
  const { group, membership } = await visibleGroup(db, groupId, userId);
  if (!membership) throw forbidden(`only members can ${action}`);
  return { group, membership };
}
