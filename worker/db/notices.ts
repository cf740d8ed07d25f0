import { desc, gt } from "drizzle-orm";
import type { Notice } from "../../protocol/index.js";
import type { Db } from "./client.js";
import { notices } from "./schema.js";

export async function insertNotice(db: Db, text: string, now = Date.now()): Promise<Notice> {
  const notice = { id: crypto.randomUUID(), text, createdAt: now };
  await db.insert(notices).values(notice);
  return notice;
}

/** The newest notices first, only those after `since` if given. */
export async function listNotices(db: Db, since: number | undefined, limit: number): Promise<Notice[]> {
  return db
    .select()
    .from(notices)
    .where(since === undefined ? undefined : gt(notices.createdAt, since))
    .orderBy(desc(notices.createdAt))
    .limit(limit);
}
