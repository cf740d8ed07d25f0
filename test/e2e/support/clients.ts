// Real devices, connected through the SDK's own transports (client/realtime): the edge
// WebSocket and a Socket.IO gateway node. Each records every push as it arrived, repeats
// included, so tests can wait for one and count copies (ChatClient's "message" events are
// deduped, which would hide a push delivered twice).
import { io, type Socket } from "socket.io-client";
import { inject } from "vitest";
import { EdgeImApi, edgeTransport, socketIoTransport, type Connection, type Disconnect, type Transport } from "../../../client/index.js";
import type { AckFrame, ClientFrame, ErrorFrame, ServerEvent } from "../../../protocol/index.js";

const WAIT_MS = 10_000;

export const PUSHED_EVENTS = [
  "message.new",
  "message.recalled",
  "read",
  "typing",
  "presence",
  "conversation.updated",
  "friend.request",
  "friend.accepted",
  "friend.declined",
  "friend.removed",
  "friend.updated",
  "group.updated",
  "group.joined",
  "group.removed",
  "group.invited",
] as const satisfies readonly ServerEvent["type"][];

const isPush = (frame: { type: string }): frame is ServerEvent => (PUSHED_EVENTS as readonly string[]).includes(frame.type);
const isAnswer = (frame: { type: string }): frame is AckFrame | ErrorFrame => frame.type === "message.ack" || frame.type === "error";

