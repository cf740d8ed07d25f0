import type { ConversationSummary, Message, ServerEvent } from "../protocol/index.js";
import type { EdgeImApi } from "./api/edge-im-api.js";
import type { SendInput } from "./api/messages.js";
import { deferred, type Deferred } from "./deferred.js";
import { EventHub, type HubEvent } from "./event-hub.js";
import { ApiError, isTransient } from "./http/api-error.js";
import { notSignedIn } from "./http/session.js";
import type { BackoffOptions } from "./realtime/backoff.js";
import { ConnectionLoop, type ConnectionStatus, type InboundFrame } from "./realtime/connection-loop.js";
import { edgeTransport } from "./realtime/edge-transport.js";
import { socketIoTransport } from "./realtime/socket-io-transport.js";
import type { Transport } from "./realtime/transport.js";
import { ConversationSync, type RecalledEvent } from "./sync/conversation-sync.js";
import { MemoryStore, type LocalStore } from "./sync/local-store.js";
import { Outbox } from "./sync/outbox.js";

type EventOf<T extends ServerEvent["type"]> = Extract<ServerEvent, { type: T }>;

/** What a ChatClient emits, by event name. */
export interface ChatEventMap {
  status: ConnectionStatus;
  /** Each stored message once, in seq order per conversation: pushed, synced, or my own acked send. */
  message: Message;
  recalled: RecalledEvent;
  read: EventOf<"read">;
  typing: EventOf<"typing">;
  presence: EventOf<"presence">;
  /** An administrator's notice to everyone, pushed to who is online (the rest: `api.notices.list()`). */
  notice: EventOf<"notice">["notice"];
  /** Every push as it arrived (friend.*, group.*, conversation.updated, …), duplicates included. */
  event: ServerEvent;
  /** The conversation list, after each sync of it. */
  conversations: ConversationSummary[];
  /** A failure in the background (a sync, a refused read or typing frame); the client carries on. */
  error: Error;
}
export type ChatEvent = HubEvent<ChatEventMap>;

export type TransportOption = { kind: "edge" } | { kind: "socket.io"; url: string } | Transport;

export interface ChatClientOptions {
  /** Signed in (or about to be, before connect()). */
  api: EdgeImApi;
  transport: TransportOption;
  /** Where synced messages persist; default: memory. One store per user. */
  store?: LocalStore;
  /** Reconnect waits: base doubling up to cap, jittered (default 1 s … 30 s). */
  backoff?: BackoffOptions;
  /** An unanswered socket send is resent (same clientMsgId) after this long; default 10 s. */
  ackTimeoutMs?: number;
  /** Application ping interval; default 30 s, 0 = off. */
  heartbeatMs?: number;
  /** A conversation new to this device starts with its newest N messages (default 50), or "all". */
  initialHistory?: number | "all";
}

/** Typing frames: at most one per conversation this often (docs/PROTOCOL.md). */
const TYPING_INTERVAL_MS = 3_000;

/**
 * One user's real-time session on any transport: connection status, exact message sync,
 * sends that are stored once whatever fails, and every push as typed events.
 */
export class ChatClient {
  private readonly api: EdgeImApi;
  private readonly hub = new EventHub<ChatEventMap>();
  private readonly loop: ConnectionLoop;
  private readonly conversationSync: ConversationSync;
  private readonly outbox: Outbox;
  private readonly typingSentAt = new Map<string, number>();
  private hydrated: Promise<void> | undefined;
  private firstLive: Deferred<void> | undefined;
  private disposed = false;

  constructor(options: ChatClientOptions) {
    this.api = options.api;
    const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.conversationSync = new ConversationSync(
      this.api,
      options.store ?? new MemoryStore(),
      {
        message: (message) => this.hub.emit("message", message),
        recalled: (event) => this.hub.emit("recalled", event),
        conversations: (list) => this.hub.emit("conversations", list),
        failed: (error) => this.backgroundFailed(error),
      },
      options.initialHistory ?? 50,
    );
    this.loop = new ConnectionLoop(
      transportOf(options.transport, this.api),
      this.api,
      { backoff: options.backoff ?? {}, readyTimeoutMs: Math.max(ackTimeoutMs, 10_000), heartbeatMs: options.heartbeatMs ?? 30_000 },
      {
        status: (status) => this.statusChanged(status),
        frame: (frame) => this.onFrame(frame),
        ready: () => this.onReady(),
        error: (error) => this.hub.emit("error", asError(error)),
      },
    );
    this.outbox = new Outbox(this.api, () => this.loop.ready, ackTimeoutMs, (message) => this.conversationSync.receive(message));
  }

  get status(): ConnectionStatus {
    return this.loop.status;
  }

  /** Listens to one kind of event; returns the function that stops listening. */
  on<K extends keyof ChatEventMap>(type: K, listener: (data: ChatEventMap[K]) => void): () => void {
    return this.hub.on(type, listener);
  }

  /** Every event from now on as `{ type, data }`, until close(). */
  events(): AsyncIterableIterator<ChatEvent> {
    return this.hub.iterate();
  }

