import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { loginFailures, sessions } from "./schema.js";

export type SessionRow = typeof sessions.$inferSelect;
/** A session that just ended: whoever ended it closes that device's sockets. */
export type EndedSession = Pick<SessionRow, "id" | "deviceId">;

const ended = { id: sessions.id, deviceId: sessions.deviceId };

/**
 * A login on a device ends that device's earlier session, so one device holds one session.
 * Returns the sessions it ended.
 */
export async function openSession(db: Db, row: Omit<SessionRow, "previousRefreshTokenHash">): Promise<EndedSession[]> {
  const [replaced] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: row.createdAt })
      .where(and(eq(sessions.userId, row.userId), eq(sessions.deviceId, row.deviceId), isNull(sessions.revokedAt)))
      .returning(ended),
    db.insert(sessions).values(row),
  ]);
  return replaced;
}

export async function findLiveSessionByTokenHash(db: Db, hash: string, now: number) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.refreshTokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .get();
}

/** The live session whose last rotation replaced this hash: its old refresh token is being reused. */
export async function findLiveSessionByPreviousHash(db: Db, hash: string) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.previousRefreshTokenHash, hash), isNull(sessions.revokedAt)))
    .get();
}

/**
 * Rotation, as one conditional write: only if the session still holds `oldHash`, so of two
 * refreshes presenting the same token exactly one wins. The old hash is kept, so a later
 * refresh that presents it again is recognised as reuse. Returns whether this call won.
 */
export async function rotateSession(db: Db, id: string, oldHash: string, newHash: string, now: number, expiresAt: number): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ refreshTokenHash: newHash, previousRefreshTokenHash: oldHash, lastUsedAt: now, expiresAt })
    .where(and(eq(sessions.id, id), eq(sessions.refreshTokenHash, oldHash), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length === 1;
}

/** Ends one session of a user. Returns it if it was live. */
export async function revokeSession(db: Db, id: string, userId: string, now: number): Promise<EndedSession | undefined> {
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, id), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning(ended);
  return row;
}

/** Ends the live session of one of a user's devices. Returns it if there was one. */
export async function revokeDeviceSession(db: Db, userId: string, deviceId: string, now: number): Promise<EndedSession | undefined> {
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), eq(sessions.deviceId, deviceId), isNull(sessions.revokedAt)))
    .returning(ended);
  return row;
}

/** A user's live sessions (not revoked, refresh token not expired), newest first. */
export async function listLiveSessions(db: Db, userId: string, now: number) {
  return db
    .select({ id: sessions.id, deviceId: sessions.deviceId, createdAt: sessions.createdAt, lastUsedAt: sessions.lastUsedAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt));
}

export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** Failures per username from one client address within the window. */
export const MAX_LOGIN_FAILURES = 10;
/** Failures from one client address within the window, whatever the usernames. */
export const MAX_LOGIN_FAILURES_PER_CLIENT = 20;

/**
 * Takes one login attempt's place among the failures before the password is checked, in
 * ONE conditional insert (D1 runs each statement atomically), so N parallel guesses can
 * never get past the limits: it is inserted only while the username has fewer than
 * MAX_LOGIN_FAILURES and the address fewer than MAX_LOGIN_FAILURES_PER_CLIENT failures in
 * the window. Undefined when a limit is reached; else the row's id, which a successful
 * login gives back (`releaseLoginAttempt`) since only failures count.
 */
export async function reserveLoginAttempt(db: Db, username: string, client: string, now: number): Promise<number | undefined> {
  const since = now - LOGIN_FAILURE_WINDOW_MS;
  // `username` is COLLATE NOCASE: the per-username limit ignores case, like usernames.
  const row = await db.get<{ rowid: number }>(sql`
    INSERT INTO login_failures (username, client, failed_at)
    SELECT ${username}, ${client}, ${now}
    WHERE (SELECT count(*) FROM login_failures WHERE username = ${username} AND client = ${client} AND failed_at > ${since}) < ${MAX_LOGIN_FAILURES}
      AND (SELECT count(*) FROM login_failures WHERE client = ${client} AND failed_at > ${since}) < ${MAX_LOGIN_FAILURES_PER_CLIENT}
    RETURNING rowid`);
  return row?.rowid;
}

/** The attempt succeeded: it is not a failure. */
export async function releaseLoginAttempt(db: Db, rowid: number): Promise<void> {
  await db.run(sql`DELETE FROM login_failures WHERE rowid = ${rowid}`);
}

/** Keep the table small: failures older than the window no longer count. */
export async function forgetOldLoginFailures(db: Db, now: number): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.failedAt, now - LOGIN_FAILURE_WINDOW_MS));
}

/** The ids of a user's live sessions: what the user's Durable Object loads (user-hub/live-sessions.ts). */
export async function liveSessionIds(db: Db, userId: string, now: number): Promise<string[]> {
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
  return rows.map((row) => row.id);
}

/** Ends every live session of a user (an administrator disabled them). Returns those it ended. */
export async function revokeAllSessions(db: Db, userId: string, now: number): Promise<EndedSession[]> {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning(ended);
}

/** Whose refresh token this is (current or replaced, of any session, ended or not). */
export async function refreshTokenOwner(db: Db, hash: string): Promise<string | undefined> {
  const row = await db
    .select({ userId: sessions.userId })
    .from(sessions)
    .where(or(eq(sessions.refreshTokenHash, hash), eq(sessions.previousRefreshTokenHash, hash)))
    .get();
  return row?.userId;
}