/** What arrived, in order, and a way to wait for the first match (arrived or to come). */
class Arrivals<T> {
  readonly items: T[] = [];
  private waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  add(item: T): void {
    this.items.push(item);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(item)) return true;
      waiter.resolve(item);
      return false;
    });
  }

  waitFor<U extends T = T>(match: (item: T) => boolean, label: string, ms: number, seen: () => string): Promise<U> {
    const arrived = this.items.find(match);
    if (arrived) return Promise.resolve(arrived as U);
    return new Promise<U>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}; got ${seen()}`)), ms);
      this.waiters.push({ match, resolve: (item) => (clearTimeout(timer), resolve(item as U)) });
    });
  }
}

/** A `message.send` frame without its type (one member per message kind). */
type MessageSend = Extract<ClientFrame, { type: "message.send" }> extends infer F ? (F extends unknown ? Omit<F, "type"> : never) : never;

/** One device's open socket: everything pushed to it, and its sends. */
export class DeviceClient {
  private readonly pushes = new Arrivals<ServerEvent>();
  private readonly answers = new Arrivals<AckFrame | ErrorFrame>();
  private connection: Connection | undefined;
  private ended!: (disconnect: Disconnect) => void;
  /** Resolves when the server ends the connection (not after close()). */
  readonly closed = new Promise<Disconnect>((resolve) => (this.ended = resolve));

  /** Every push, in arrival order. */
  get events(): readonly ServerEvent[] {
    return this.pushes.items;
  }

  /** Resolves with the first push (already received or to come) that matches. */
  waitFor<E extends ServerEvent = ServerEvent>(match: (e: ServerEvent) => boolean, label = "event", ms = WAIT_MS): Promise<E> {
    return this.pushes.waitFor<E>(match, label, ms, () => JSON.stringify(this.events.map((e) => e.type)));
  }

  waitForMessage(messageId: string) {
    return this.waitFor<Extract<ServerEvent, { type: "message.new" }>>(
      (e) => e.type === "message.new" && e.message.id === messageId,
      `message ${messageId}`,
    );
  }

  /** The message.new pushes carrying this message id. */
  copiesOf(messageId: string): number {
    return this.events.filter((e) => e.type === "message.new" && e.message.id === messageId).length;
  }

  /** Hands a frame to the socket, as the SDK does (a gateway answers as events, not acks). */
  send(frame: ClientFrame): void {
    if (!this.connection?.send(frame)) throw new Error(`socket not open: cannot send ${frame.type}`);
  }

  /** Sends a message; resolves with the answer for its clientMsgId: `message.ack` or an `error` frame. */
  sendMessage(message: MessageSend, ms = WAIT_MS): Promise<AckFrame | ErrorFrame> {
    const answer = this.answers.waitFor((a) => a.clientMsgId === message.clientMsgId, `answer to ${message.clientMsgId}`, ms, () =>
      JSON.stringify(this.answers.items.map((a) => a.type)),
    );
    this.send({ type: "message.send", ...message });
    return answer;
  }

  /** Socket.IO only: `token.refresh`; rejects with the gateway's refusal as an ApiError. */
  handOverToken(accessToken: string): Promise<void> {
    if (!this.connection?.handOverToken) throw new Error("this transport cannot hand over a token");
    return this.connection.handOverToken(accessToken);
  }

  close(): void {
    this.connection?.close();
  }

  /**
   * Opens the transport and resolves on `ready` (the gateway has written the route); rejects
   * with the transport's Disconnect (`{ reason: "auth", code }` for a refused token).
   */
  async open(transport: Transport, token: string): Promise<this> {
    let ready!: () => void;
    let refused!: (disconnect: Disconnect) => void;
    const readied = new Promise<void>((resolve, reject) => {
      ready = resolve;
      refused = (disconnect) => reject(Object.assign(new Error(`no ready: ${JSON.stringify(disconnect)}`), disconnect));
    });
    readied.catch(() => {}); // awaited below; a refusal may come before that
    this.connection = await transport.open(token, {
      frame: (raw) => {
        const frame = raw as { type: string };
        if (frame.type === "ready") ready();
        else if (isPush(frame)) this.pushes.add(frame);
        else if (isAnswer(frame)) this.answers.add(frame);
      },
      closed: (disconnect) => {
        refused(disconnect);
        this.ended(disconnect);
      },
    });
    const timer = setTimeout(() => refused({ reason: "lost", detail: `no ready within ${WAIT_MS} ms` }), WAIT_MS);
    try {
      await readied;
    } catch (error) {
      this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return this;
  }
}

/** A device on a bridge node, through the SDK's Socket.IO transport. */
export function connectCore(socketUrl: string, token: string): Promise<DeviceClient> {
  return new DeviceClient().open(socketIoTransport(socketUrl), token);
}

/** A device at the edge (its socket held by the user's Durable Object), through the SDK's edge transport. */
export function connectEdge(token: string, workerUrl = inject("workerUrl")): Promise<DeviceClient> {
  return new DeviceClient().open(edgeTransport(new EdgeImApi({ baseUrl: workerUrl })), token);
}

/** The devices a test file opens, each closed at the end (pass closeAll to afterAll/afterEach). */
export class Devices {
  private readonly open: Array<{ close(): void }> = [];

  async core(node: { socketUrl: string }, token: string): Promise<DeviceClient> {
    return this.track(await connectCore(node.socketUrl, token));
  }

  async edge(token: string): Promise<DeviceClient> {
    return this.track(await connectEdge(token));
  }

  /** Anything else with a close() to run at the end. */
  track<T extends { close(): void }>(client: T): T {
    this.open.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}

/**
 * A bare socket.io-client socket that takes its answers through ack callbacks: the
 * gateway's contract for clients other than the SDK (docs/PROTOCOL.md, Part B), which the
 * SDK does not use (it reads answers as events). Only for tests whose subject is that
 * contract; everything else connects with connectCore. Resolves on `ready`.
 */
export async function ackingSocket(socketUrl: string, token: string): Promise<Socket> {
  const socket = io(socketUrl, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("socket.io connect timed out")), WAIT_MS);
    socket.once("ready", () => (clearTimeout(timer), resolve()));
    socket.once("connect_error", (error) => (clearTimeout(timer), reject(error)));
  });
  return socket;
}

/** Polls until `check` holds (e.g. a route written by an asynchronous presence call). */
export async function eventually(check: () => Promise<boolean>, label: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Lets in-flight pushes land before asserting that nothing more arrived. */
export const settle = (ms = 500) => new Promise((resolve) => setTimeout(resolve, ms));
