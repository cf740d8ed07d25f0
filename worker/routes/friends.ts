import {
  directConversationId,
  FriendList,
  FriendRequestList,
  FriendRequestListQuery,
  FriendRequestResponse,
  FriendResponse,
  Ok,
  SendFriendRequestBody,
  UpdateFriendBody,
} from "../../protocol/index.js";
import { hasBlocked } from "../db/blocks.js";
import { database, isUniqueViolation, type Db } from "../db/client.js";
import {
  acceptFriendRequest,
  declineFriendRequest,
  findFriendRequest,
  findPendingBetween,
  insertFriendRequest,
  listFriendRequests,
  toFriendRequests,
  type FriendRequestRow,
} from "../db/friend-requests.js";
import { endFriendship, recordFriendshipStarted } from "../db/direct-send-rights.js";
import { areFriends, findFriend, listFriends, setFriendRemark, toFriend } from "../db/friends.js";
import { placeConversation } from "../db/message-databases.js";
import { withFriendsOnline } from "../db/presence.js";
import { findUserById, findUserByUsername, findUsersByIds } from "../db/users.js";
import { deliverLater } from "../delivery/deliver.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { runtimeOf } from "../messaging/runtime.js";
import { ApiError, forbidden, notFound } from "../http/api-error.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";

export const friendRoutes = apiRouter("/api/friends", "friends");

/**
 * A request I may answer: I must be its recipient. Someone outside the request learns
 * nothing about it (404); its sender is told plainly that only the recipient answers (403).
 */
async function requestToAnswer(db: Db, requestId: string, me: string): Promise<FriendRequestRow> {
  const request = await findFriendRequest(db, requestId);
  if (!request || (request.toUserId !== me && request.fromUserId !== me)) throw notFound("friend request");
  if (request.toUserId !== me) throw forbidden("only the recipient of a friend request can answer it");
  // A request from someone I blocked is hidden from me, and answers as one that does not exist.
  if (await hasBlocked(db, me, request.fromUserId)) throw notFound("friend request");
  if (request.status !== "pending") throw notPending(request.status);
  return request;
}

const notPending = (status: string) =>
  new ApiError("request_not_pending", `this friend request was already ${status}`);

/** Another device answered the request between our read and our write: say how. */
async function answeredMeanwhile(db: Db, requestId: string): Promise<ApiError> {
  const latest = await findFriendRequest(db, requestId);
  return notPending(latest?.status ?? "answered");
}

const requestExists = (username: string) =>
  new ApiError("request_exists", `you already have a pending friend request to ${username}`);

async function oneRequestView(db: Db, row: FriendRequestRow) {
  const [view] = await toFriendRequests(db, [row]);
  if (!view) throw notFound("friend request");
  return view;
}