  /** Connects (and keeps reconnecting); resolves when first live, rejects if replaced or closed before. */
  async connect(): Promise<void> {
    if (this.disposed) throw new Error("this ChatClient was closed");
    if (this.status === "live") return;
    this.firstLive ??= deferred<void>();
    const waiting = this.firstLive.promise;
    // Read the local store once; a failed read is tried again by the next connect().
    this.hydrated ??= this.conversationSync.hydrate().catch((error: unknown) => {
      this.hydrated = undefined;
      throw error;
    });
    await this.hydrated;
    if (!this.disposed) this.loop.start();
    return waiting;
  }

  /** Sends a message; resolves with the stored message once the server has it (resending with the same clientMsgId until then). */
  send(input: SendInput): Promise<Message> {
    if (this.disposed) return Promise.reject(new Error("this ChatClient was closed"));
    return this.outbox.send(input);
  }

  /** Moves my read position forward (over the socket when connected, else HTTP). */
  async markRead(conversationId: string, seq: number): Promise<void> {
    if (this.loop.ready?.send({ type: "read", conversationId, seq })) return;
    await this.api.conversations.read(conversationId, seq);
  }

  /**
   * "I am typing"; call it on each keystroke: at most one goes out per conversation every
   * 3 s. Best effort: a failure is an `error` event, never a rejection.
   */
  async typing(conversationId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.typingSentAt.get(conversationId) ?? Number.NEGATIVE_INFINITY) < TYPING_INTERVAL_MS) return;
    this.typingSentAt.set(conversationId, now);
    if (this.loop.ready?.send({ type: "typing", conversationId })) return;
    await this.api.conversations.typing(conversationId).catch((error: unknown) => this.hub.emit("error", asError(error)));
  }

  /** The messages held for a conversation, ascending seq. */
  messages(conversationId: string): Message[] {
    return this.conversationSync.messages(conversationId);
  }

  lastSeenSeq(conversationId: string): number {
    return this.conversationSync.lastSeenSeq(conversationId);
  }

  /** The conversation list as of the last sync. */
  conversations(): ConversationSummary[] {
    return this.conversationSync.conversations();
  }

  /** Pages older history in (before the oldest message held); returns what was added. */
  loadOlder(conversationId: string, limit = 50): Promise<Message[]> {
    return this.conversationSync.loadOlder(conversationId, limit);
  }

  /** Syncs now (e.g. when the app comes back to the foreground); also ends a reconnect wait. */
  async sync(): Promise<void> {
    this.loop.wake();
    await this.conversationSync.syncAll();
  }

  /** Closes for good: the socket, pending sends (rejected) and event iterators. */
  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.loop.stop();
    this.outbox.failAll(new Error("the ChatClient was closed before the message was stored"));
    this.hub.end();
  }

  private async onReady(): Promise<void> {
    this.outbox.resend();
    await this.conversationSync.syncAll();
  }

  private onFrame(frame: InboundFrame): void {
    switch (frame.type) {
      case "message.ack":
        return this.outbox.acked(frame);
      case "error":
        if (frame.clientMsgId !== undefined) return this.outbox.refused({ ...frame, clientMsgId: frame.clientMsgId });
        // A Socket.IO gateway's copy of the token expired (a read refused, say): refreshing hands it a new one.
        if (frame.code === "token_expired") this.api.auth.refresh().catch((error: unknown) => this.hub.emit("error", asError(error)));
        return this.hub.emit("error", ApiError.fromFrame(frame));
    }
    this.hub.emit("event", frame);
    switch (frame.type) {
      case "message.new":
        return this.conversationSync.receive(frame.message);
      case "message.recalled":
        return this.conversationSync.recalled(frame);
      case "read":
        return this.hub.emit("read", frame);
      case "typing":
        return this.hub.emit("typing", frame);
      case "presence":
        return this.hub.emit("presence", frame);
      case "notice":
        return this.hub.emit("notice", frame.notice);
      // The conversation list changed (a new one, one gone, new counts): sync it.
      case "conversation.updated":
      case "friend.accepted":
      case "group.joined":
      case "group.removed":
        return this.conversationSync.requestSyncAll();
    }
  }

  private statusChanged(status: ConnectionStatus): void {
    this.hub.emit("status", status);
    if (status === "live") {
      this.firstLive?.resolve();
      this.firstLive = undefined;
    } else if (status === "replaced" || status === "closed") {
      const signedOut = status === "closed" && !this.api.isSignedIn();
      this.firstLive?.reject(signedOut ? notSignedIn() : new Error(`not connected: ${status}`));
      this.firstLive = undefined;
    }
  }

  /** A background sync failed: tell the app; if it may pass, reconnect, which syncs after `ready`. */
  private backgroundFailed(error: unknown): void {
    this.hub.emit("error", asError(error));
    if (isTransient(error)) this.loop.drop("a sync failed");
  }
}

function transportOf(option: TransportOption, api: EdgeImApi): Transport {
  if ("open" in option) return option;
  return option.kind === "edge" ? edgeTransport(api) : socketIoTransport(option.url);
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
