import {
  CreateGroupBody,
  CreateGroupResponse,
  groupConversationId,
  GroupList,
  GroupResponse,
  Ok,
  UpdateGroupBody,
  type SystemEvent,
} from "../../protocol/index.js";
import { database } from "../db/client.js";
import { insertConversation } from "../db/conversations.js";
import { placeConversation } from "../db/message-databases.js";
import { grantGroupConversation, insertMembers, type GroupMemberRow } from "../db/group-members.js";
import { countGroupMembers, insertGroup, listGroupsOf, updateGroup, type GroupChanges, type GroupRow } from "../db/groups.js";
import { findUsersByIds } from "../db/users.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { runtimeOf } from "../messaging/runtime.js";
import { sendInvitations, splitByConsent } from "../groups/consent.js";
import { memberAccess, visibleGroup } from "../groups/group-access.js";
import { dismissGroup } from "../groups/dismiss-group.js";
import { pushGroupViews } from "../groups/group-pushes.js";
import { loadGroupView, toGroupView } from "../groups/group-view.js";
import { requireManager, requireOwner } from "../groups/permissions.js";
import { notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { postSystemMessage } from "../messaging/system-message.js";

// The group itself: create, list, view, update, dismiss. Members and roles have their own routers.
export const groupRoutes = apiRouter("/api/groups", "groups");

groupRoutes.post(
  "/",
  {
    summary:
      "Create a group; the caller becomes its owner. Users who allow it (groupAddPolicy) are added, the others invited",
    body: CreateGroupBody,
    response: { status: 201, schema: CreateGroupResponse },
    errors: ["not_found", "rate_limited"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const ownerId = c.var.auth.userId;
    await enforceLimit(runtimeOf(c), ownerId, "groupCreates");
    const requested = [...new Set(body.memberIds ?? [])].filter((id) => id !== ownerId);
    const found = await findUsersByIds(db, [ownerId, ...requested]);
    const owner = found.get(ownerId);
    const missing = requested.find((id) => !found.has(id));
    if (missing || !owner) throw notFound(`user ${missing ?? ownerId}`);
    // Only users who let the owner add them become members; the others are invited.
    const consent = await splitByConsent(db, ownerId, found, requested);
    const invited = consent.add;

    const now = Date.now();
    const group: GroupRow = {
      id: crypto.randomUUID(),
      name: body.name,
      avatar: body.avatar ?? null,
      announcement: body.announcement ?? "",
      joinPolicy: body.joinPolicy ?? "invite",
      ownerId,
      createdAt: now,
      updatedAt: now,
    };
    const memberIds = [ownerId, ...invited];
    const members: GroupMemberRow[] = memberIds.map((userId) => ({
      groupId: group.id,
      userId,
      role: userId === ownerId ? "owner" : "member",
      nickname: "",
      remark: "",
      joinedAt: now,
    }));
    const conversationId = groupConversationId(group.id);
    // One atomic batch: a group never exists without its members and its conversation.
    await db.batch([
      insertGroup(db, group),
      ...insertMembers(db, members),
      insertConversation(db, conversationId, "group", group.id, now, placeConversation(c.env, conversationId)),
      grantGroupConversation(db, group.id, memberIds, now),
    ] as const);

    await postSystemMessage(c, conversationId, { event: "group_created", by: ownerId, name: group.name });
    if (invited.length > 0) {
      await postSystemMessage(c, conversationId, { event: "member_joined", userIds: invited, by: ownerId });
    }
    await pushGroupViews(c, group.id, { joined: memberIds });
    await sendInvitations(c, group, members.length, owner, consent.invite);
    const view = toGroupView(group, members.length, members[0]);
    return c.json({ group: view, added: invited, invited: consent.reportedInvited }, 201);
  },
);

groupRoutes.get(
  "/",
  { summary: "The groups I am a member of, newest membership first", response: { status: 200, schema: GroupList } },
  async (c) => {
    const rows = await listGroupsOf(database(c.env.DB), c.var.auth.userId);
    return c.json({ groups: rows.map((r) => toGroupView(r.group, r.memberCount, r.membership)) }, 200);
  },
);

groupRoutes.get(
  "/:id",
  {
    summary: "A group: members see it with their membership (`me`); anyone sees an open group, with `me: null`",
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const { group, membership } = await visibleGroup(db, idParam(c, "id", "group"), c.var.auth.userId);
    return c.json({ group: toGroupView(group, await countGroupMembers(db, group.id), membership) }, 200);
  },
);

/** The fields of an update that differ from the group as it is. */
function changedFields(group: GroupRow, body: UpdateGroupBody): GroupChanges {
  const changes: GroupChanges = {};
  if (body.name !== undefined && body.name !== group.name) changes.name = body.name;
  if (body.avatar !== undefined && body.avatar !== group.avatar) changes.avatar = body.avatar;
  if (body.announcement !== undefined && body.announcement !== group.announcement) changes.announcement = body.announcement;
  if (body.joinPolicy !== undefined && body.joinPolicy !== group.joinPolicy) changes.joinPolicy = body.joinPolicy;
  return changes;
}

/** One system event per kind of change, so clients can render "X renamed the group to …". */
function changeEvents(changes: GroupChanges, by: string): SystemEvent[] {
  const events: SystemEvent[] = [];
  if (changes.name !== undefined) events.push({ event: "group_renamed", name: changes.name, by });
  if (changes.announcement !== undefined) {
    events.push({ event: "announcement_changed", announcement: changes.announcement, by });
  }
  const others = (["avatar", "joinPolicy"] as const).filter((field) => field in changes);
  if (others.length > 0) events.push({ event: "group_updated", fields: [...others], by });
  return events;
}

groupRoutes.patch(
  "/:id",
  {
    summary: "Update the group's name, avatar, announcement or join policy (owner or admin)",
    body: UpdateGroupBody,
    response: { status: 200, schema: GroupResponse },
    errors: ["not_found", "forbidden"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "update the group");
    requireManager(membership, "update the group");
    const changes = changedFields(group, body);
    // Setting what is already set is a no-op: no write, no system message, no push.
    if (Object.keys(changes).length > 0) {
      await updateGroup(db, group.id, changes, Date.now());
      for (const event of changeEvents(changes, userId)) {
        await postSystemMessage(c, groupConversationId(group.id), event);
      }
      await pushGroupViews(c, group.id);
    }
    return c.json({ group: await loadGroupView(db, group.id, userId) }, 200);
  },
);

groupRoutes.delete(
  "/:id",
  {
    summary: "Dismiss the group (owner only): its members, conversation and messages are deleted",
    response: { status: 200, schema: Ok },
    errors: ["not_found", "forbidden"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const userId = c.var.auth.userId;
    const { group, membership } = await memberAccess(db, idParam(c, "id", "group"), userId, "dismiss the group");
    requireOwner(membership, "dismiss the group");
    await dismissGroup(runtimeOf(c), group, { userId, deviceId: c.var.auth.deviceId });
    return c.json({ ok: true as const }, 200);
  },
);
