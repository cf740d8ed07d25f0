import { and, eq, sql } from "drizzle-orm";
import type { FileInfo, MediaKind } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { fileShares, files } from "./schema.js";

export type FileRow = typeof files.$inferSelect;

/** Where an upload's bytes live in R2 (env.FILES). */
export function fileObjectKey(fileId: string): string {
  return `files/${fileId}`;
}

export function toFileInfo(row: FileRow): FileInfo {
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

export async function insertFile(db: Db, row: FileRow): Promise<void> {
  await db.insert(files).values(row);
}

export async function findFile(db: Db, fileId: string): Promise<FileRow | undefined> {
  return db.select().from(files).where(eq(files.id, fileId)).get();
}

/** Marks a file as sent in a conversation, so its members may download it. Idempotent. */
export async function shareFile(db: Db, fileId: string, conversationId: string): Promise<void> {
  await db.insert(fileShares).values({ fileId, conversationId }).onConflictDoNothing();
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
