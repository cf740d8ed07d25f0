import { and, desc, eq, or, sql } from "drizzle-orm";
import { directConversationId, type FriendRequest } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { insertConversation, insertConversationMembers } from "./conversations.js";
import { friendRequests, friendships } from "./schema.js";
import { findUsersByIds, toPublicUser } from "./users.js";

export type FriendRequestRow = typeof friendRequests.$inferSelect;

export async function findFriendRequest(db: Db, id: string): Promise<FriendRequestRow | undefined> {
  return db.select().from(friendRequests).where(eq(friendRequests.id, id)).get();
}

/** Pending requests between two users, in either direction (at most one each way). */
export async function findPendingBetween(db: Db, a: string, b: string): Promise<FriendRequestRow[]> {
  return db
    .select()
    .from(friendRequests)
    .where(
      and(
        eq(friendRequests.status, "pending"),
        or(
          and(eq(friendRequests.fromUserId, a), eq(friendRequests.toUserId, b)),
          and(eq(friendRequests.fromUserId, b), eq(friendRequests.toUserId, a)),
        ),
      ),
    );
}

/** Throws a unique violation when a pending request from -> to already exists (a lost race). */
export async function insertFriendRequest(
  db: Db,
  from: string,
  to: string,
  message: string,
  now: number,
): Promise<FriendRequestRow> {
  const row: FriendRequestRow = {
    id: crypto.randomUUID(),
    fromUserId: from,
    toUserId: to,
    message,
    status: "pending",
    createdAt: now,
    respondedAt: null,
  };
  await db.insert(friendRequests).values(row);
  return row;
}

/**
 * My incoming or outgoing requests with one status, newest first. rowid breaks ties
 * between requests made in the same millisecond; the (user, status, created_at) indexes
 * carry it implicitly, so the sort is still an index walk.
 */
export async function listFriendRequests(
  db: Db,
  userId: string,
  direction: "incoming" | "outgoing",
  status: FriendRequestRow["status"],
): Promise<FriendRequestRow[]> {
  // Requests from users I blocked stay where they are (their sender still sees them pending)
  // but are not shown to me: docs/API.md, "Blocks".
  const mine =
    direction === "incoming"
      ? and(
          eq(friendRequests.toUserId, userId),
          sql`NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${userId} AND blocked_id = ${friendRequests.fromUserId})`,
        )
      : eq(friendRequests.fromUserId, userId);
  return db
    .select()
    .from(friendRequests)
    .where(and(mine, eq(friendRequests.status, status)))
    .orderBy(desc(friendRequests.createdAt), desc(sql`rowid`));
}

/** Requests as the API shows them, with both users' public profiles. */
export async function toFriendRequests(db: Db, rows: FriendRequestRow[]): Promise<FriendRequest[]> {
  const people = await findUsersByIds(db, rows.flatMap((r) => [r.fromUserId, r.toUserId]));
  const views: FriendRequest[] = [];
  for (const r of rows) {
    const from = people.get(r.fromUserId);
    const to = people.get(r.toUserId);
    // Deleting a user cascades to their requests, so both exist; skip rather than fail if not.
    if (!from || !to) continue;
    views.push({
      id: r.id,
      from: toPublicUser(from),
      to: toPublicUser(to),
      message: r.message,
      status: r.status,
      createdAt: r.createdAt,
      respondedAt: r.respondedAt,
    });
  }
  return views;
}

/** SQL true while the request is still pending: the guard on every accept write. */
const stillPending = (requestId: string) =>
  sql`EXISTS (SELECT 1 FROM friend_requests WHERE id = ${requestId} AND status = 'pending')`;

/**
 * The friendship row `userId -> friendId`, written only while the request is still pending.
 * (insert().select(), not db.run(sql`...`): drizzle's D1 batch cannot bind raw statements.)
 */
function insertFriendshipIfPending(db: Db, requestId: string, userId: string, friendId: string, now: number) {
  return db
    .insert(friendships)
    .select(sql`SELECT ${userId}, ${friendId}, '', ${now} WHERE ${stillPending(requestId)}`)
    .onConflictDoNothing();
}

/**
 * Accepts a pending request in one atomic batch: both friendship rows, the 1:1
 * conversation with both members, and the request marked accepted. The friendship and
 * request writes are conditional on the request still being pending, so a concurrent
 * accept or decline that got there first wins; returns false in that case. (The
 * conversation is created idempotently either way: it holds no messages until friends write.)
 * A reverse request that raced in while this one was pending becomes moot and is accepted too.
 * `messageDb`: where a new conversation's messages go (placeConversation).
 */
export async function acceptFriendRequest(db: Db, request: FriendRequestRow, now: number, messageDb: number): Promise<boolean> {
  const { id, fromUserId, toUserId } = request;
  const conversationId = directConversationId(fromUserId, toUserId);
  const results = await db.batch([
    insertFriendshipIfPending(db, id, toUserId, fromUserId, now),
    insertFriendshipIfPending(db, id, fromUserId, toUserId, now),
    insertConversation(db, conversationId, "direct", null, now, messageDb),
    insertConversationMembers(db, conversationId, [fromUserId, toUserId], now),
    db
      .update(friendRequests)
      .set({ status: "accepted", respondedAt: now })
      .where(
        and(
          eq(friendRequests.fromUserId, toUserId),
          eq(friendRequests.toUserId, fromUserId),
          eq(friendRequests.status, "pending"),
          stillPending(id),
        ),
      ),
    db
      .update(friendRequests)
      .set({ status: "accepted", respondedAt: now })
      .where(and(eq(friendRequests.id, id), eq(friendRequests.status, "pending")))
      .returning({ id: friendRequests.id }),
  ]);
  return results[5].length > 0;
}

/** Declines a pending request; undefined when it was no longer pending. */
export async function declineFriendRequest(db: Db, id: string, now: number): Promise<FriendRequestRow | undefined> {
  const [row] = await db
    .update(friendRequests)
    .set({ status: "declined", respondedAt: now })
    .where(and(eq(friendRequests.id, id), eq(friendRequests.status, "pending")))
    .returning();
  return row;
}

/** Withdraws my pending request to `to` (blocking them does): it no longer exists for either side. */
export function deletePendingRequest(db: Db, from: string, to: string) {
  return db
    .delete(friendRequests)
    .where(and(eq(friendRequests.fromUserId, from), eq(friendRequests.toUserId, to), eq(friendRequests.status, "pending")));
}
