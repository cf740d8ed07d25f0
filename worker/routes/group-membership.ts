import { groupConversationId, GroupResponse, Ok } from "../../protocol/index.js";
import { database } from "../db/client.js";
import {
  claimOwnership,
  deleteMemberUnlessOwner,
  findMembership,
  findSuccessor,
  passOwnerRole,
  revokeGroupConversation,
} from "../db/group-members.js";
import { findGroup } from "../db/groups.js";
import { addMembers } from "../groups/add-members.js";
import { memberAccess } from "../groups/group-access.js";
import { pushGroupRemoved, pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView } from "../groups/group-view.js";
import { conflict, forbidden, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { forgetReadPositions } from "../messaging/conversation-cleanup.js";
import { postSystemMessage } from "../messaging/system-message.js";

// The caller's own membership coming and going: join an open group, leave a group.
export const groupMembershipRoutes = apiRouter("/api/groups", "groups");

groupMembershipRoutes.post(
  "/:id/join",
  {
    summary: "Join an open group",
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "forbidden", "conflict", "group_full"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const groupId = idParam(c, "id", "group");
    const [group, membership] = await Promise.all([findGroup(db, groupId), findMembership(db, groupId, userId)]);
    if (!group) throw notFound("group");
    if (membership) throw conflict("you are already a member of this group");
    // Whoever holds an invite-only group's id learns only that it is invite-only.
    if (group.joinPolicy !== "open") throw forbidden("this group is invite-only: a member must invite you");

    const added = await addMembers(db, groupId, [userId]);
    if (added.length === 0) throw conflict("you are already a member of this group");
    await postSystemMessage(c, groupConversationId(groupId), { event: "member_joined", userIds: [userId], by: null });
    await pushGroupViews(c, groupId, { joined: [userId] });
    return c.json({ group: await loadGroupView(db, groupId, userId) }, 200);
  },
);

groupMembershipRoutes.post(
  "/:id/leave",
  {
    summary: "Leave a group; an owner hands the group to the oldest admin, else the oldest member",
    response: { status: 200, schema: Ok },
    errors: ["not_found", "forbidden", "conflict"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "leave the group");
    const conversationId = groupConversationId(group.id);
    const successor = membership.role === "owner" ? await findSuccessor(db, group.id, userId) : undefined;
    if (membership.role === "owner" && !successor) {
      throw conflict(`you are the only member of this group: dismiss it instead (DELETE /api/groups/${group.id})`);
    }

    // Conditional on what was read above: an owner hands the group over first (only if
    // still the owner and the successor still a member), then leaves only as a non-owner;
    // if a racing transfer or leave changed that, nothing happens and the answer is 409.
    const leave = [deleteMemberUnlessOwner(db, group.id, userId), revokeGroupConversation(db, group.id, [userId])] as const;
    let heir: string | undefined; // set only if this request handed the group over
    let left: { userId: string }[];
    if (successor) {
      const [claimed, , gone] = await db.batch([
        claimOwnership(db, group.id, userId, successor.userId, Date.now()),
        passOwnerRole(db, group.id, userId, successor.userId),
        ...leave,
      ]);
      if (claimed.length > 0) heir = successor.userId;
      left = gone;
    } else {
      [left] = await db.batch(leave);
    }
    if (left.length === 0) throw conflict("your role in this group changed meanwhile: try again");
    await forgetReadPositions(c.env, conversationId, [userId]);

    await postSystemMessage(c, conversationId, { event: "member_left", userId });
    if (heir) await postSystemMessage(c, conversationId, { event: "owner_changed", ownerId: heir, previousOwnerId: userId });
    pushGroupRemoved(c, [userId], group.id, "left");
    await pushGroupViews(c, group.id, heir ? { personal: [heir] } : {});
    return c.json({ ok: true as const }, 200);
  },
);
