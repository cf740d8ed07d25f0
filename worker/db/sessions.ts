import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "./client.js";
import { loginFailures, sessions } from "./schema.js";

export type SessionRow = typeof sessions.$inferSelect;

/** A login on a device ends that device's earlier session, so one device holds one session. */
export async function openSession(db: Db, row: SessionRow): Promise<void> {
  await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: row.createdAt })
      .where(and(eq(sessions.userId, row.userId), eq(sessions.deviceId, row.deviceId), isNull(sessions.revokedAt))),
    db.insert(sessions).values(row),
  ]);
}

export async function findLiveSessionByTokenHash(db: Db, hash: string, now: number) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.refreshTokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .get();
}

/** Rotation: the old refresh token stops working the moment the new one is issued. */
export async function rotateSession(db: Db, id: string, newHash: string, now: number, expiresAt: number) {
  await db
    .update(sessions)
    .set({ refreshTokenHash: newHash, lastUsedAt: now, expiresAt })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
}

export async function revokeSession(db: Db, id: string, userId: string, now: number) {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, id), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_LOGIN_FAILURES = 10;

/** Failures for this username from this client address within the window (at most MAX_LOGIN_FAILURES counted). */
export async function countRecentLoginFailures(db: Db, username: string, client: string, now: number): Promise<number> {
  const rows = await db
    .select({ at: loginFailures.failedAt })
    .from(loginFailures)
    .where(
      and(
        eq(loginFailures.username, username),
        eq(loginFailures.client, client),
        gt(loginFailures.failedAt, now - LOGIN_FAILURE_WINDOW_MS),
      ),
    )
    .limit(MAX_LOGIN_FAILURES);
  return rows.length;
}

export async function recordLoginFailure(db: Db, username: string, client: string, now: number) {
  await db.batch([
    db.insert(loginFailures).values({ username, client, failedAt: now }),
    // Keep the table small: failures older than the window no longer count.
    db.delete(loginFailures).where(lt(loginFailures.failedAt, now - LOGIN_FAILURE_WINDOW_MS)),
  ]);
}
