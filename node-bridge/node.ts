// One bridge node, wired: the route table and the bus (Redis + RabbitMQ, or in-process
// in embedded mode), the Socket.IO gateway, the internal HTTP server, the heartbeat.
// main.ts runs one per process; the tests run several in one process.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { EDGE_NODE_ID } from "../protocol/index.js";
import type { BridgeConfig } from "./config.js";
import { edgeForwarder } from "./edge-link/edge-forwarder.js";
import { DEFAULT_COALESCE_ABOVE } from "./edge-link/delivery-load.js";
import { createInternalServer } from "./edge-link/internal-server.js";
import { WorkerClient } from "./edge-link/worker-client.js";
import { InProcessBus } from "./embedded/in-process-bus.js";
import { MemoryRouteTable } from "./embedded/memory-route-table.js";
import { SocketGateway } from "./gateway/socket-server.js";
import { AmqpBus } from "./messaging/amqp-bus.js";
import { Dispatcher } from "./messaging/dispatcher.js";
import type { MessageBus } from "./messaging/message-bus.js";
import { RedisRouteTable } from "./routing/redis-route-table.js";
import { RedisSeenSignatures } from "./routing/redis-seen-signatures.js";
import { ReplayGuard, type SeenSignatures } from "../server-auth/signing.js";
import type { RouteTable } from "./routing/route-table.js";
import { NodeStats } from "./stats.js";
import { healthRoutes } from "./health/health-routes.js";
import { Readiness, type CoreConnections } from "./health/readiness.js";

export interface BridgeNode {
  nodeId: string;
  mode: "core" | "embedded";
  /** Where Socket.IO clients connect. */
  socketUrl: string;
  /** The internal HTTP server (BRIDGE_URL for the Worker). */
  internalUrl: string;
  stats: NodeStats;
  routes: RouteTable;
  /** Graceful shutdown: stop accepting, drain, remove this node's routes, close. */
  stop(): Promise<void>;
}

async function connectCore(config: BridgeConfig, stats: NodeStats, logger: Logger) {
  const redis = new Redis(config.redisUrl!, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    // Reconnect fast (100, 200, 400 ms, then every 500 ms): ioredis's default waits up to
    // 2 s between tries, and every push waits on Redis. A refused connect costs nothing.
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 500),
    // The commands issued in one event-loop turn (the look-ups of the deliveries that came in
    // together) go out in one socket write: one syscall per command cost a busy node about
    // 5% of its CPU. Order per connection is kept; MULTI blocks are left as they are.
    enableAutoPipelining: true,
  });
  redis.on("error", (error: Error) => logger.warn({ err: error }, "redis error"));
  await redis.connect();
  const routes = new RedisRouteTable(redis);
  try {
    const bus = await AmqpBus.connect({ url: config.rabbitmqUrl!, prefetch: config.prefetch, logger, stats });
    const connections = { rabbitmq: () => bus.isConnected, redis: () => redis.status === "ready" };
    return { routes, bus, seenSignatures: new RedisSeenSignatures(redis), connections };
  } catch (error) {
    await routes.close();
    throw error;
  }
}

