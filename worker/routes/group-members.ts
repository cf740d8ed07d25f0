import {
  groupConversationId,
  GroupMemberList,
  GroupResponse,
  InviteBody,
  InviteResponse,
  UpdateMyMembershipBody,
} from "../../protocol/index.js";
import { database } from "../db/client.js";
import {
  deleteMemberUnlessOwner,
  findMembership,
  listMembers,
  memberIdsAmong,
  revokeGroupConversation,
  updateMemberSettings,
} from "../db/group-members.js";
import { findUsersByIds } from "../db/users.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { runtimeOf } from "../messaging/runtime.js";
import { addMembers } from "../groups/add-members.js";
import { sendInvitations, splitByConsent } from "../groups/consent.js";
import { memberAccess } from "../groups/group-access.js";
import { pushGroupRemoved, pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView, toGroupMember } from "../groups/group-view.js";
import { requireMayKick } from "../groups/permissions.js";
import { conflict, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { forgetReadPositions } from "../messaging/conversation-cleanup.js";
import { postSystemMessage } from "../messaging/system-message.js";

// A group's members: the list, invitations, kicks, and my own nickname and remark.
export const groupMemberRoutes = apiRouter("/api/groups", "groups");

groupMemberRoutes.get(
  "/:id/members",
  {
    summary: "The members (members only): owner, then admins, then members, each by seniority",
    response: { status: 200, schema: GroupMemberList },
    errors: ["not_found", "forbidden"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const { group } = await memberAccess(db, idParam(c, "id", "group"), c.var.auth.userId, "see the member list");
    const rows = await listMembers(db, group.id);
    return c.json({ members: rows.map((r) => toGroupMember(r.member, r.user)) }, 200);
  },
);

groupMemberRoutes.post(
  "/:id/members",
  {
    summary:
      "Add users (any member may): those who allow it (groupAddPolicy) are added, the others invited; members are skipped",
    body: InviteBody,
    response: { status: 200, schema: InviteResponse },
    errors: ["not_found", "forbidden", "group_full", "rate_limited"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    await enforceLimit(runtimeOf(c), userId, "groupInvites");
    const { group } = await memberAccess(db, idParam(c, "id", "group"), userId, "invite");
    const requested = [...new Set(body.userIds)];
    const found = await findUsersByIds(db, requested);
    const missing = requested.find((id) => !found.has(id));
    if (missing) throw notFound(`user ${missing}`);

    const alreadyMembers = await memberIdsAmong(db, group.id, requested);
    const newcomers = requested.filter((id) => !alreadyMembers.has(id));
    // Only users who let me add them become members; the others are invited.
    const consent = await splitByConsent(db, userId, found, newcomers);
    const added = await addMembers(db, group.id, consent.add);
    if (added.length > 0) {
      await postSystemMessage(c, groupConversationId(group.id), { event: "member_joined", userIds: added, by: userId });
      await pushGroupViews(c, group.id, { joined: added });
    }
    const view = await loadGroupView(db, group.id, userId);
    if (consent.invite.length > 0) {
      const inviter = (await findUsersByIds(db, [userId])).get(userId);
      if (inviter) await sendInvitations(c, group, view.memberCount, inviter, consent.invite);
    }
    return c.json({ added, invited: consent.reportedInvited, group: view }, 200);
  },
);

groupMemberRoutes.patch(
  "/:id/members/me",
  {
    summary: "Set my nickname in the group (members see it) and my private remark for the group",
    body: UpdateMyMembershipBody,
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "forbidden"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group } = await memberAccess(db, idParam(c, "id", "group"), userId, "set a group nickname or remark");
    await updateMemberSettings(db, group.id, userId, body);
    // Only my own view changed (`me`); my other devices learn it. Others read nicknames from the member list.
    await pushGroupViews(c, group.id, { only: [userId], personal: [userId] });
    return c.json({ group: await loadGroupView(db, group.id, userId) }, 200);
  },
);

groupMemberRoutes.delete(
  "/:id/members/:userId",
  {
    summary: "Kick a member: the owner kicks anyone else, an admin kicks plain members",
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "forbidden", "conflict"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "kick members");
    const targetId = idParam(c, "userId", "member");
    const target = await findMembership(db, group.id, targetId);
    if (!target) throw notFound("member");
    requireMayKick(membership, target);

    const conversationId = groupConversationId(group.id);
    // Only if the target's role is still the one checked (never an owner, say after a transfer to them).
    const [kicked] = await db.batch([
      deleteMemberUnlessOwner(db, group.id, targetId, target.role),
      revokeGroupConversation(db, group.id, [targetId]),
    ]);
    if (kicked.length === 0) throw conflict("the member's role changed meanwhile: try again");
    await forgetReadPositions(c.env, conversationId, [targetId]);
    // The kicked user is no longer in the conversation, but still hears why.
    await postSystemMessage(c, conversationId, { event: "member_kicked", userId: targetId, by: userId }, [targetId]);
    pushGroupRemoved(c, [targetId], group.id, "kicked");
    await pushGroupViews(c, group.id);
    return c.json({ group: await loadGroupView(db, group.id, userId) }, 200);
  },
);
