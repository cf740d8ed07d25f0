import { MAX_HISTORY_PAGE, SystemEvent, type ConversationSummary, type Message, type ServerEvent } from "../../protocol/index.js";
import type { EdgeImApi } from "../api/edge-im-api.js";
import { ApiError } from "../http/api-error.js";
import { coalesce } from "./coalesce.js";
import type { LocalStore } from "./local-store.js";

export type RecalledEvent = Extract<ServerEvent, { type: "message.recalled" }>;

/** Where the sync reports what it learned. */
export interface SyncSink {
  /** Each message once, in seq order per conversation. */
  message(message: Message): void;
  recalled(event: RecalledEvent): void;
  conversations(list: ConversationSummary[]): void;
  /** A background sync or a store write failed. */
  failed(error: unknown): void;
}

/** Conversations paged at once during a sync. */
const PARALLEL_PULLS = 4;

interface Log {
  lastSeenSeq: number;
  /** Ascending seq, no gap from the first one held up to lastSeenSeq. */
  messages: Message[];
}

/**
 * The client half of docs/PROTOCOL.md Part A, written once for every transport: per
 * conversation `lastSeenSeq`; a push is applied when it is the next seq, dropped when
 * already held, and a gap (or a conversation new to this device) triggers a forward
 * sync whose pages bring the pushed message again. Storage is the truth, pushes a fast path.
 */
export class ConversationSync {
  private readonly logs = new Map<string, Log>();
  private list: ConversationSummary[] = [];
  /** One page-forward at a time per conversation, coalesced. */
  private readonly pulls = new Map<string, () => Promise<void>>();
  private writes: Promise<void> = Promise.resolve();

  /** `GET /api/conversations`, then every conversation whose lastSeq is ahead of ours. */
  readonly syncAll = coalesce(() => this.pullAll());

  constructor(
    private readonly api: EdgeImApi,
    private readonly store: LocalStore,
    private readonly sink: SyncSink,
    /** A conversation new to this device starts with its newest page of this size, or with all of it. */
    private readonly initialHistory: number | "all",
  ) {}

  async hydrate(): Promise<void> {
    for (const held of await this.store.load()) {
      this.logs.set(held.conversationId, { lastSeenSeq: held.lastSeenSeq, messages: [...held.messages] });
    }
  }

  messages(conversationId: string): Message[] {
    return [...(this.logs.get(conversationId)?.messages ?? [])];
  }

  lastSeenSeq(conversationId: string): number {
    return this.logs.get(conversationId)?.lastSeenSeq ?? 0;
  }

  /** The list as of the last sync. */
  conversations(): ConversationSummary[] {
    return [...this.list];
  }

  /** A pushed `message.new`, or the stored copy of my own send. */
  receive(message: Message): void {
    const log = this.logs.get(message.conversationId);
    if (log && message.seq <= log.lastSeenSeq) return; // a duplicate: a retried push, or sync got it first
    if (log && message.seq === log.lastSeenSeq + 1) return this.append(message.conversationId, log, [message]);
    // A gap, or a conversation new to this device: the sync's pages bring this message again.
    this.background(this.syncConversation(message.conversationId));
  }

  /** A pushed `message.recalled`: clear the body we hold; tell the app unless it already knew. */
  recalled(event: RecalledEvent): void {
    const log = this.logs.get(event.conversationId);
    if (this.clearBody(event.conversationId, log, event.seq, event.recalledAt) !== "already") this.sink.recalled(event);
  }

  syncConversation(conversationId: string): Promise<void> {
    let pull = this.pulls.get(conversationId);
    if (!pull) {
      pull = coalesce(() => this.pull(conversationId));
      this.pulls.set(conversationId, pull);
    }
    return pull();
  }

  requestSyncAll(): void {
    this.background(this.syncAll());
  }

  /** Pages history backwards from the oldest message held; returns the messages added (ascending). */
  async loadOlder(conversationId: string, limit: number): Promise<Message[]> {
    if (!this.logs.has(conversationId)) await this.syncConversation(conversationId);
    const log = this.logOf(conversationId);
    const before = log.messages[0]?.seq ?? log.lastSeenSeq + 1;
    if (before <= 1) return [];
    const page = await this.api.conversations.history(conversationId, { beforeSeq: before, limit });
    // Read again after the wait: another loadOlder may have added some of these meanwhile.
    const oldest = log.messages[0]?.seq ?? Number.POSITIVE_INFINITY;
    const older = page.messages.filter((m) => m.seq < oldest);
    log.messages.unshift(...older);
    this.persist(conversationId, log.lastSeenSeq, older);
    return older;
  }

