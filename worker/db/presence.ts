import { and, eq, gt, inArray, lte, or, sql } from "drizzle-orm";
import { PRESENCE_LEASE_MS, type Friend, type PublicUser } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { gatewayLeases, presence } from "./schema.js";

/** The gateway name under which the Durable Objects record their users. */
export const EDGE_GATEWAY = "edge";

/** Records (online) or clears (offline) one gateway's presence row for a user. */
export async function setPresence(db: Db, userId: string, gateway: string, online: boolean, now = Date.now()): Promise<void> {
  if (online) {
    await db.insert(presence).values({ userId, gateway, since: now }).onConflictDoNothing();
  } else {
    await db.delete(presence).where(and(eq(presence.userId, userId), eq(presence.gateway, gateway)));
  }
}

/**
 * Renews a core gateway's lease (migrations/0009_gateway_leases.sql). Returns whether it
 * had lapsed (run out, or never taken): the gateway's rows may have been cleared since.
 */
export async function renewLease(db: Db, gateway: string, now = Date.now()): Promise<{ lapsed: boolean }> {
  const [before] = await db.select({ expiresAt: gatewayLeases.expiresAt }).from(gatewayLeases).where(eq(gatewayLeases.gateway, gateway));
  const expiresAt = now + PRESENCE_LEASE_MS;
  await db.insert(gatewayLeases).values({ gateway, expiresAt }).onConflictDoUpdate({ target: gatewayLeases.gateway, set: { expiresAt } });
  return { lapsed: !before || before.expiresAt <= now };
}

/** The gateway is gone: no lease to run out later. */
export async function dropLease(db: Db, gateway: string): Promise<void> {
  await db.delete(gatewayLeases).where(eq(gatewayLeases.gateway, gateway));
}

/** Gateways whose lease ran out: their rows no longer count, and are due to be cleared. */
export async function lapsedGateways(db: Db, now = Date.now()): Promise<string[]> {
  const rows = await db.select({ gateway: gatewayLeases.gateway }).from(gatewayLeases).where(lte(gatewayLeases.expiresAt, now));
  return rows.map((row) => row.gateway);
}

/**
 * Which of these users have at least one connected device on any gateway: the edge, or a
 * core gateway whose lease runs. A row of a gateway without a running lease is a node that
 * stopped without saying so; it is cleared at the next sweep (messaging/presence.ts).
 */
export async function onlineUserIds(db: Db, userIds: string[], now = Date.now()): Promise<Set<string>> {
  const unique = [...new Set(userIds)];
  const online = new Set<string>();
  // D1 caps bound parameters per statement at 100.
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .selectDistinct({ userId: presence.userId })
      .from(presence)
      .leftJoin(gatewayLeases, eq(gatewayLeases.gateway, presence.gateway))
      .where(
        and(
          inArray(presence.userId, unique.slice(i, i + 90)),
          or(eq(presence.gateway, EDGE_GATEWAY), gt(gatewayLeases.expiresAt, now)),
        ),
      );
    for (const row of rows) online.add(row.userId);
  }
  return online;
}

/** The user with their `online` flag set from a look-up made by onlineUserIds. */
export function withOnline<U extends PublicUser>(user: U, online: Set<string>): U {
  return { ...user, online: online.has(user.id) };
}

/** Friends as listed by GET /api/friends, each with `user.online` set (one look-up for all). */
export async function withFriendsOnline(db: Db, friends: Friend[]): Promise<Friend[]> {
  const online = await onlineUserIds(
    db,
    friends.map((f) => f.user.id),
  );
  return friends.map((f) => ({ ...f, user: withOnline(f.user, online) }));
}

/** Rows that count as online now: the edge's, and those of core gateways whose lease runs. */
const countsNow = (now: number) => or(eq(presence.gateway, EDGE_GATEWAY), gt(gatewayLeases.expiresAt, now));

/** Every user online now, on any gateway (a notice to everyone is pushed to them). */
export async function allOnlineUserIds(db: Db, now = Date.now()): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: presence.userId })
    .from(presence)
    .leftJoin(gatewayLeases, eq(gatewayLeases.gateway, presence.gateway))
    .where(countsNow(now));
  return rows.map((row) => row.userId);
}

/** How many users are online now: on the edge, on the core, on either (a user may be on both). */
export async function onlineCounts(db: Db, now = Date.now()): Promise<{ edge: number; core: number; total: number }> {
  const row = await db
    .select({
      edge: sql<number>`count(DISTINCT CASE WHEN ${presence.gateway} = ${EDGE_GATEWAY} THEN ${presence.userId} END)`,
      core: sql<number>`count(DISTINCT CASE WHEN ${presence.gateway} != ${EDGE_GATEWAY} THEN ${presence.userId} END)`,
      total: sql<number>`count(DISTINCT ${presence.userId})`,
    })
    .from(presence)
    .leftJoin(gatewayLeases, eq(gatewayLeases.gateway, presence.gateway))
    .where(countsNow(now))
    .get();
  return { edge: row?.edge ?? 0, core: row?.core ?? 0, total: row?.total ?? 0 };
}
