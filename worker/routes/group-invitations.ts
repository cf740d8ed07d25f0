import { groupConversationId, GroupInvitationList, GroupResponse, Ok } from "../../protocol/index.js";
import { database, type Db } from "../db/client.js";
import { deleteInvitation, findInvitation, listInvitationsOf, type GroupInvitationRow } from "../db/group-invitations.js";
import { countGroupMembers } from "../db/groups.js";
import { toPublicUser } from "../db/users.js";
import { addMembers } from "../groups/add-members.js";
import { pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView, toGroupView } from "../groups/group-view.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { postSystemMessage } from "../messaging/system-message.js";

// Invitations to groups, for users an adder may not add without asking (groupAddPolicy,
// worker/groups/consent.ts). Mounted before the group routes, so "invitations" is never
// taken for a group id.
export const groupInvitationRoutes = apiRouter("/api/groups", "groups");

/** An invitation of mine; anyone else's is the same 404 as an unknown one. */
async function myInvitation(db: Db, id: string, me: string): Promise<GroupInvitationRow> {
  const invitation = await findInvitation(db, id);
  if (!invitation || invitation.userId !== me) throw notFound("group invitation");
  return invitation;
}

groupInvitationRoutes.get(
  "/invitations",
  {
    summary: "My pending group invitations, newest first, with the group and who invited me",
    response: { status: 200, schema: GroupInvitationList },
  },
  async (c) => {
    const db = database(c.env.DB);
    const rows = await listInvitationsOf(db, c.var.auth.userId);
    const counts = await Promise.all(rows.map((r) => countGroupMembers(db, r.group.id)));
    const invitations = rows.map((r, i) => {
      const { me: _none, ...group } = toGroupView(r.group, counts[i]!, null);
      return { id: r.invitation.id, group, inviter: toPublicUser(r.inviter), createdAt: r.invitation.createdAt };
    });
    return c.json({ invitations }, 200);
  },
);

groupInvitationRoutes.post(
  "/invitations/:id/accept",
  {
    summary: "Accept a group invitation: I become a member (the invitation is used up)",
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "group_full"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const me = c.var.auth.userId;
    const invitation = await myInvitation(db, idParam(c, "id", "group invitation"), me);
    // Adding me also deletes the invitation, in the same batch.
    const added = await addMembers(db, invitation.groupId, [me]);
    if (added.length > 0) {
      const conversationId = groupConversationId(invitation.groupId);
      await postSystemMessage(c, conversationId, { event: "member_joined", userIds: added, by: invitation.inviterId });
      await pushGroupViews(c, invitation.groupId, { joined: added });
    } else {
      await db.batch([deleteInvitation(db, invitation.id)]); // I was a member already
    }
    return c.json({ group: await loadGroupView(db, invitation.groupId, me) }, 200);
  },
);

groupInvitationRoutes.post(
  "/invitations/:id/decline",
  {
    summary: "Decline a group invitation: it is deleted; the inviter is not told",
    response: { status: 200, schema: Ok },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const invitation = await myInvitation(db, idParam(c, "id", "group invitation"), c.var.auth.userId);
    await db.batch([deleteInvitation(db, invitation.id)]);
    return c.json({ ok: true as const }, 200);
  },
);