  private async pullAll(): Promise<void> {
    const list = await this.api.conversations.list();
    this.list = list;
    this.sink.conversations(list);
    const behind: string[] = [];
    for (const summary of list) {
      const log = this.logs.get(summary.id);
      if (!log && summary.lastSeq === 0) {
        this.logs.set(summary.id, { lastSeenSeq: 0, messages: [] }); // empty: nothing to fetch
        this.persist(summary.id, 0, []);
      } else if (!log || summary.lastSeq > log.lastSeenSeq) {
        behind.push(summary.id);
      }
    }
    await inParallel(behind, PARALLEL_PULLS, (id) => this.syncConversation(id));
  }

  private async pull(conversationId: string): Promise<void> {
    try {
      if (!this.logs.has(conversationId) && this.initialHistory !== "all" && (await this.bootstrap(conversationId))) return;
      const log = this.logOf(conversationId);
      for (;;) {
        const page = await this.api.conversations.history(conversationId, { afterSeq: log.lastSeenSeq, limit: MAX_HISTORY_PAGE });
        // Pushes may have moved lastSeenSeq during the request: keep only what is still new.
        this.append(conversationId, log, page.messages.filter((m) => m.seq > log.lastSeenSeq));
        if (!page.hasMore || page.messages.length === 0) return;
      }
    } catch (error) {
      // Left or dismissed meanwhile: there is nothing of it to sync any more.
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return;
      throw error;
    }
  }

  /** The newest page of a conversation new to this device. True when nothing newer is left to fetch. */
  private async bootstrap(conversationId: string): Promise<boolean> {
    const limit = Math.min(Math.max(1, this.initialHistory as number), MAX_HISTORY_PAGE);
    const page = await this.api.conversations.history(conversationId, { limit });
    if (this.logs.has(conversationId)) return false; // the list sync created it meanwhile: page forward instead
    const log = this.logOf(conversationId);
    this.append(conversationId, log, page.messages);
    return log.lastSeenSeq >= page.lastSeq;
  }

  /** Appends messages that continue the log (or start a new one), stores them, tells the app. */
  private append(conversationId: string, log: Log, messages: Message[]): void {
    if (messages.length === 0) return;
    log.messages.push(...messages);
    log.lastSeenSeq = messages[messages.length - 1]!.seq;
    this.persist(conversationId, log.lastSeenSeq, messages);
    for (const message of messages) {
      this.sink.message(message);
      this.recallFromSystemMessage(conversationId, log, message);
    }
  }

  /** A device that was offline learns of a recall from the `message_recalled` system message. */
  private recallFromSystemMessage(conversationId: string, log: Log, message: Message): void {
    if (message.kind !== "system") return;
    const parsed = SystemEvent.safeParse(message.body);
    if (!parsed.success || parsed.data.event !== "message_recalled") return;
    const { messageId, seq, by } = parsed.data;
    if (this.clearBody(conversationId, log, seq, message.createdAt) !== "cleared") return;
    this.sink.recalled({ type: "message.recalled", conversationId, messageId, seq, recalledBy: by, recalledAt: message.createdAt });
  }

  /** Replaces a held message by its recalled form (a new object: apps may compare by identity). */
  private clearBody(conversationId: string, log: Log | undefined, seq: number, recalledAt: number): "cleared" | "already" | "absent" {
    const index = log ? log.messages.findLastIndex((m) => m.seq === seq) : -1;
    const held = log?.messages[index];
    if (!log || !held) return "absent";
    if (held.recalledAt !== null) return "already";
    const recalled: Message = { ...held, body: {}, recalledAt };
    log.messages[index] = recalled;
    this.persist(conversationId, log.lastSeenSeq, [recalled]);
    return "cleared";
  }

  private logOf(conversationId: string): Log {
    let log = this.logs.get(conversationId);
    if (!log) this.logs.set(conversationId, (log = { lastSeenSeq: 0, messages: [] }));
    return log;
  }

  /** Store writes go one after another, in the order the changes happened. */
  private persist(conversationId: string, lastSeenSeq: number, messages: Message[]): void {
    this.writes = this.writes
      .then(() => this.store.save(conversationId, lastSeenSeq, messages))
      .catch((error: unknown) => this.sink.failed(error));
  }

  private background(work: Promise<void>): void {
    work.catch((error: unknown) => this.sink.failed(error));
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}
