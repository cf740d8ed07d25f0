import type { Env } from "../env.js";
import { stableHash } from "../stable-hash.js";

// The message databases (migrations/messages/): MESSAGE_DATABASES names their D1 bindings,
// in order; a conversation is placed on one of them when it is created, and the directory
// (conversations.message_db in the main database, worker/db/conversation-directory.ts)
// records that index for good. Appending a binding to the list therefore moves nothing:
// only conversations created afterwards spread over the longer list.

/** The default when MESSAGE_DATABASES is unset: one message database. */
export const DEFAULT_MESSAGE_DATABASES = "MESSAGES_0";

/** The binding names MESSAGE_DATABASES lists, in order. */
export function messageDatabaseNames(env: Env): string[] {
  return (env.MESSAGE_DATABASES || DEFAULT_MESSAGE_DATABASES)
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** The bindings named by MESSAGE_DATABASES, in order. A missing binding is a deploy mistake: it throws, naming it. */
export function messageDatabases(env: Env): D1Database[] {
  return messageDatabaseNames(env).map((name) => {
    const binding = (env as unknown as Record<string, unknown>)[name];
    if (!isD1(binding)) throw new Error(`MESSAGE_DATABASES names ${name}, which is not a D1 binding of this Worker (wrangler.toml)`);
    return binding;
  });
}

/** Message database `index` of the directory. An index past the list means a binding was removed: it throws. */
export function messageDatabase(env: Env, index: number): D1Database {
  const all = messageDatabases(env);
  const d1 = all[index];
  if (!d1) throw new Error(`a conversation lives on message database ${index}, but MESSAGE_DATABASES lists only ${all.length}`);
  return d1;
}

/**
 * Where a new conversation goes: a hash of its id over the databases listed now, so new
 * conversations spread evenly and the choice needs no shared counter. Only used at creation;
 * afterwards the directory answers.
 */
export function placeConversation(env: Env, conversationId: string): number {
  return stableHash(conversationId) % messageDatabases(env).length;
}

function isD1(value: unknown): value is D1Database {
  return typeof value === "object" && value !== null && typeof (value as D1Database).prepare === "function";
}
