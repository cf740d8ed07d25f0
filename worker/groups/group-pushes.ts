import type { Context } from "hono";
import type { ServerEvent } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { listMemberships } from "../db/group-members.js";
import { findGroup } from "../db/groups.js";
import { deliverLater } from "../delivery/deliver.js";
import type { AppEnv } from "../env.js";
import { toGroupView } from "./group-view.js";

// Group pushes tell devices what changed about a group itself; what happened in it
// (joins, kicks, renames) also goes out as stored system messages. The calling device
// already has the HTTP answer, so it is left out.

function callerDevice(c: Context<AppEnv>) {
  return { userId: c.var.auth.userId, deviceId: c.var.auth.deviceId };
}

export interface GroupPushOptions {
  /** These members were just added: they get `group.joined` with their own view. */
  joined?: string[];
  /** These members' own membership changed (role, nickname): their `group.updated` carries `me`. */
  personal?: string[];
  /** Push to these members only (default: every member). */
  only?: string[];
}

/**
 * Tells the members what changed about the group. Members who would get the same event
 * get it in one delivery, so a rename of a 500-member group is one delivery (and one
 * envelope per gateway node), not 500.
 */
export async function pushGroupViews(c: Context<AppEnv>, groupId: string, options: GroupPushOptions = {}): Promise<void> {
  const db = database(c.env.DB);
  const [group, memberships] = await Promise.all([findGroup(db, groupId), listMemberships(db, groupId)]);
  if (!group) return;
  const joined = new Set(options.joined ?? []);
  const personal = new Set(options.personal ?? []);
  const only = options.only && new Set(options.only);
  const { me: _none, ...shared } = toGroupView(group, memberships.length, null);
  const deliveries = new Map<string, { event: ServerEvent; userIds: string[] }>();
  for (const membership of memberships) {
    if (only && !only.has(membership.userId)) continue;
    const view = toGroupView(group, memberships.length, membership);
    const event: ServerEvent = joined.has(membership.userId)
      ? { type: "group.joined", group: view }
      : personal.has(membership.userId)
        ? { type: "group.updated", group: shared, me: view.me! }
        : { type: "group.updated", group: shared };
    const key = JSON.stringify(event);
    const delivery = deliveries.get(key) ?? { event, userIds: [] };
    delivery.userIds.push(membership.userId);
    deliveries.set(key, delivery);
  }
  for (const { event, userIds } of deliveries.values()) {
    deliverLater(c, userIds, event, { exceptDevice: callerDevice(c) });
  }
}

/** Tells users (no longer members) that the group is gone for them. */
export function pushGroupRemoved(
  c: Context<AppEnv>,
  userIds: string[],
  groupId: string,
  reason: "left" | "kicked" | "dismissed",
): void {
  deliverLater(c, userIds, { type: "group.removed", groupId, reason }, { exceptDevice: callerDevice(c) });
}
