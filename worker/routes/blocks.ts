import { BlockList, BlockResponse, Ok } from "../../protocol/index.js";
import { deleteBlock, findBlock, insertBlock, listBlocked } from "../db/blocks.js";
import { database } from "../db/client.js";
import { deletePendingRequest } from "../db/friend-requests.js";
import { endFriendship } from "../db/direct-send-rights.js";
import { deleteInvitationsBetween } from "../db/group-invitations.js";
import { findUserById, toPublicUser } from "../db/users.js";
import { deliverLater } from "../delivery/deliver.js";
import { forbidden, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";

// Blocking a user (docs/API.md, "Blocks"). The blocked user is never told: what they see
// is what an ended friendship, an unanswered friend request or an unanswered group
// invitation looks like.
export const blockRoutes = apiRouter("/api/blocks", "blocks");

blockRoutes.get(
  "/",
  { summary: "The users I blocked, most recent first", response: { status: 200, schema: BlockList } },
  async (c) => c.json({ blocked: await listBlocked(database(c.env.DB), c.var.auth.userId) }, 200),
);

blockRoutes.put(
  "/:userId",
  {
    summary:
      "Block a user: the friendship ends, no 1:1 messages, friend requests, group adds, typing or presence between us. Blocking again is a no-op",
    response: { status: 200, schema: BlockResponse },
    errors: ["not_found", "forbidden"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const me = c.var.auth.userId;
    const target = await findUserById(db, idParam(c, "userId", "user"));
    if (!target) throw notFound("user");
    if (target.id === me) throw forbidden("you cannot block yourself");

    // The block first, so every check from here on sees it; then what it ends: my pending
    // request to them (withdrawn), group invitations between us (either way), our friendship.
    await db.batch([
      insertBlock(db, me, target.id, Date.now()),
      deletePendingRequest(db, me, target.id),
      deleteInvitationsBetween(db, target.id, me),
      deleteInvitationsBetween(db, me, target.id),
    ]);
    if (await endFriendship(c.env, db, me, target.id)) {
      // To them this is an ordinary unfriending.
      deliverLater(c, [me], { type: "friend.removed", userId: target.id });
      deliverLater(c, [target.id], { type: "friend.removed", userId: me });
    }
    const block = await findBlock(db, me, target.id);
    return c.json({ blocked: { user: toPublicUser(target), since: block?.createdAt ?? Date.now() } }, 200);
  },
);

blockRoutes.delete(
  "/:userId",
  {
    summary: "Unblock a user: they may send me friend requests and invite me again (the friendship does not come back)",
    response: { status: 200, schema: Ok },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const removed = await deleteBlock(db, c.var.auth.userId, idParam(c, "userId", "blocked user"));
    if (removed.length === 0) throw notFound("blocked user");
    return c.json({ ok: true as const }, 200);
  },
);