async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${shownHost === "0.0.0.0" ? "127.0.0.1" : shownHost}:${address.port}`;
}

export async function startBridgeNode(config: BridgeConfig, logger: Logger): Promise<BridgeNode> {
  const stats = new NodeStats({ nodeId: config.nodeId });
  const mode = config.rabbitmqUrl && config.redisUrl ? "core" : "embedded";
  let routes: RouteTable;
  let bus: MessageBus;
  let seenSignatures: SeenSignatures;
  /** Readiness checks of RabbitMQ and Redis; none in embedded mode. */
  let connections: CoreConnections | undefined;
  if (mode === "core") {
    ({ routes, bus, seenSignatures, connections } = await connectCore(config, stats, logger));
  } else {
    logger.warn("embedded mode: RABBITMQ_URL and REDIS_URL are not set, so this is a single node with in-process routing");
    routes = new MemoryRouteTable();
    bus = new InProcessBus(logger);
    // Alone, the node's own memory is the whole core's.
    seenSignatures = new ReplayGuard();
  }

  const worker = new WorkerClient(config.workerUrl, config.bridgeSecret, stats.metrics);
  const readiness = new Readiness(connections, worker);
  const answerHealth = healthRoutes({ nodeId: config.nodeId, mode, readiness }, { root: true });
  const dispatcher = new Dispatcher(routes, bus, stats, logger, (userId) => gateway.sockets.hasUser(userId));
  // Load balancers' probes on the public port; Socket.IO takes /socket.io/ before this runs.
  const httpServer = createServer((request, response) => {
    if (!answerHealth(request, response)) response.writeHead(404, { "Content-Type": "application/json" }).end('{"error":{"code":"not_found"}}');
  });
  const gateway = new SocketGateway(httpServer, { ...config, routes, worker, stats, logger });
  const internalServer = createInternalServer({
    nodeId: config.nodeId,
    mode,
    bridgeSecret: config.bridgeSecret,
    dispatcher,
    routes,
    stats,
    logger,
    localSocketCount: () => gateway.sockets.size,
    seenSignatures,
    readiness,
    coalesceAbove: config.coalesceAbove ?? DEFAULT_COALESCE_ABOVE,
  });
  stats.metrics.socketCount = () => gateway.sockets.size;

  /** No user is online through `gateway` any more (friends' `online`); best effort. */
  const reportGone = (gateway: string) =>
    worker.reportPresence({ gateway, gone: true }).catch((error: unknown) => logger.warn({ err: error, gateway }, "presence report to the Worker failed"));

  // An earlier run under this node id may have died leaving routes here (the devices set
  // and the routes it lists): nothing is connected to this run yet, so they are all stale.
  // Compare-and-delete: a device that has moved to another node keeps its route.
  const leftover = await routes.removeNode(config.nodeId);
  if (leftover > 0) logger.info({ routes: leftover }, "removed routes left by an earlier run under this node id");
  // Alive before anyone can be routed here; consuming before clients can connect.
  await routes.heartbeat(config.nodeId, config.nodeTtlMs);
  await bus.consume(config.nodeId, async (envelope) => gateway.push(envelope));
  if (config.edgeLink) await bus.consume(EDGE_NODE_ID, edgeForwarder(worker, stats, logger));

  /** Set when our liveness key had lapsed, until the routes are written again. */
  let lapsed = false;
  const beat = async () => {
    try {
      const { wasAlive } = await routes.heartbeat(config.nodeId, config.nodeTtlMs);
      if (!wasAlive) {
        // We were silent longer than the TTL (a pause, a partition): our routes may have
        // been swept by another node, and our users reported gone to the Worker. Write the
        // routes again and report every local user online again.
        logger.warn("liveness key had expired; re-registering local routes and presence");
        lapsed = true;
        gateway.revivePresence();
      }
      if (lapsed) {
        await gateway.reRegisterRoutes();
        lapsed = false;
      }
      const dead = await routes.sweepDeadNodes();
      if (dead.length > 0) {
        logger.info({ dead }, "removed the routes of dead nodes");
        await Promise.all(dead.map(reportGone));
      }
    } catch (error) {
      logger.warn({ err: error }, "heartbeat failed");
    }
  };
  // Redis is back, maybe empty (restarted without persistence, failed over): write the
  // liveness key and every local route now, not at the next heartbeat.
  routes.onReconnected?.(() => {
    logger.info("redis ready again; re-registering local routes");
    lapsed = true;
    void beat();
  });
  const heartbeat = setInterval(() => void beat(), Math.max(250, Math.floor(config.nodeTtlMs / 3)));
  heartbeat.unref();

  const internalUrl = await listen(internalServer, config.internalHost, config.internalPort);
  const socketUrl = await listen(httpServer, config.host, config.port);
  logger.info({ mode, socketUrl, internalUrl }, "bridge node ready");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info("shutting down: stop accepting, drain, remove routes, close");
      gateway.stopAccepting();
      readiness.markStopping();
      clearInterval(heartbeat);
      const internalClosed = new Promise<void>((resolve) => internalServer.close(() => resolve()));
      internalServer.closeIdleConnections();
      await routes.removeNode(config.nodeId).catch((error: unknown) => logger.warn({ err: error }, "could not remove routes"));
      // The reports already queued first (bounded), so `gone` is the last word.
      await gateway.settlePresence(2_000);
      await reportGone(config.nodeId);
      await bus.drain();
      await gateway.close();
      internalServer.closeAllConnections();
      await internalClosed;
      await bus.close();
      await routes.close();
      logger.info("stopped");
    })());

  return { nodeId: config.nodeId, mode, socketUrl, internalUrl, stats, routes, stop };
}
