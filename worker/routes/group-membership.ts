import { groupConversationId, GroupResponse, Ok } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { deleteConversationMembers } from "../db/conversations.js";
import { deleteMember, findMembership, findSuccessor, setMemberRole } from "../db/group-members.js";
import { findGroup, updateGroup } from "../db/groups.js";
import { addMembers } from "../groups/add-members.js";
import { memberAccess } from "../groups/group-access.js";
import { pushGroupRemoved, pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView } from "../groups/group-view.js";
import { conflict, forbidden, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
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

    const now = Date.now();
    await db.batch([
      deleteMember(db, group.id, userId),
      deleteConversationMembers(db, conversationId, [userId]),
      ...(successor
        ? [setMemberRole(db, group.id, successor.userId, "owner"), updateGroup(db, group.id, { ownerId: successor.userId }, now)]
        : []),
    ] as const);

    await postSystemMessage(c, conversationId, { event: "member_left", userId });
    if (successor) {
      await postSystemMessage(c, conversationId, { event: "owner_changed", ownerId: successor.userId, previousOwnerId: userId });
    }
    pushGroupRemoved(c, [userId], group.id, "left");
    await pushGroupViews(c, group.id, successor ? { personal: [successor.userId] } : {});
    return c.json({ ok: true as const }, 200);
  },
);
