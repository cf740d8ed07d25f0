import { DurableObject } from "cloudflare:workers";
import { CLOSE_CODES, type ServerEvent, type ServerFrame } from "../../protocol/index.js";
import type { Env } from "../env.js";
import type { Runtime } from "../messaging/runtime.js";
import { recheckEdgeDevices, recordEdgeDevices } from "./edge-presence.js";
import { handleClientFrame } from "./frame-handler.js";
import { connectedDevices, readAttachment, writeAttachment } from "./socket-attachment.js";
import { HUB_HEADERS } from "./stub.js";

/**
 * One object per user: holds every edge WebSocket of that user, one per device, tagged
 * with the device id. Hibernation API throughout (ctx.acceptWebSocket, webSocket*
 * handlers), so idle sockets cost nothing; all per-socket state is in its attachment.
 * This class only translates between sockets and the messaging services.
 */
export class UserHub extends DurableObject<Env> {
  /** Frames of one socket are handled one after another, so a device's sends keep their order. */
  private readonly socketQueues = new WeakMap<WebSocket, Promise<void>>();
  /** Presence updates run one at a time, so a quick open-close cannot record them out of order. */
  private presenceQueue: Promise<void> = Promise.resolve();

  /** The upgrade, forwarded by GET /api/ws after it verified the access token. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const userId = request.headers.get(HUB_HEADERS.userId);
    const deviceId = request.headers.get(HUB_HEADERS.deviceId);
    if (!userId || !deviceId) return new Response("missing identity", { status: 400 });

    // One socket per device: the newest wins, the old one is told why it was closed.
    for (const old of this.ctx.getWebSockets(deviceId)) {
      closeQuietly(old, CLOSE_CODES.replaced, "replaced by a newer connection of this device");
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceId]);
    writeAttachment(server, { userId, deviceId, connectedAt: Date.now() });
    sendQuietly(server, { type: "ready", userId, deviceId });
    this.devicesChanged(userId);

    const protocol = request.headers.get(HUB_HEADERS.protocol);
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {},
    });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const actor = readAttachment(ws);
    if (!actor) return closeQuietly(ws, 1011, "socket without identity");
    const previous = this.socketQueues.get(ws) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const reply = await handleClientFrame(this.runtime(), actor, data);
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
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
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
    this.presenceQueue = this.presenceQueue.then(() =>
      recheckEdgeDevices(this.env, this.ctx.storage, this.ctx.getWebSockets()).catch((error: unknown) =>
        console.warn("presence re-check failed", error),
      ),
    );
    await this.presenceQueue;
  }

  private runtime(): Runtime {
    return { env: this.env, waitUntil: (promise) => this.ctx.waitUntil(promise) };
  }

  private socketGone(ws: WebSocket): void {
    const attachment = readAttachment(ws);
    if (attachment) this.devicesChanged(attachment.userId, ws);
  }

  private devicesChanged(userId: string, closing?: WebSocket): void {
    this.presenceQueue = this.presenceQueue.then(async () => {
      // Read the sockets when the update runs, not when it was queued: the latest truth wins.
      const devices = connectedDevices(this.ctx.getWebSockets(), closing);
      await recordEdgeDevices(this.env, this.ctx.storage, userId, devices).catch((error: unknown) =>
        console.warn("recording edge presence failed", error),
      );
    });
    this.ctx.waitUntil(this.presenceQueue);
  }
}

function sendQuietly(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket is closing; nothing to tell it.
  }
}

function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
