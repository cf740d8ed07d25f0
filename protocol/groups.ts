import * as z from "zod";
import { Id, Line, Text, Timestamp, WebUrl } from "./common.js";
import { PublicUser } from "./users.js";

export const GroupRole = z.enum(["owner", "admin", "member"]);
export type GroupRole = z.infer<typeof GroupRole>;
export const JoinPolicy = z.enum(["open", "invite"]);

/** Groups hold at most this many members (documented in docs/API.md). */
export const MAX_GROUP_MEMBERS = 500;

export const Group = z.object({
  id: Id,
  name: z.string(),
  avatar: z.string().nullable(),
  announcement: z.string(),
  joinPolicy: JoinPolicy,
  ownerId: Id,
  memberCount: z.number().int(),
  /** The conversation that carries this group's messages. */
  conversationId: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Group = z.infer<typeof Group>;

/** The caller's own membership, included where the caller is a member. */
export const MyMembership = z.object({
  role: GroupRole,
  nickname: z.string(),
  remark: z.string(),
  joinedAt: Timestamp,
});

export const GroupView = Group.extend({ me: MyMembership.nullable() });
export type GroupView = z.infer<typeof GroupView>;

export const GroupMember = z.object({
  user: PublicUser,
  role: GroupRole,
  nickname: z.string(),
  joinedAt: Timestamp,
});
export type GroupMember = z.infer<typeof GroupMember>;

export const CreateGroupBody = z
  .object({
    name: Line(64).min(1),
    memberIds: z.array(Id).max(MAX_GROUP_MEMBERS - 1).optional(),
    avatar: WebUrl.optional(),
    announcement: Text(2000).optional(),
    joinPolicy: JoinPolicy.optional(),
  })
  .strict();
export type CreateGroupBody = z.infer<typeof CreateGroupBody>;

export const UpdateGroupBody = z
  .object({
    name: Line(64).min(1),
    avatar: WebUrl.nullable(),
    announcement: Text(2000),
    joinPolicy: JoinPolicy,
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateGroupBody = z.infer<typeof UpdateGroupBody>;

export const InviteBody = z.object({ userIds: z.array(Id).min(1).max(100) }).strict();
export type InviteBody = z.infer<typeof InviteBody>;

export const UpdateMyMembershipBody = z
  .object({ nickname: Line(64), remark: Line(64) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateMyMembershipBody = z.infer<typeof UpdateMyMembershipBody>;

export const TransferOwnershipBody = z.object({ userId: Id }).strict();

export const GroupResponse = z.object({ group: GroupView });
export const GroupList = z.object({ groups: z.array(GroupView) });
export const GroupMemberList = z.object({ members: z.array(GroupMember) });
export const InviteResponse = z.object({
  /** Users who were added by this call (already-members are skipped, not an error). */
  added: z.array(Id),
  /** Users whose consent the add needs (their groupAddPolicy): they got a group invitation instead. */
  invited: z.array(Id),
  group: GroupView,
});
/** POST /api/groups: the new group, who is in it, and who was invited rather than added. */
export const CreateGroupResponse = z.object({ group: GroupView, added: z.array(Id), invited: z.array(Id) });

/** An invitation to a group, as its invitee sees it. */
export const GroupInvitation = z.object({
  id: Id,
  group: Group,
  inviter: PublicUser,
  createdAt: Timestamp,
});
export type GroupInvitation = z.infer<typeof GroupInvitation>;
export const GroupInvitationList = z.object({ invitations: z.array(GroupInvitation) });
export const GroupMemberResponse = z.object({ member: GroupMember });
