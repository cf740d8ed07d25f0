import { gte, sql } from "drizzle-orm";
import { database } from "./client.js";
import { messages } from "./message-schema.js";

const DAY_MS = 24 * 3600 * 1000;

/**
 * Messages whose push is not recorded (pushed_at NULL), summed over every message database
 * (asked at once): a count of the partial index messages_unpushed, which holds only those.
 */
export async function pushesOwed(messageDbs: D1Database[]): Promise<number> {
  const counts = await Promise.all(
    messageDbs.map((d1) => d1.prepare("SELECT COUNT(*) AS owed FROM messages WHERE pushed_at IS NULL").first<{ owed: number }>("owed")),
  );
  return counts.reduce<number>((sum, owed) => sum + Number(owed ?? 0), 0);
}

/**
 * Messages stored on each of the last `days` UTC days (today so far included), oldest
 * first, days without any counted as 0, summed over every message database (asked at
 * once). One range scan of the created_at index on each.
 */
export async function messagesPerDay(messageDbs: D1Database[], days: number, now = Date.now()): Promise<{ day: string; messages: number }[]> {
  const today = Math.floor(now / DAY_MS);
  const first = today - days + 1;
  const perDatabase = await Promise.all(
    messageDbs.map((d1) =>
      database(d1)
        // D1 binds numbers as REAL: the divisor is written in, so this stays integer division.
        .select({ day: sql<number>`${messages.createdAt} / ${sql.raw(String(DAY_MS))}`, count: sql<number>`count(*)` })
        .from(messages)
        .where(gte(messages.createdAt, first * DAY_MS))
        .groupBy(sql`1`),
    ),
  );
  const byDay = new Map<number, number>();
  for (const row of perDatabase.flat()) byDay.set(Number(row.day), (byDay.get(Number(row.day)) ?? 0) + Number(row.count));
  return Array.from({ length: days }, (_, i) => ({
    day: new Date((first + i) * DAY_MS).toISOString().slice(0, 10),
    messages: byDay.get(first + i) ?? 0,
  }));
}
