import type { Context } from "hono";
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
  /** These members were just added: they get `group.joined`, everyone else `group.updated`. */
  joined?: string[];
  /** Push to these members only (default: every member). */
  only?: string[];
}

/** Pushes each member their own view of the group (`me` differs from member to member). */
export async function pushGroupViews(c: Context<AppEnv>, groupId: string, options: GroupPushOptions = {}): Promise<void> {
  const db = database(c.env.DB);
  const [group, memberships] = await Promise.all([findGroup(db, groupId), listMemberships(db, groupId)]);
  if (!group) return;
  const joined = new Set(options.joined ?? []);
  const only = options.only && new Set(options.only);
  for (const membership of memberships) {
    if (only && !only.has(membership.userId)) continue;
    const view = toGroupView(group, memberships.length, membership);
    const type = joined.has(membership.userId) ? "group.joined" : "group.updated";
    deliverLater(c, [membership.userId], { type, group: view }, { exceptDevice: callerDevice(c) });
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
