// Real clients: socket.io-client for core nodes, the built-in WebSocket for the edge.
// Each records what it receives, so tests can wait for an event and count duplicates.
import { io, type Socket } from "socket.io-client";
import { inject } from "vitest";
import type { ServerEvent } from "../../../protocol/index.js";

const WAIT_MS = 10_000;

/** Everything pushed to one device, and a way to wait for the next match. */
class Inbox {
  readonly events: ServerEvent[] = [];
  private waiters: { match: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];

  record(event: ServerEvent): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(event)) return true;
      waiter.resolve(event);
      return false;
    });
  }

  /** Resolves with the first event (already received or to come) that matches. */
  waitFor<E extends ServerEvent = ServerEvent>(match: (e: ServerEvent) => boolean, label = "event", ms = WAIT_MS): Promise<E> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as E);
    return new Promise<E>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}; got ${JSON.stringify(this.events.map((e) => e.type))}`)), ms);
      this.waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e as E)) });
    });
  }

  /** The message.new events carrying this message id. */
  copiesOf(messageId: string): number {
    return this.events.filter((e) => e.type === "message.new" && e.message.id === messageId).length;
  }

  waitForMessage(messageId: string) {
    return this.waitFor<Extract<ServerEvent, { type: "message.new" }>>(
      (e) => e.type === "message.new" && e.message.id === messageId,
      `message ${messageId}`,
    );
  }
}

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
] as const satisfies readonly ServerEvent["type"][];

export class CoreClient extends Inbox {
  constructor(readonly socket: Socket) {
    super();
    for (const type of PUSHED_EVENTS) socket.on(type, (event: ServerEvent) => this.record(event));
  }
  close(): void {
    this.socket.disconnect();
  }
}

/** Connects to a bridge node and resolves once the node has written the route (`ready`). */
export async function connectCore(socketUrl: string, token: string, options: { reconnection?: boolean } = {}): Promise<CoreClient> {
  const socket = io(socketUrl, { auth: { token }, transports: ["websocket"], reconnection: options.reconnection ?? false, forceNew: true });
  const client = new CoreClient(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("socket.io connect timed out")), WAIT_MS);
    socket.once("ready", () => (clearTimeout(timer), resolve()));
    socket.once("connect_error", (error) => (clearTimeout(timer), reject(error)));
  });
  return client;
}

export class EdgeClient extends Inbox {
  constructor(readonly socket: WebSocket) {
    super();
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string };
      if ((PUSHED_EVENTS as readonly string[]).includes(frame.type)) this.record(frame as ServerEvent);
    });
  }
  close(): void {
    this.socket.close(1000);
  }
}

/** Opens an edge WebSocket (held by the user's Durable Object) and waits for its `ready` frame. */
export async function connectEdge(token: string, workerUrl = inject("workerUrl")): Promise<EdgeClient> {
  const url = `${workerUrl.replace(/^http/, "ws")}/api/ws?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  const client = new EdgeClient(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("edge connect timed out")), WAIT_MS);
    socket.addEventListener("message", function onReady(message) {
      if ((JSON.parse(String(message.data)) as { type: string }).type !== "ready") return;
      socket.removeEventListener("message", onReady);
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener("error", () => (clearTimeout(timer), reject(new Error("edge socket error"))));
  });
  return client;
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
