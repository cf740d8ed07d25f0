import { and, eq, isNull, sql } from "drizzle-orm";
import type { FileInfo, MediaKind } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { fileShares, files } from "./schema.js";

export type FileRow = typeof files.$inferSelect;

/** Where an upload's bytes live in R2 (env.FILES). */
export function fileObjectKey(fileId: string): string {
  return `files/${fileId}`;
}

export function toFileInfo(row: Omit<FileRow, "firstSharedAt">): FileInfo {
  return {
    id: row.id,
    kind: row.kind as MediaKind,
    name: row.name,
    mime: row.mime,
    size: row.size,
    uploaderId: row.uploaderId,
    createdAt: row.createdAt,
  };
}

export async function insertFile(db: Db, row: typeof files.$inferInsert): Promise<void> {
  await db.insert(files).values(row);
}

export async function findFile(db: Db, fileId: string): Promise<FileRow | undefined> {
  return db.select().from(files).where(eq(files.id, fileId)).get();
}

/** Marks a file as sent in a conversation, so its members may download it (and it is kept). Idempotent. */
export async function shareFile(db: Db, fileId: string, conversationId: string, now = Date.now()): Promise<void> {
  await db.batch([
    db.insert(fileShares).values({ fileId, conversationId }).onConflictDoNothing(),
    db.update(files).set({ firstSharedAt: now }).where(and(eq(files.id, fileId), isNull(files.firstSharedAt))),
  ]);
}

/**
 * After a message with this file was recalled, and no other message of that conversation
 * that is not recalled still carries it (the caller asked the message database: carriesFile):
 * the conversation's members lose the file. The uploader keeps it (GET /api/files/:id
 * checks the uploader first).
 */
export async function unshareRecalledFile(db: Db, fileId: string, conversationId: string): Promise<void> {
  await db.delete(fileShares).where(and(eq(fileShares.fileId, fileId), eq(fileShares.conversationId, conversationId)));
}

/** Deletes up to `limit` uploads never sent in a message and created before `cutoff`; returns their ids. */
export async function deleteUnsentFiles(db: Db, cutoff: number, limit: number): Promise<string[]> {
  const rows = await db
    .delete(files)
    .where(
      sql`${files.id} IN (SELECT id FROM files WHERE first_shared_at IS NULL AND created_at < ${cutoff} ORDER BY created_at LIMIT ${limit})`,
    )
    .returning({ id: files.id });
  return rows.map((r) => r.id);
}

/** True when the user is a member of some conversation the file was sent in. */
export async function isSharedWith(db: Db, fileId: string, userId: string): Promise<boolean> {
  const row = await db.get<{ shared: number }>(sql`
    SELECT EXISTS (
      SELECT 1 FROM file_shares s
      JOIN conversation_members m ON m.conversation_id = s.conversation_id
      WHERE s.file_id = ${fileId} AND m.user_id = ${userId}
    ) AS shared`);
  return row?.shared === 1;
}

/** The upload's own row, only when this user uploaded it (a sender attaches only their own files). */
export async function findOwnFile(db: Db, fileId: string, uploaderId: string): Promise<FileRow | undefined> {
  return db
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.uploaderId, uploaderId)))
    .get();
}

/** The sum of one user's upload sizes, in bytes: the storage quota's count. */
export async function storedBytesOf(db: Db, uploaderId: string): Promise<number> {
  const row = await db
    .select({ total: sql<number>`COALESCE(SUM(${files.size}), 0)` })
    .from(files)
    .where(eq(files.uploaderId, uploaderId))
    .get();
  return Number(row?.total ?? 0);
}
