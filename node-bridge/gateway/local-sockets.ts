// The sockets connected to this node, by user and device. A device may briefly hold two
// sockets (a reconnect racing the old socket's close): its route stays until the last goes.
import type { DefaultEventsMap, Socket } from "socket.io";
import type { ClientToServerEvents, Envelope, ServerToClientEvents } from "../../protocol/index.js";

export interface SocketIdentity {
  userId: string;
  deviceId: string;
  /** The user's access token: the node calls the Worker's API with it on the user's behalf. */
  accessToken: string;
  /** The token's session (`sid`): when it ends, this socket is closed. */
  sessionId: string;
}

// Inter-server events are unused: nodes talk through RabbitMQ, not the Socket.IO adapter.
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketIdentity>;

/**
 * Emits a frame under its own `type`. socket.io's typings cannot tie a union's name to its
 * payload, so the one cast of the gateway lives here, checked against the frame types.
 */
export function emitTyped(socket: GatewaySocket, frame: Parameters<ServerToClientEvents[keyof ServerToClientEvents]>[0]): void {
  (socket.emit as (event: string, payload: unknown) => boolean)(frame.type, frame);
}

export class LocalSockets {
  /**
   * Each user's sockets here, in connection order. A user has few (MAX_SOCKETS_PER_USER), so
   * an array scanned by device costs less than a map of device sets: idle users are most of
   * a node's memory, and most have one socket.
   */
  private readonly byUser = new Map<string, GatewaySocket[]>();
  private count = 0;

  /** Returns true if this is the device's first socket here (its route must be written). */
  add(socket: GatewaySocket): boolean {
    const { userId, deviceId } = socket.data;
    const sockets = this.byUser.get(userId);
    if (!sockets) {
      this.byUser.set(userId, [socket]);
      this.count++;
      return true;
    }
    if (sockets.includes(socket)) return this.countOf(userId, deviceId) === 1;
    const isFirst = !sockets.some((s) => s.data.deviceId === deviceId);
    sockets.push(socket);
    this.count++;
    return isFirst;
  }

  /** Returns true if this was the device's last socket here (its route must be removed). */
  remove(socket: GatewaySocket): boolean {
    const { userId, deviceId } = socket.data;
    const sockets = this.byUser.get(userId);
    const at = sockets ? sockets.indexOf(socket) : -1;
    if (!sockets || at < 0) return false;
    sockets.splice(at, 1);
    this.count--;
    if (sockets.length === 0) this.byUser.delete(userId);
    return !sockets.some((s) => s.data.deviceId === deviceId);
  }

  /** The user's sockets on this node (of one device, when given). */
  countOf(userId: string, deviceId?: string): number {
    const sockets = this.byUser.get(userId);
    if (!sockets) return 0;
    if (deviceId === undefined) return sockets.length;
    let count = 0;
    for (const socket of sockets) if (socket.data.deviceId === deviceId) count++;
    return count;
  }

  /**
   * A session ended: its sockets here get the `session.ended` event, then are disconnected.
   * Sockets of a newer session of the same device stay. Returns how many were closed.
   */
  endSession(event: Extract<Envelope["event"], { type: "session.ended" }>, userId: string): number {
    // A copy: each disconnect removes its socket from the user's array.
    const sockets = (this.byUser.get(userId) ?? []).filter((s) => s.data.deviceId === event.deviceId && s.data.sessionId === event.sessionId);
    for (const socket of sockets) {
      emitTyped(socket, event);
      socket.disconnect(true);
    }
    return sockets.length;
  }

  /** True while the user has any socket on this node. */
  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** Every user with a socket here. */
  users(): string[] {
    return [...this.byUser.keys()];
  }

  /** Every connected device, to re-register after this node's routes were swept. */
  devices(): { userId: string; deviceId: string }[] {
    return [...this.byUser].flatMap(([userId, sockets]) => [...new Set(sockets.map((s) => s.data.deviceId))].map((deviceId) => ({ userId, deviceId })));
  }

  get size(): number {
    return this.count;
  }

  /**
   * Emits the envelope's event to its recipients' local sockets (only the listed devices
   * when the envelope names them, never `exceptDevice`). Returns the number of emits.
   * `emitToMany`, when given, takes the sockets of an event that goes to more than one
   * (the gateway broadcasts it: Socket.IO then encodes the packet once for all of them).
   */
  push(envelope: Envelope, emitToMany?: (sockets: GatewaySocket[], event: Envelope["event"]) => void): number {
    // A set: an envelope that lists a user twice (any publisher may) still pushes once per socket.
    const targets = new Set<GatewaySocket>();
    for (const recipient of envelope.recipients) {
      const sockets = this.byUser.get(recipient.userId);
      if (!sockets) continue;
      const only = recipient.deviceIds ? new Set(recipient.deviceIds) : undefined;
      const except = envelope.exceptDevice?.userId === recipient.userId ? envelope.exceptDevice.deviceId : undefined;
      for (const socket of sockets) {
        const { deviceId } = socket.data;
        if ((only && !only.has(deviceId)) || deviceId === except) continue;
        targets.add(socket);
      }
    }
    // Socket.IO event name = the event's `type`, payload = the whole event (protocol/events.ts).
    if (emitToMany && targets.size > 1) emitToMany([...targets], envelope.event);
    else for (const socket of targets) emitTyped(socket, envelope.event);
    return targets.size;
  }
}
