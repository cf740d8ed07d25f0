import { DurableObject } from "cloudflare:workers";
import { CLOSE_CODES, EDGE_PING, EDGE_PONG, type ServerEvent, type ServerFrame, type SessionEndReason } from "../../protocol/index.js";
import { ApiError } from "../http/api-error.js";
import { numberVar, type Env } from "../env.js";
import { DEFAULT_MAX_SOCKETS_PER_USER, rateLimitOf, type RateLimit } from "../limits/limit-config.js";
import { takeStoredToken } from "../limits/stored-bucket.js";
import { takeToken, type Bucket, type Verdict } from "../limits/token-bucket.js";
import type { Runtime } from "../messaging/runtime.js";
import { database } from "../db/client.js";
import { liveSessionIds, type EndedSession } from "../db/sessions.js";
import { LiveSessions } from "./live-sessions.js";
import { announceEdgePresence, recheckEdgePresence, recordEdgePresence } from "./edge-presence.js";
import { handleClientFrame, rateLimitedFrame } from "./frame-handler.js";
import { connectedDevices, readAttachment, writeAttachment } from "./socket-attachment.js";
import { HUB_HEADERS } from "./stub.js";

/**
 * One object per user: holds every edge WebSocket of that user, one per device, tagged
 * with the device id. Hibernation API throughout (ctx.acceptWebSocket, webSocket*
 * handlers), so idle sockets cost nothing; all per-socket state is in its attachment.
 * This class only translates between sockets and the messaging services.
 */
/** A limit refilled within this many seconds is counted in memory (UserHub.takeToken): an object idles at least 10 s before hibernation. */
const IN_MEMORY_MAX_WINDOW_SECONDS = 10;

