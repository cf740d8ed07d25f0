import type { Context } from "hono";
import {
  groupConversationId,
  GroupMemberResponse,
  GroupResponse,
  TransferOwnershipBody,
  type ErrorCode,
} from "../../protocol/index.js";
import { database } from "../db/client.js";
import { claimOwnership, findMembership, passOwnerRole, setAdminRole } from "../db/group-members.js";
import { findUserById } from "../db/users.js";
import type { AppEnv } from "../env.js";
import { memberAccess } from "../groups/group-access.js";
import { pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView, toGroupMember } from "../groups/group-view.js";
import { requireOwner } from "../groups/permissions.js";
import { conflict, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { postSystemMessage } from "../messaging/system-message.js";

// Who runs a group: ownership transfer, admin promotion and demotion (all owner only).
export const groupRoleRoutes = apiRouter("/api/groups", "groups");

groupRoleRoutes.post(
  "/:id/owner",
  {
    summary: "Hand the group to another member (owner only); the old owner becomes an admin",
    body: TransferOwnershipBody,
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "forbidden", "conflict"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "transfer ownership");
    requireOwner(membership, "transfer ownership");
    if (body.userId === userId) throw conflict("you already own this group");
    const target = await findMembership(db, group.id, body.userId);
    if (!target) throw notFound(`member ${body.userId} (only a member can become the owner)`);

    // Conditional on what was read above: of racing transfers (or a transfer racing a
    // leave or a kick) one wins and the others change nothing and answer 409.
    const [claimed] = await db.batch([
      claimOwnership(db, group.id, userId, target.userId, Date.now()),
      passOwnerRole(db, group.id, userId, target.userId),
    ]);
    if (claimed.length === 0) throw conflict("the group changed meanwhile: you no longer own it, or they left");
    await postSystemMessage(c, groupConversationId(group.id), {
      event: "owner_changed",
      ownerId: target.userId,
      previousOwnerId: userId,
    });
    await pushGroupViews(c, group.id, { personal: [userId, target.userId] });
    return c.json({ group: await loadGroupView(db, group.id, userId) }, 200);
  },
);

/** Makes a member an admin (`admin`) or a plain member again; idempotent. */
async function setAdmin(c: Context<AppEnv>, admin: boolean): Promise<Response> {
  const db = database(c.env.DB);
  const userId = c.var.auth.userId;
  const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "change admins");
  requireOwner(membership, "promote or demote admins");
  const targetId = idParam(c, "userId", "member");
  const [target, user] = await Promise.all([findMembership(db, group.id, targetId), findUserById(db, targetId)]);
  if (!target || !user) throw notFound("member");
  if (target.role === "owner") throw conflict("the owner's role cannot change: transfer ownership instead");

  const role = admin ? "admin" : "member";
  if (target.role !== role) {
    // Only while the caller still owns the group and the target is not the owner by now.
    const changed = await setAdminRole(db, group.id, userId, targetId, role);
    if (changed.length === 0) throw conflict("the group changed meanwhile: try again");
    await postSystemMessage(c, groupConversationId(group.id), { event: "admin_changed", userId: targetId, admin, by: userId });
    await pushGroupViews(c, group.id, { personal: [targetId] });
  }
  return c.json({ member: toGroupMember({ ...target, role }, user) }, 200);
}

const adminResponse = { status: 200, schema: GroupMemberResponse };
const adminErrors: ErrorCode[] = ["not_found", "forbidden", "conflict"];

groupRoleRoutes.put(
  "/:id/admins/:userId",
  { summary: "Make a member an admin (owner only)", response: adminResponse, errors: adminErrors },
  (c) => setAdmin(c, true),
);

groupRoleRoutes.delete(
  "/:id/admins/:userId",
  { summary: "Make an admin a plain member again (owner only)", response: adminResponse, errors: adminErrors },
  (c) => setAdmin(c, false),
);
