import type { Message } from "../../protocol/index.js";

type MaybePromise<T> = T | Promise<T>;

/** One conversation as a device keeps it. */
export interface StoredConversation {
  conversationId: string;
  /** The highest seq held with no gap below it (down to the oldest message held). */
  lastSeenSeq: number;
  /** Ascending seq; may start anywhere (older history is paged in on demand). */
  messages: Message[];
}

/**
 * Where a ChatClient persists what it has synced, so a restart syncs only what is new.
 * Keep one store per signed-in user. Writes come in order, one at a time.
 */
export interface LocalStore {
  /** Everything held, read once when the client connects. */
  load(): MaybePromise<StoredConversation[]>;
  /** The conversation's new lastSeenSeq, and messages added or changed (recalled) since the last save: upsert by seq. */
  save(conversationId: string, lastSeenSeq: number, messages: Message[]): MaybePromise<void>;
}

/** The default LocalStore: memory only, gone with the page or process. */
export class MemoryStore implements LocalStore {
  private readonly conversations = new Map<string, { lastSeenSeq: number; messages: Map<number, Message> }>();

  load(): StoredConversation[] {
    return [...this.conversations].map(([conversationId, held]) => ({
      conversationId,
      lastSeenSeq: held.lastSeenSeq,
      messages: [...held.messages.values()].sort((a, b) => a.seq - b.seq),
    }));
  }

  save(conversationId: string, lastSeenSeq: number, messages: Message[]): void {
    const held = this.conversations.get(conversationId) ?? { lastSeenSeq, messages: new Map() };
    held.lastSeenSeq = lastSeenSeq;
    for (const message of messages) held.messages.set(message.seq, message);
    this.conversations.set(conversationId, held);
  }
}
