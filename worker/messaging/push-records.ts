import type { Env } from "../env.js";
import { messageDatabase } from "../db/message-databases.js";
import type { Runtime } from "./runtime.js";

// The record that a message's push is complete (messages.pushed_at, message-push.ts) is a
// write on the conversation's message database. One UPDATE per message would double the
// writes a send makes there, so the records are gathered per database in this isolate and
// written together: by the next append on that database, as one more statement of its
// batch (no round trip of their own), or, when no append comes within PUSH_RECORD_WAIT_MS,
// by one UPDATE for every record waiting then.
//
// Nothing is lost by waiting: a record not written (the isolate died meanwhile) leaves
// pushed_at NULL, and the sweep pushes that message again after REPUSH_AFTER_MS (30 s), a
// duplicate that clients drop by id. Only plain data crosses between requests here: an
// append takes ids that another request's push left, never a promise or an I/O object.

/** How long a record waits for an append to carry it, in ms, unless PUSH_RECORD_WAIT_MS says otherwise. */
export const DEFAULT_PUSH_RECORD_WAIT_MS = 100;

/** Per message database (its index): ids of messages whose push is complete and not yet recorded. */
const waiting = new Map<number, Set<string>>();

const RECORD_SQL = "UPDATE messages SET pushed_at = ?1 WHERE pushed_at IS NULL AND id IN (SELECT value FROM json_each(?2))";

/** The write of these records, as a statement (for an append's batch, or alone). */
export function pushRecordWrite(d1: D1Database, messageIds: readonly string[], at: number): D1PreparedStatement {
  return d1.prepare(RECORD_SQL).bind(at, JSON.stringify(messageIds));
}

/**
 * The push of `messageId` (on message database `index`) is complete. Resolves once its
 * record is written, or taken by an append (which writes it, or on failure writes it apart).
 */
export async function recordPush(env: Env, index: number, messageId: string): Promise<void> {
  let ids = waiting.get(index);
  if (!ids) waiting.set(index, (ids = new Set()));
  ids.add(messageId);
  await new Promise((resolve) => setTimeout(resolve, recordWaitMs(env)));
  if (!waiting.get(index)?.has(messageId)) return; // an append carried it
  await writeRecords(env, index, takeWaitingRecords(index));
}

/** Whether this record still waits (tests). */
export const isRecordWaiting = (index: number, messageId: string): boolean => waiting.get(index)?.has(messageId) ?? false;

/** The records waiting on message database `index`; they leave the queue (the caller writes them). */
export function takeWaitingRecords(index: number): string[] {
  const ids = waiting.get(index);
  if (!ids || ids.size === 0) return [];
  waiting.delete(index);
  return [...ids];
}

/**
 * Runs an append on message database `index` (given to `append` as `d1`) with the records
 * waiting there: `append` puts them in its batch. If the append fails, they are written on
 * their own, after the answer (the append's failure is the caller's).
 */
export async function withWaitingRecords<T>(rt: Runtime, index: number, append: (d1: D1Database, records: string[]) => Promise<T>): Promise<T> {
  const d1 = messageDatabase(rt.env, index);
  const records = takeWaitingRecords(index);
  try {
    return await append(d1, records);
  } catch (error) {
    if (records.length > 0) rt.waitUntil(writeRecords(rt.env, index, records));
    throw error;
  }
}

async function writeRecords(env: Env, index: number, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  try {
    await pushRecordWrite(messageDatabase(env, index), messageIds, Date.now()).run();
  } catch (error) {
    console.warn(`${messageIds.length} push records not written; the sweep pushes those messages again`, error);
  }
}

function recordWaitMs(env: Env): number {
  const ms = Number(env.PUSH_RECORD_WAIT_MS ?? DEFAULT_PUSH_RECORD_WAIT_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_PUSH_RECORD_WAIT_MS;
}
