import type { AckFrame, ErrorFrame, Message } from "../../protocol/index.js";
import type { EdgeImApi } from "../api/edge-im-api.js";
import type { SendInput } from "../api/messages.js";
import { deferred, type Deferred } from "../deferred.js";
import { ApiError, isTransient } from "../http/api-error.js";
import { newClientMsgId } from "../ids.js";
import type { Connection } from "../realtime/transport.js";

/** Socket sends of one message before an unanswered send goes over HTTP instead. */
const SOCKET_TRIES = 2;

interface Pending extends Deferred<Message> {
  body: SendInput & { clientMsgId: string };
  socketTries: number;
  httpInFlight: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Sends until stored (docs/PROTOCOL.md Part A, 4): each message gets its clientMsgId once
 * and keeps it for every retry, so the server stores it once whatever the path. Over the
 * socket while one is ready (an unanswered send is resent after `ackTimeoutMs`, twice,
 * then over HTTP); over HTTP while there is none; again over the socket after each
 * `ready`. A transient HTTP failure waits `ackTimeoutMs` and tries again; a rate_limited
 * refusal (HTTP or frame) waits at least its retryAfter.
 */
export class Outbox {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly api: EdgeImApi,
    /** The connection to send on, when one is ready. */
    private readonly connection: () => Connection | undefined,
    private readonly ackTimeoutMs: number,
    /** The stored copy of a send, from its ack or the HTTP answer (more than once if both arrive). */
    private readonly stored: (message: Message) => void,
  ) {}

  send(input: SendInput): Promise<Message> {
    const clientMsgId = input.clientMsgId ?? newClientMsgId();
    const already = this.pending.get(clientMsgId);
    if (already) return already.promise;
    const entry: Pending = { ...deferred<Message>(), body: { ...input, clientMsgId }, socketTries: 0, httpInFlight: false };
    this.pending.set(clientMsgId, entry);
    this.dispatch(entry);
    return entry.promise;
  }

  acked(frame: AckFrame): void {
    this.settle(frame.message);
  }

  /** An error frame answering one of our sends. */
  refused(frame: ErrorFrame & { clientMsgId: string }): void {
    const entry = this.pending.get(frame.clientMsgId);
    if (!entry) return;
    stopTimer(entry);
    // The gateway could not reach the Worker: same id, later.
    if (frame.code === "unavailable") return this.retryLater(entry);
    // Too many sends (LIMIT_MESSAGES or the socket's LIMIT_FRAMES): same id, after retryAfter.
    if (frame.code === "rate_limited") return this.retryLater(entry, frame.retryAfter);
    // The gateway's copy of our token expired: HTTP refreshes it, and the new one is handed over.
    if (frame.code === "token_expired") return void this.sendOverHttp(entry);
    this.fail(entry, ApiError.fromFrame(frame));
  }

  /** A new connection is ready: what is still unanswered goes out on it, oldest first. */
  resend(): void {
    for (const entry of this.pending.values()) {
      if (entry.httpInFlight) continue;
      entry.socketTries = 0;
      this.dispatch(entry);
    }
  }

  failAll(error: Error): void {
    for (const entry of [...this.pending.values()]) this.fail(entry, error);
  }

  private dispatch(entry: Pending): void {
    stopTimer(entry);
    const connection = this.connection();
    if (connection && entry.socketTries < SOCKET_TRIES && connection.send({ type: "message.send", ...entry.body })) {
      entry.socketTries += 1;
      entry.timer = setTimeout(() => this.dispatch(entry), this.ackTimeoutMs); // no ack in time: again, same id
      return;
    }
    void this.sendOverHttp(entry);
  }

  private async sendOverHttp(entry: Pending): Promise<void> {
    if (entry.httpInFlight || !this.pending.has(entry.body.clientMsgId)) return;
    entry.httpInFlight = true;
    try {
      this.settle(await this.api.messages.send(entry.body));
    } catch (error) {
      if (isTransient(error)) this.retryLater(entry, error instanceof ApiError ? error.retryAfter : undefined);
      else this.fail(entry, error);
    } finally {
      entry.httpInFlight = false;
    }
  }

  /** Again after ackTimeoutMs, or after the server's retryAfter (seconds) when it asked for longer. */
  private retryLater(entry: Pending, retryAfter?: number): void {
    if (!this.pending.has(entry.body.clientMsgId)) return;
    stopTimer(entry);
    entry.socketTries = 0;
    entry.timer = setTimeout(() => this.dispatch(entry), Math.max(this.ackTimeoutMs, (retryAfter ?? 0) * 1000));
  }

  private settle(message: Message): void {
    this.stored(message);
    const entry = this.pending.get(message.clientMsgId);
    if (!entry) return;
    stopTimer(entry);
    this.pending.delete(message.clientMsgId);
    entry.resolve(message);
  }

  private fail(entry: Pending, error: unknown): void {
    stopTimer(entry);
    this.pending.delete(entry.body.clientMsgId);
    entry.reject(error);
  }
}

function stopTimer(entry: Pending): void {
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  entry.timer = undefined;
}
