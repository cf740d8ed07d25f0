// The node's internal HTTP server: calls from the Worker (POST /internal/deliver) and
// from the users' Durable Objects (POST /internal/presence), both signed with
// BRIDGE_SECRET (server-auth/signing.ts). Read-only GET /internal/health, /internal/stats,
// /healthz, /readyz and /metrics (Prometheus) serve operators and tests. Bind it to a
// private address: it is not for clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { z } from "zod";
import {
  BRIDGE_BUSY_HEADER,
  DeliverBatchRequest,
  DeliverRequest,
  EDGE_NODE_ID,
  EdgePresenceRequest,
  MAX_BATCH_RECIPIENTS,
  MAX_DELIVERIES_PER_BATCH,
  SessionEndedRequest,
  TRACE_HEADER,
  TraceId,
  WORKER_ORIGIN,
  type DeliverBatchAnswer,
  type DeliverResult,
} from "../../protocol/index.js";
import { DeliveryLoad } from "./delivery-load.js";
import { NodeCallSigner } from "./node-call-signer.js";
import { SIGNATURE_HEADER, SIGNATURE_MAX_SKEW_MS, TIMESTAMP_HEADER, type SeenSignatures, type SignedCallDirection } from "../../server-auth/signing.js";
import { healthRoutes } from "../health/health-routes.js";
import type { Readiness } from "../health/readiness.js";
import { routesOfUsers, type DispatchResult, type Dispatcher } from "../messaging/dispatcher.js";
import type { RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";

/** A delivery to 10,000 users with a large event stays well under this. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const TIMESTAMP_HEADER_LC = TIMESTAMP_HEADER.toLowerCase();
const SIGNATURE_HEADER_LC = SIGNATURE_HEADER.toLowerCase();

/** A body with `deliveries` is the batch form of /internal/deliver (protocol/bridge.ts). */
const isBatch = (json: unknown): json is { deliveries: unknown } => typeof json === "object" && json !== null && "deliveries" in json;

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
  /** Deliveries a second above which deliver answers ask for batches (COALESCE_ABOVE); 0 never. */
  coalesceAbove: number;
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

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners("data");
        request.resume();
        reject(new HttpError(413, "payload_too_large", "body too large"));
        return;
      }
      chunks.push(chunk);
    });
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    request.once("error", reject);
  });
}

/** A call whose signature verified (server-auth/signing.ts, format v2): its body, and what the replay check records. */
interface VerifiedCall {
  body: string;
  signature: string;
  /** When the call leaves the skew window: its signature need not be remembered longer. */
  expiresAt: number;
}

/** Reads the raw body and verifies its signature over direction, method, path and body: nothing unsigned is even parsed. */
async function readVerified(request: IncomingMessage, signer: NodeCallSigner, path: string, direction: SignedCallDirection): Promise<VerifiedCall> {
  const body = await readBody(request);
  const timestamp = request.headers[TIMESTAMP_HEADER_LC] as string | undefined;
  const signature = request.headers[SIGNATURE_HEADER_LC] as string | undefined;
  if (!signer.verify({ direction, method: request.method ?? "", path, body }, timestamp, signature)) {
    throw new HttpError(401, "unauthorized", "missing, stale or invalid signature");
  }
  return { body: body.toString("utf8"), signature: signature!, expiresAt: Number(timestamp) + SIGNATURE_MAX_SKEW_MS };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "body is not JSON");
  }
}

