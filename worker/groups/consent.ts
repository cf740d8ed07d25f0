import type { Context } from "hono";
import type { GroupInvitation } from "../../protocol/index.js";
import { blockersAmong } from "../db/blocks.js";
import { database, type Db } from "../db/client.js";
import { friendIdsAmong } from "../db/friends.js";
import { insertInvitations } from "../db/group-invitations.js";
import type { GroupRow } from "../db/groups.js";
import { toPublicUser, type UserRow } from "../db/users.js";
import { deliverLater } from "../delivery/deliver.js";
import type { AppEnv } from "../env.js";
import { toGroupView } from "./group-view.js";

// Who may put whom in a group. A user is added directly only with their consent: their
// groupAddPolicy is "anyone", or it is "friends" and the adder is their friend. Anyone
// else gets a group invitation to accept or decline. A user who blocked the adder is
// neither added nor invited, but the adder is told "invited", as for anyone else, so a
// blocked user never learns of the block.

export interface ConsentSplit {
  /** Added at once. */
  add: string[];
  /** Invited instead (a stored invitation, pushed as `group.invited`). */
  invite: string[];
  /** Blocked the adder: nothing happens, the answer says "invited". */
  silent: string[];
  /**
   * What the adder is told was invited: `invite` and `silent` together, in the order asked,
   * so neither the content nor the order of the answer tells a block apart.
   */
  reportedInvited: string[];
}

/** Splits the users (all existing, none the adder, none already a member) by consent. */
export async function splitByConsent(db: Db, adderId: string, people: Map<string, UserRow>, userIds: string[]): Promise<ConsentSplit> {
  const [friends, blockers] = await Promise.all([friendIdsAmong(db, adderId, userIds), blockersAmong(db, adderId, userIds)]);
  const split: ConsentSplit = { add: [], invite: [], silent: [], reportedInvited: [] };
  for (const id of userIds) {
    const consents = people.get(id)?.groupAddPolicy === "anyone" || friends.has(id);
    if (blockers.has(id)) split.silent.push(id);
    else if (consents) split.add.push(id);
    else split.invite.push(id);
    if (blockers.has(id) || !consents) split.reportedInvited.push(id);
  }
  return split;
}

/** Stores the invitations and tells each invitee (`group.invited`). */
export async function sendInvitations(
  c: Context<AppEnv>,
  group: GroupRow,
  memberCount: number,
  inviter: UserRow,
  userIds: string[],
): Promise<void> {
  const db = database(c.env.DB);
  const made = await insertInvitations(db, group.id, inviter.id, userIds, Date.now());
  const { me: _none, ...shared } = toGroupView(group, memberCount, null);
  for (const row of made) {
    const invitation: GroupInvitation = { id: row.id, group: shared, inviter: toPublicUser(inviter), createdAt: row.createdAt };
    deliverLater(c, [row.userId], { type: "group.invited", invitation });
  }
}
