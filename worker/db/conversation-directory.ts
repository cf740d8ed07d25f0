import { eq } from "drizzle-orm";
import type { Env } from "../env.js";
import type { Db } from "./client.js";
import { messageDatabase } from "./message-databases.js";
import { conversations } from "./schema.js";

// The directory: which message database holds a conversation (conversations.message_db,
// written once when the conversation is created). The mapping never changes, so each
// isolate keeps what it has read: a send or a read then needs no look-up round trip.
// A deleted conversation (a dismissed group) is never created again under the same id.

const known = new Map<string, number>();
/** Bounds the isolate's memory; the look-up is one indexed read when an entry was dropped. */
const MAX_ENTRIES = 50_000;

/** The cached index, if this isolate has seen the conversation. */
export function cachedMessageDb(conversationId: string): number | undefined {
  return known.get(conversationId);
}

/** Records what the directory said (its rows never change). */
export function rememberMessageDb(conversationId: string, index: number): void {
  if (known.size >= MAX_ENTRIES) known.clear();
  known.set(conversationId, index);
}

/** The directory row, as a statement for a caller's db.batch(); undefined row = no such conversation. */
export function directoryLookup(db: Db, conversationId: string) {
  return db.select({ messageDb: conversations.messageDb }).from(conversations).where(eq(conversations.id, conversationId));
}

/** The index of the conversation's message database, or undefined when the conversation does not exist. */
export async function messageDbIndexOf(db: Db, conversationId: string): Promise<number | undefined> {
  const cached = known.get(conversationId);
  if (cached !== undefined) return cached;
  const [row] = await directoryLookup(db, conversationId);
  if (row) rememberMessageDb(conversationId, row.messageDb);
  return row?.messageDb;
}

/** The conversation's message database; undefined when the conversation does not exist. */
export async function messageDbOf(env: Env, db: Db, conversationId: string): Promise<D1Database | undefined> {
  const index = await messageDbIndexOf(db, conversationId);
  return index === undefined ? undefined : messageDatabase(env, index);
}