function parseBody<T extends z.ZodType>(json: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, "invalid_body", parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

const replayed = () => new HttpError(401, "unauthorized", "replayed call");

/** The request's path as `new URL(...).pathname` gives it, without building a URL for the plain ones. */
function pathOf(url: string): string {
  return url.startsWith("/") && !/[?#%\\.]|\/\//.test(url) ? url : new URL(url, "http://internal").pathname;
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
function sendDispatched(response: ServerResponse, result: DispatchResult, headers?: Record<string, string>): void {
  if (result.failedNodes.length === 0) return send(response, 200, { ok: true, ...result }, headers);
  send(response, 503, { error: unavailable(result), ...result }, headers);
}

function unavailable(result: DispatchResult) {
  return { code: "unavailable" as const, message: `publish failed for ${result.failedNodes.length} node(s)` };
}

/** One delivery of a batch, answered as the single form would be (protocol/bridge.ts, DeliverResult). */
function deliverResult(result: DispatchResult): DeliverResult {
  if (result.failedNodes.length === 0) return { status: 200, ok: true, ...result };
  return { status: 503, ok: false, ...result, error: unavailable(result) };
}

function send(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

const BUSY = { [BRIDGE_BUSY_HEADER]: "1" };

export function createInternalServer(deps: InternalServerDeps): Server {
  const { dispatcher, routes, stats, logger, seenSignatures: replays } = deps;
  const signer = new NodeCallSigner(deps.bridgeSecret);
  const load = new DeliveryLoad(deps.coalesceAbove);
  stats.metrics.workerDeliveryRate = () => load.perSecond();
  /** The answer's extra header when the Worker should batch its deliveries (delivery-load.ts). */
  const askIfBusy = () => (load.busy() ? BUSY : undefined);

  /** A signed call to an endpoint other than deliver: signature, replay check, JSON, schema. */
  async function signed<T extends z.ZodType>(request: IncomingMessage, path: string, schema: T, direction: SignedCallDirection = "worker->bridge"): Promise<z.infer<T>> {
    const call = await readVerified(request, signer, path, direction);
    if (!(await replays.firstSeen(call.signature, call.expiresAt))) throw replayed();
    return parseBody(parseJson(call.body), schema);
  }

  /**
   * `POST /internal/deliver`, single or batch. The signature first; then JSON and schema; then
   * the replay check and the route look-up of every recipient in one Redis round trip
   * (Dispatcher.lookUpSigned); then one publish per target node of each delivery.
   */
  async function deliver(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const call = await readVerified(request, signer, path, "worker->bridge");
    load.enter();
    try {
      await deliverVerified(call, request, response);
    } finally {
      load.leave();
    }
  }

  async function deliverVerified(call: VerifiedCall, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const json = parseJson(call.body);
    const traceId = traceIdOf(request);
    if (!isBatch(json)) {
      const delivery = parseBody(json, DeliverRequest);
      const resolved = await dispatcher.lookUpSigned(delivery.userIds, call.signature, call.expiresAt, replays);
      if (!resolved) throw replayed();
      load.count(1);
      const result = await dispatcher.dispatchResolved({ ...delivery, origin: WORKER_ORIGIN, traceId: delivery.traceId ?? traceId }, resolved);
      return sendDispatched(response, result, askIfBusy());
    }
    if (Array.isArray(json.deliveries) && json.deliveries.length > MAX_DELIVERIES_PER_BATCH) {
      throw new HttpError(413, "batch_too_large", `a batch holds at most ${MAX_DELIVERIES_PER_BATCH} deliveries (got ${json.deliveries.length})`);
    }
    const { deliveries } = parseBody(json, DeliverBatchRequest);
    const recipients = deliveries.reduce((sum, d) => sum + d.userIds.length, 0);
    if (recipients > MAX_BATCH_RECIPIENTS) {
      throw new HttpError(413, "batch_too_large", `a batch names at most ${MAX_BATCH_RECIPIENTS} recipients in all (got ${recipients})`);
    }
    const resolved = await dispatcher.lookUpSigned([...new Set(deliveries.flatMap((d) => d.userIds))], call.signature, call.expiresAt, replays);
    if (!resolved) throw replayed();
    load.count(deliveries.length);
    const results = await Promise.all(
      deliveries.map((delivery) =>
        dispatcher.dispatchResolved(
          { ...delivery, origin: WORKER_ORIGIN, traceId: delivery.traceId ?? traceId },
          deliveries.length === 1 ? resolved : routesOfUsers(resolved, delivery.userIds),
        ),
      ),
    );
    const answer: DeliverBatchAnswer = { ok: results.every((r) => r.failedNodes.length === 0), results: results.map(deliverResult) };
    send(response, answer.ok ? 200 : 503, answer, askIfBusy());
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = pathOf(request.url ?? "/");
    const key = `${request.method} ${path}`;
    switch (key) {
      case "POST /internal/deliver":
        return deliver(request, response, path);
      case "POST /internal/session-ended": {
        // Only the node(s) holding that device get it (origin "worker": never the edge, which
        // the Worker closed itself); each closes that session's sockets (gateway/socket-server.ts).
        const { userId, deviceId, sessionId, reason } = await signed(request, path, SessionEndedRequest);
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
        const presence = await signed(request, path, EdgePresenceRequest, "hub->bridge");
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