export class UserHub extends DurableObject<Env> {
  /** Frames of one socket are handled one after another, so a device's sends keep their order. */
  private readonly socketQueues = new WeakMap<WebSocket, Promise<void>>();
  /** Presence updates run one at a time, so a quick open-close cannot record them out of order. */
  private presenceQueue: Promise<void> = Promise.resolve();
  /** The announcements to the core, one at a time too; apart, so a slow bridge never delays a `ready`. */
  private announceQueue: Promise<void> = Promise.resolve();
  /** The user's live session ids: every request's session check asks here (live-sessions.ts). */
  private readonly liveSessions = new LiveSessions((userId) => liveSessionIds(database(this.env.DB), userId, Date.now()));
  /**
   * LIMIT_FRAMES, per socket. In memory: hibernation (only after the socket was idle)
   * forgets it, and an idle socket's bucket is refilling anyway.
   */
  private readonly frameBuckets = new WeakMap<WebSocket, Bucket>();
  /** The buckets of the short limits (takeToken), by key. */
  private readonly shortBuckets = new Map<string, Bucket>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // The heartbeat is answered by the runtime, without waking the object (protocol/frames.ts).
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(EDGE_PING, EDGE_PONG));
  }

  /** The upgrade, forwarded by GET /api/ws after it verified the access token. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const userId = request.headers.get(HUB_HEADERS.userId);
    const deviceId = request.headers.get(HUB_HEADERS.deviceId);
    if (!userId || !deviceId) return new Response("missing identity", { status: 400 });
    // The token's session is checked here, where the socket is accepted, so no logout can
    // slip between the check and the accept (endSessions runs in this object too).
    const sessionId = request.headers.get(HUB_HEADERS.sessionId) ?? "";
    if (!(await this.liveSessions.isLive(userId, sessionId))) return sessionEndedAnswer();

    // At most MAX_SOCKETS_PER_USER devices at once. The refused socket is told why, in a
    // frame and a close code, since a browser cannot read a refused upgrade's status.
    const maxSockets = numberVar(this.env.MAX_SOCKETS_PER_USER, DEFAULT_MAX_SOCKETS_PER_USER);
    const otherDevices = connectedDevices(this.ctx.getWebSockets()).filter((d) => d !== deviceId);
    if (otherDevices.length >= maxSockets) return refuseSocket(protocolOf(request), maxSockets);

    // One socket per device: the newest wins, the old one is told why it was closed.
    for (const old of this.ctx.getWebSockets(deviceId)) {
      closeQuietly(old, CLOSE_CODES.replaced, "replaced by a newer connection of this device");
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceId]);
    writeAttachment(server, { userId, deviceId, sessionId, connectedAt: Date.now() });
    // `ready` only once the user's edge presence row is written: a push that read presence
    // before the write made no call here, and this device's sync after `ready` finds what it
    // pushed (the argument is at deliverWithReport, worker/delivery/deliver.ts).
    this.devicesChanged(userId, { opened: { ws: server, deviceId } });

    return new Response(null, { status: 101, webSocket: client, headers: protocolOf(request) });
  }

  /**
   * One token of a rate limit of this object's user (or address): worker/limits/enforce-limit.ts.
   * A short limit (messages, typing: refilled within IN_MEMORY_MAX_WINDOW_SECONDS) is counted
   * in memory: the object hibernates or is evicted only after idling at least that long, by
   * when its bucket would be full again, so forgetting it forgives nothing. A stored token
   * costs a storage write on every send, and the runtime holds the send's answer until that
   * write is durable. The hourly limits are stored: an eviction must not refill them.
   */
  async takeToken(key: string, limit: RateLimit): Promise<Verdict> {
    if (limit.windowSeconds > IN_MEMORY_MAX_WINDOW_SECONDS) return takeStoredToken(this.ctx.storage, key, limit);
    const { verdict, bucket } = takeToken(this.shortBuckets.get(key), limit, Date.now());
    this.shortBuckets.set(key, bucket);
    return verdict;
  }

  /**
   * A send's two questions in one call (worker/limits/enforce-limit.ts): is this session
   * live, and if so, one token of the limit. An ended session takes no token.
   */
  async takeTokenIfLive(userId: string, sessionId: string, key: string, limit: RateLimit): Promise<Verdict | "session-ended"> {
    if (!(await this.liveSessions.isLive(userId, sessionId))) return "session-ended";
    return this.takeToken(key, limit);
  }

  /** requireAuth's question (worker/auth/session-check.ts): is this session of the user live? */
  async isSessionLive(userId: string, sessionId: string): Promise<boolean> {
    return this.liveSessions.isLive(userId, sessionId);
  }

  /** A login opened a session (already written to D1). */
  async sessionOpened(userId: string, sessionId: string): Promise<void> {
    await this.liveSessions.opened(userId, sessionId);
  }

  /**
   * Sessions ended (already revoked in D1): they stop passing the check, and their sockets
   * get `session.ended` and close with 4003. Returns how many sockets were closed.
   */
  async endSessions(userId: string, ended: EndedSession[], reason: SessionEndReason): Promise<number> {
    await this.liveSessions.ended(userId, ended.map((s) => s.id));
    let closed = 0;
    for (const session of ended) {
      for (const ws of this.ctx.getWebSockets(session.deviceId)) {
        const attachment = readAttachment(ws);
        // A socket of a newer session of the same device stays open.
        if (attachment?.sessionId !== undefined && attachment.sessionId !== session.id) continue;
        sendQuietly(ws, { type: "session.ended", sessionId: session.id, deviceId: session.deviceId, reason });
        closeQuietly(ws, CLOSE_CODES.sessionEnded, "session ended");
        closed++;
      }
    }
    if (closed > 0) this.devicesChanged(userId, {});
    return closed;
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const actor = readAttachment(ws);
    if (!actor) return closeQuietly(ws, 1011, "socket without identity");
    const { verdict, bucket } = takeToken(this.frameBuckets.get(ws), rateLimitOf(this.env, "frames"), Date.now());
    this.frameBuckets.set(ws, bucket);
    if (!verdict.allowed) return sendQuietly(ws, rateLimitedFrame(data, verdict.retryAfterSeconds));
    const previous = this.socketQueues.get(ws) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const reply = await handleClientFrame(this.runtime(actor.userId), actor, data);
        if (reply) sendQuietly(ws, reply);
      } catch (error) {
        // handleClientFrame answers every failure itself; this only keeps the object alive.
        console.error("frame handling failed", error);
      }
    });
    this.socketQueues.set(ws, next);
    await next;
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake. 1005/1006/1015 are reserved: they cannot be sent.
    closeQuietly(ws, code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
    this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    console.warn("edge socket error", error);
    closeQuietly(ws, 1011, "socket error");
    this.socketGone(ws);
  }

  /** Sends an event to every connected device of this user, except one. Returns how many got it. */
  async push(event: ServerEvent, exceptDeviceId?: string): Promise<number> {
    const text = JSON.stringify(event);
    const sockets = this.ctx.getWebSockets();
    // Called because the user has an edge presence row, yet no socket: the row is stale
    // (sockets lost in a restart leave no close event). Clear it now, not at the next alarm.
    if (sockets.length === 0) this.recheckPresence("on-change");
    let sent = 0;
    for (const ws of sockets) {
      if (readAttachment(ws)?.deviceId === exceptDeviceId) continue;
      try {
        ws.send(text);
        sent += 1;
      } catch {
        // Closing under our feet: that device syncs when it reconnects.
      }
    }
    return sent;
  }

  /** Presence re-check (edge-presence.ts): sockets lost in a restart leave no close event. */
  override async alarm(): Promise<void> {
    await this.recheckPresence("always");
  }

  private runtime(userId: string): Runtime {
    return {
      env: this.env,
      waitUntil: (promise) => this.ctx.waitUntil(promise),
      counters: { owner: userId, take: (key, limit) => this.takeToken(key, limit) },
      ownHub: { userId, push: (event, exceptDeviceId) => this.push(event, exceptDeviceId) },
    };
  }

  private socketGone(ws: WebSocket): void {
    const attachment = readAttachment(ws);
    if (attachment) this.devicesChanged(attachment.userId, { closing: ws });
  }

  /**
   * The set of sockets changed: record the user's edge presence (D1) and tell the core
   * gateways the device list. An opened socket gets its `ready` as soon as the user's
   * presence row is in place (before the friends hear of it); if the record ends without
   * that (D1 failed, or the socket closed meanwhile), the socket is closed with 1011 and
   * the client reconnects.
   */
  private devicesChanged(userId: string, change: { opened?: { ws: WebSocket; deviceId: string }; closing?: WebSocket }): void {
    // Read the sockets when the update runs, not when it was queued: the latest truth wins.
    const devices = () => connectedDevices(this.ctx.getWebSockets(), change.closing);
    const opened = change.opened;
    let isReady = false;
    const sendReady = () => {
      if (!opened || isReady) return;
      isReady = true;
      sendQuietly(opened.ws, { type: "ready", userId, deviceId: opened.deviceId });
    };
    const recorded = this.presenceQueue.then(() => recordEdgePresence(this.env, this.ctx.storage, userId, devices(), sendReady));
    this.presenceQueue = recorded.then(
      () => undefined,
      (error: unknown) => console.warn("recording edge presence failed", error),
    );
    if (opened) {
      const unlessReady = () => isReady || closeQuietly(opened.ws, 1011, "presence could not be recorded: reconnect");
      void recorded.then(unlessReady, unlessReady);
    }
    this.announceQueue = this.announceQueue.then(() => announceEdgePresence(this.env, userId, devices()));
    this.ctx.waitUntil(this.presenceQueue);
    this.ctx.waitUntil(this.announceQueue);
  }

  /** Records the devices connected now (the alarm, or a push that found none); `on-change`: tells the core only if that changed the record. */
  private recheckPresence(announce: "always" | "on-change"): Promise<void> {
    this.presenceQueue = this.presenceQueue.then(async () => {
      const devices = connectedDevices(this.ctx.getWebSockets());
      try {
        const recheck = await recheckEdgePresence(this.env, this.ctx.storage, devices);
        if (recheck && (announce === "always" || recheck.changed)) {
          const { userId } = recheck;
          this.announceQueue = this.announceQueue.then(() => announceEdgePresence(this.env, userId, connectedDevices(this.ctx.getWebSockets())));
          this.ctx.waitUntil(this.announceQueue);
        }
      } catch (error) {
        console.warn("presence re-check failed", error);
      }
    });
    this.ctx.waitUntil(this.presenceQueue);
    return this.presenceQueue;
  }
}

function sendQuietly(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket is closing; nothing to tell it.
  }
}

/** The Sec-WebSocket-Protocol to echo (browsers require it), as answer headers. */
function protocolOf(request: Request): Record<string, string> {
  const protocol = request.headers.get(HUB_HEADERS.protocol);
  return protocol ? { "Sec-WebSocket-Protocol": protocol } : {};
}

/** Accepts the upgrade outside hibernation only to say why, then closes it. */
function refuseSocket(headers: Record<string, string>, maxSockets: number): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  const message = `at most ${maxSockets} devices may be connected at once: close another one first`;
  sendQuietly(server, { type: "error", code: "rate_limited", message });
  closeQuietly(server, CLOSE_CODES.tooManySockets, "too many sockets");
  return new Response(null, { status: 101, webSocket: client, headers });
}

/** The upgrade of an ended session (or of a user that no longer exists): 401, no socket. */
function sessionEndedAnswer(): Response {
  const error = new ApiError("unauthorized", "session ended (logged out, replaced or revoked): log in again");
  return Response.json(error.toBody(), { status: error.status });
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