friendRoutes.post(
  "/requests",
  {
    summary: "Ask a user (by id or username) to be my friend",
    body: SendFriendRequestBody,
    response: { status: 201, schema: FriendRequestResponse },
    errors: ["not_found", "forbidden", "cannot_befriend_self", "already_friends", "request_exists", "request_pending_from_peer", "rate_limited"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const me = c.var.auth.userId;
    await enforceLimit(runtimeOf(c), me, "friendRequests");
    const target = "userId" in body ? await findUserById(db, body.userId) : await findUserByUsername(db, body.username);
    if (!target) throw notFound("user");
    if (target.id === me) throw new ApiError("cannot_befriend_self", "you cannot send a friend request to yourself");
    const [iBlocked, theyBlocked] = await Promise.all([hasBlocked(db, me, target.id), hasBlocked(db, target.id, me)]);
    if (iBlocked) throw forbidden(`you blocked ${target.username}: unblock them first (DELETE /api/blocks/${target.id})`);

    const [friends, pending] = await Promise.all([areFriends(db, me, target.id), findPendingBetween(db, me, target.id)]);
    if (friends) throw new ApiError("already_friends", `you are already friends with ${target.username}`);
    const fromPeer = pending.find((r) => r.fromUserId === target.id);
    if (fromPeer) {
      throw new ApiError(
        "request_pending_from_peer",
        `${target.username} already sent you a friend request: accept it with POST /api/friends/requests/${fromPeer.id}/accept`,
      );
    }
    if (pending.length > 0) throw requestExists(target.username);

    let row: FriendRequestRow;
    try {
      row = await insertFriendRequest(db, me, target.id, body.message ?? "", Date.now());
    } catch (error) {
      // Another device of mine sent the same request a moment ago.
      if (isUniqueViolation(error)) throw requestExists(target.username);
      throw error;
    }
    const request = await oneRequestView(db, row);
    // Sent to someone who blocked me: stored and shown to me as pending, never shown to them.
    if (!theyBlocked) deliverLater(c, [target.id], { type: "friend.request", request });
    return c.json({ request }, 201);
  },
);

friendRoutes.get(
  "/requests",
  {
    summary: "My incoming or outgoing friend requests with one status, newest first",
    query: FriendRequestListQuery,
    response: { status: 200, schema: FriendRequestList },
  },
  async (c, { query }) => {
    const db = database(c.env.DB);
    const rows = await listFriendRequests(db, c.var.auth.userId, query.direction, query.status);
    return c.json({ requests: await toFriendRequests(db, rows) }, 200);
  },
);

friendRoutes.post(
  "/requests/:id/accept",
  {
    summary: "Accept a friend request sent to me: we become friends and share a 1:1 conversation",
    response: { status: 200, schema: FriendResponse },
    errors: ["not_found", "forbidden", "request_not_pending"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const me = c.var.auth.userId;
    const request = await requestToAnswer(db, idParam(c, "id", "friend request"), me);
    const now = Date.now();
    const conversationId = directConversationId(request.fromUserId, request.toUserId);
    if (!(await acceptFriendRequest(db, request, now, placeConversation(c.env, conversationId)))) throw await answeredMeanwhile(db, request.id);
    // The conversation's copy of the friendship, for one-round-trip sends. Failing here
    // loses nothing: the first send asks the main database and writes the copy.
    await recordFriendshipStarted(c.env, db, request.fromUserId, request.toUserId, now).catch((error) =>
      console.warn(`the copy of friendship ${conversationId} was not written; the first send writes it`, error),
    );

    const people = await findUsersByIds(db, [request.fromUserId, request.toUserId]);
    const sender = people.get(request.fromUserId);
    const recipient = people.get(request.toUserId);
    if (!sender || !recipient) throw notFound("user");
    const friendship = { remark: "", createdAt: now };
    // Each side sees the other: the recipient (me) gets the sender, the sender gets me.
    const senderAsISeeThem = toFriend(sender, { ...friendship, userId: me, friendId: sender.id });
    const meAsSenderSeesMe = toFriend(recipient, { ...friendship, userId: sender.id, friendId: me });
    deliverLater(c, [me], { type: "friend.accepted", friend: senderAsISeeThem, requestId: request.id });
    deliverLater(c, [sender.id], { type: "friend.accepted", friend: meAsSenderSeesMe, requestId: request.id });
    return c.json({ friend: senderAsISeeThem }, 200);
  },
);

friendRoutes.post(
  "/requests/:id/decline",
  {
    summary: "Decline a friend request sent to me",
    response: { status: 200, schema: FriendRequestResponse },
    errors: ["not_found", "forbidden", "request_not_pending"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const me = c.var.auth.userId;
    const request = await requestToAnswer(db, idParam(c, "id", "friend request"), me);
    const declined = await declineFriendRequest(db, request.id, Date.now());
    if (!declined) throw await answeredMeanwhile(db, request.id);
    deliverLater(c, [request.fromUserId], { type: "friend.declined", requestId: request.id, userId: me });
    return c.json({ request: await oneRequestView(db, declined) }, 200);
  },
);

friendRoutes.get(
  "/",
  { summary: "My friends, by display name", response: { status: 200, schema: FriendList } },
  async (c) => {
    const db = database(c.env.DB);
    const friends = await withFriendsOnline(db, await listFriends(db, c.var.auth.userId));
    return c.json({ friends }, 200);
  },
);

friendRoutes.get(
  "/:userId",
  {
    summary: "One friend's profile, with my remark for them",
    response: { status: 200, schema: FriendResponse },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const found = await findFriend(db, c.var.auth.userId, idParam(c, "userId", "friend"));
    if (!found) throw notFound("friend");
    const [friend] = await withFriendsOnline(db, [found]);
    return c.json({ friend }, 200);
  },
);

friendRoutes.patch(
  "/:userId",
  {
    summary: "Set my private remark for a friend (empty clears it); only I see it",
    body: UpdateFriendBody,
    response: { status: 200, schema: FriendResponse },
    errors: ["not_found"],
  },
  async (c, { body }) => {
    const db = database(c.env.DB);
    const { userId: me, deviceId } = c.var.auth;
    const friendId = idParam(c, "userId", "friend");
    if (!(await setFriendRemark(db, me, friendId, body.remark))) throw notFound("friend");
    const friend = await findFriend(db, me, friendId);
    if (!friend) throw notFound("friend");
    // The remark is mine alone: only my other devices hear of it.
    deliverLater(c, [me], { type: "friend.updated", friend }, { exceptDevice: { userId: me, deviceId } });
    return c.json({ friend }, 200);
  },
);

friendRoutes.delete(
  "/:userId",
  {
    summary: "Remove a friend: both sides lose the friendship (the 1:1 history stays)",
    response: { status: 200, schema: Ok },
    errors: ["not_found"],
  },
  async (c) => {
    const me = c.var.auth.userId;
    const friendId = idParam(c, "userId", "friend");
    if (!(await endFriendship(c.env, database(c.env.DB), me, friendId))) throw notFound("friend");
    deliverLater(c, [me], { type: "friend.removed", userId: friendId });
    deliverLater(c, [friendId], { type: "friend.removed", userId: me });
    return c.json({ ok: true as const }, 200);
  },
);
