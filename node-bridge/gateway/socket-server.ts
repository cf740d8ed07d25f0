// The Socket.IO gateway: authenticates at the handshake, records `user + device -> this
// node` on connect and removes it on disconnect, and pushes envelopes to local sockets.
import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Server, type DefaultEventsMap, type ExtendedError } from "socket.io";
import type { ClientToServerEvents, Envelope, ServerToClientEvents } from "../../protocol/index.js";
import type { WorkerClient } from "../edge-link/worker-client.js";
import type { RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";
import { clientEvents } from "./client-events.js";
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from "./gateway-limits.js";
import { handshakeAuth } from "./handshake-auth.js";
import { originCheck } from "./origin-check.js";
import { sessionCheck } from "./session-check.js";
import { LocalSockets, type GatewaySocket, type SocketIdentity } from "./local-sockets.js";
import { PresenceReporter } from "./presence-reporter.js";
import { RouteWriter } from "./route-writer.js";
import { socketCaps } from "./socket-caps.js";

export interface GatewayDeps {
  nodeId: string;
  authSecret: string;
  corsOrigin: string | string[];
  /** Browser origins allowed to connect (ALLOWED_ORIGINS); unset or "*": any. No Origin (non-browser): always. */
  allowedOrigins?: "*" | string[];
  routes: RouteTable;
  worker: WorkerClient;
  stats: NodeStats;
  logger: Logger;
  /** Defaults: DEFAULT_GATEWAY_LIMITS. */
  limits?: Partial<GatewayLimits>;
}

export class SocketGateway {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketIdentity>;
  readonly sockets = new LocalSockets();
  /** Set on shutdown: disconnects then only clean up locally, routes are removed in bulk. */
  private closing = false;

  private readonly presence: PresenceReporter;
  private readonly limits: GatewayLimits;
  private readonly routeWriter: RouteWriter;
  /** Starts handling a socket's client events (handlers shared by every socket). */
  private readonly listenToClient: (socket: GatewaySocket) => void;
  /**
   * Every socket's `disconnect` listener: one function for the node, called with the socket
   * as `this`, instead of a closure per socket.
   */
  private readonly onDisconnect: (this: GatewaySocket) => void;

  constructor(httpServer: HttpServer, private readonly deps: GatewayDeps) {
    this.presence = new PresenceReporter(
      deps.nodeId,
      deps.worker,
      (userId) => this.sockets.hasUser(userId),
      deps.logger,
      () => this.sockets.users(),
    );
    this.routeWriter = new RouteWriter(deps.routes, deps.nodeId);
    this.io = new Server<ClientToServerEvents, ServerToClientEvents, DefaultEventsMap, SocketIdentity>(httpServer, {
      cors: { origin: deps.corsOrigin },
    });
    // Every refusal is counted by its reason (the `data.code` the client sees).
    const { metrics } = deps.stats;
    const use = (middleware: (socket: GatewaySocket, next: (error?: ExtendedError) => void) => unknown) =>
      this.io.use((socket, next) =>
        void middleware(socket, (error) => {
          if (error) {
            metrics.handshakes.inc({ outcome: "refused" });
            metrics.handshakeRefusals.inc({ reason: String((error.data as { code?: unknown } | undefined)?.code ?? "other") });
          }
          next(error);
        }),
      );
    // Shutdown first stops accepting, then drains: a node on its way out takes no one new.
    use((_socket, next) => next(this.closing ? Object.assign(new Error("node shutting down"), { data: { code: "shutting_down" } }) : undefined));
    use(originCheck(deps.allowedOrigins ?? "*"));
    use(handshakeAuth(deps.authSecret));
    use(sessionCheck(deps.worker, deps.logger));
    this.limits = { ...DEFAULT_GATEWAY_LIMITS, ...deps.limits };
    use(socketCaps(this.sockets, this.limits));
    this.listenToClient = clientEvents({ worker: deps.worker, logger: deps.logger, authSecret: deps.authSecret, frames: this.limits.frames });
    const gateway = this;
    this.onDisconnect = function (this: GatewaySocket) {
      gateway.onDisconnected(this);
    };
    this.io.on("connection", (socket) => this.onConnection(socket));
  }

  private onConnection(socket: GatewaySocket): void {
    const { userId, deviceId } = socket.data;
    const { logger } = this.deps;
    this.deps.stats.metrics.handshakes.inc({ outcome: "accepted" });
    this.listenToClient(socket);
    const isFirst = this.sockets.add(socket);
    this.presence.changed(userId);
    // The route is written before `ready`: once a client sees `ready`, pushes reach it.
    const registered = isFirst ? this.routeWriter.add(userId, deviceId) : Promise.resolve();
    registered
      .then(() => socket.emit("ready", { type: "ready", userId, deviceId }))
      .catch((error: unknown) => {
        logger.error({ err: error, userId }, "could not record the route; disconnecting");
        socket.disconnect(true);
      });
    socket.on("disconnect", this.onDisconnect);
  }

  private onDisconnected(socket: GatewaySocket): void {
    const { userId, deviceId } = socket.data;
    const { logger } = this.deps;
    const isLast = this.sockets.remove(socket);
    // On shutdown the node reports itself gone as a whole (node.ts).
    if (!isLast || this.closing) return;
    this.presence.changed(userId);
    this.routeWriter.remove(userId, deviceId).catch((error: unknown) => {
      // The node's liveness key expiring, then the sweep, removes it in the end.
      logger.warn({ err: error, userId }, "could not remove a route");
    });
  }

  /** Pushes an envelope consumed from this node's queue to its recipients' local sockets. */
  push(envelope: Envelope): void {
    this.deps.stats.consumed++;
    this.deps.stats.countConsumed(this.deps.nodeId);
    // Guarded: the argument object would be built for every message even with debug off.
    if (this.deps.logger.isLevelEnabled("debug")) {
      this.deps.logger.debug({ traceId: envelope.traceId, envelopeId: envelope.id, event: envelope.event.type }, "pushing to local sockets");
    }
    const { event } = envelope;
    if (event.type === "session.ended") {
      for (const { userId } of envelope.recipients) this.sockets.endSession(event, userId);
      return;
    }
    this.deps.stats.socketPushes += this.sockets.push(envelope, this.emitToMany);
  }

  /**
   * One event to several local sockets as one Socket.IO broadcast to their own rooms (every
   * socket is in the room named by its id): the packet is encoded once, not once per socket.
   */
  private readonly emitToMany = (sockets: GatewaySocket[], event: Envelope["event"]): void => {
    (this.io.to(sockets.map((socket) => socket.id)).emit as (name: string, payload: unknown) => boolean)(event.type, event);
  };

  /** Re-writes every local route (after this node's liveness lapsed and its routes were swept). */
  async reRegisterRoutes(): Promise<void> {
    const { routes, nodeId } = this.deps;
    await routes.addRoutes(this.sockets.devices(), nodeId);
  }

  /**
   * After this node's liveness lapsed another node may have reported it gone to the
   * Worker: forget what was reported and report every local user online again.
   */
  revivePresence(): void {
    this.presence.revived(this.sockets.users());
  }

  /** Shutdown: stops the presence lease and waits (bounded) for the presence reports queued. */
  settlePresence(timeoutMs: number): Promise<void> {
    return this.presence.settle(timeoutMs);
  }

  /** Refuse new handshakes (first step of a graceful shutdown). */
  stopAccepting(): void {
    this.closing = true;
  }

  /** Disconnects every client (they reconnect to another node) and closes the HTTP server. */
  async close(): Promise<void> {
    this.closing = true;
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
