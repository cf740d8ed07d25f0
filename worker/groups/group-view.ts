import { groupConversationId, type GroupMember, type GroupView } from "../../protocol/index.js";
import type { Db } from "../db/client.js";
import type { GroupMemberRow } from "../db/group-members.js";
import { findMembership } from "../db/group-members.js";
import { countGroupMembers, findGroup, type GroupRow } from "../db/groups.js";
import { toPublicUser, type UserRow } from "../db/users.js";
import { notFound } from "../http/api-error.js";

/** A group as one user sees it: `me` is their membership (with the private remark), null for a visitor. */
export function toGroupView(group: GroupRow, memberCount: number, me: GroupMemberRow | null | undefined): GroupView {
  return {
    id: group.id,
    name: group.name,
    avatar: group.avatar,
    announcement: group.announcement,
    joinPolicy: group.joinPolicy,
    ownerId: group.ownerId,
    memberCount,
    conversationId: groupConversationId(group.id),
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
    me: me ? { role: me.role, nickname: me.nickname, remark: me.remark, joinedAt: me.joinedAt } : null,
  };
}

/** A member as every member sees them: never the private remark. */
export function toGroupMember(member: GroupMemberRow, user: UserRow): GroupMember {
  return { user: toPublicUser(user), role: member.role, nickname: member.nickname, joinedAt: member.joinedAt };
}

/** The current view of a group for one user, read fresh after a change. */
export async function loadGroupView(db: Db, groupId: string, userId: string): Promise<GroupView> {
  const [group, memberCount, me] = await Promise.all([
    findGroup(db, groupId),
    countGroupMembers(db, groupId),
    findMembership(db, groupId, userId),
  ]);
  if (!group) throw notFound("group");
  return toGroupView(group, memberCount, me);
}
