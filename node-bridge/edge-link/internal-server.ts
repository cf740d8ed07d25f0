// The node's internal HTTP server: calls from the Worker (POST /internal/deliver) and
// from the users' Durable Objects (POST /internal/presence), both signed with
// BRIDGE_SECRET (server-auth/signing.ts). Read-only GET /internal/health, /internal/stats,
// /healthz, /readyz and /metrics (Prometheus) serve operators and tests. Bind it to a
// private address: it is not for clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { z } from "zod";
import { DeliverRequest, EDGE_NODE_ID, EdgePresenceRequest, SessionEndedRequest, TRACE_HEADER, TraceId, WORKER_ORIGIN } from "../../protocol/index.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, openSignedJson, type SeenSignatures, type SignedCallDirection } from "../../server-auth/signing.js";
import { healthRoutes } from "../health/health-routes.js";
import type { Readiness } from "../health/readiness.js";
import type { Dispatcher } from "../messaging/dispatcher.js";
import type { RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";

/** A delivery to 10,000 users with a large event stays well under this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface InternalServerDeps {
  nodeId: string;
  mode: "core" | "embedded";
  bridgeSecret: string;
  dispatcher: Dispatcher;
  routes: RouteTable;
  stats: NodeStats;
  logger: Logger;
  localSocketCount: () => number;
  /** Signatures accepted by any node of the core (Redis), or by this one alone (embedded). */
  seenSignatures: SeenSignatures;
  /** GET /readyz: the core connections and the Worker. */
  readiness: Readiness;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "payload_too_large", "body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The raw body, opened as server-auth/signing.ts says: signature over direction, method,
 * path and body first, then the replay check, then JSON and schema.
 */
async function signedJson<T extends z.ZodType>(
  request: IncomingMessage,
  secret: string,
  replays: SeenSignatures,
  schema: T,
  direction: SignedCallDirection = "worker->bridge",
): Promise<z.infer<T>> {
  const body = await readBody(request);
  const header = (name: string) => request.headers[name.toLowerCase()] as string | undefined;
  const path = new URL(request.url ?? "/", "http://internal").pathname;
  const opened = await openSignedJson(
    secret,
    { direction, method: request.method ?? "", path, body },
    { timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) },
    replays,
    schema,
  );
  if (!opened.ok) throw new HttpError(opened.status, opened.code, opened.message);
  return opened.data;
}

/** The caller's request id (X-Request-Id, outside the signature), if well-formed: log correlation only. */
function traceIdOf(request: IncomingMessage): string | undefined {
  const parsed = TraceId.safeParse(request.headers[TRACE_HEADER.toLowerCase()]);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The answer to a call the node routed. A publish that failed (the broker away) is a push not
 * made: 503, so the Worker tries its next node, or keeps the push owed and makes it later
 * (its outbox). Nodes that did get their envelope may get it twice; devices drop it by id.
 */
function sendDispatched(response: ServerResponse, result: { nodes: string[]; failedNodes: string[] }): void {
  if (result.failedNodes.length === 0) return send(response, 200, { ok: true, ...result });
  send(response, 503, { error: { code: "unavailable", message: `publish failed for ${result.failedNodes.length} node(s)` }, ...result });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export function createInternalServer(deps: InternalServerDeps): Server {
  const { bridgeSecret, dispatcher, routes, stats, logger, seenSignatures: replays } = deps;
  const signed = <T extends z.ZodType>(request: IncomingMessage, schema: T, direction?: SignedCallDirection) =>
    signedJson(request, bridgeSecret, replays, schema, direction);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://internal").pathname;
    const key = `${request.method} ${path}`;
    switch (key) {
      case "POST /internal/deliver": {
        const delivery = await signed(request, DeliverRequest);
        const result = await dispatcher.dispatch({ ...delivery, origin: WORKER_ORIGIN, traceId: traceIdOf(request) });
        return sendDispatched(response, result);
      }
      case "POST /internal/session-ended": {
        // Only the node(s) holding that device get it (origin "worker": never the edge, which
        // the Worker closed itself); each closes that session's sockets (gateway/socket-server.ts).
        const { userId, deviceId, sessionId, reason } = await signed(request, SessionEndedRequest);
        const result = await dispatcher.dispatch({
          event: { type: "session.ended", sessionId, deviceId, reason },
          userIds: [userId],
          onlyDevice: { userId, deviceId },
          origin: WORKER_ORIGIN,
          traceId: traceIdOf(request),
        });
        return sendDispatched(response, result);
      }
      case "POST /internal/presence": {
        const presence = await signed(request, EdgePresenceRequest, "hub->bridge");
        await routes.setDevices(presence.userId, EDGE_NODE_ID, presence.deviceIds);
        return send(response, 200, { ok: true });
      }
      case "GET /internal/health":
        return send(response, 200, { ok: true, nodeId: deps.nodeId, mode: deps.mode });
      case "GET /metrics": {
        const text = await stats.metrics.scrape();
        response.writeHead(200, { "Content-Type": stats.metrics.registry.contentType }).end(text);
        return;
      }
      case "GET /internal/stats":
        return send(response, 200, {
          nodeId: deps.nodeId,
          mode: deps.mode,
          localSockets: deps.localSocketCount(),
          online: await routes.onlineCount(),
          ...stats.toJSON(),
        });
      default:
        throw new HttpError(404, "not_found", `no route for ${key}`);
    }
  }

  const answerHealth = healthRoutes({ nodeId: deps.nodeId, mode: deps.mode, readiness: deps.readiness }, { root: false });
  return createServer((request, response) => {
    if (answerHealth(request, response)) return;
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return send(response, error.status, { error: { code: error.code, message: error.message } });
      logger.error({ err: error, url: request.url }, "internal call failed");
      send(response, 500, { error: { code: "internal", message: "internal error" } });
    });
  });
}
