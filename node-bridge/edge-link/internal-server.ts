// The node's internal HTTP server: calls from the Worker (POST /internal/deliver) and
// from the users' Durable Objects (POST /internal/presence), both signed with
// BRIDGE_SECRET (protocol/signing.ts). Read-only GET /internal/health and /internal/stats
// serve operators and tests. Bind it to a private address: it is not for clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { z } from "zod";
import { DeliverRequest, EDGE_NODE_ID, EdgePresenceRequest, WORKER_ORIGIN } from "../../protocol/index.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, openSignedJson } from "../../server-auth/signing.js";
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

/** The raw body, opened as protocol/signing.ts says: signature first, then JSON and schema. */
async function signedJson<T extends z.ZodType>(request: IncomingMessage, secret: string, schema: T): Promise<z.infer<T>> {
  const body = await readBody(request);
  const header = (name: string) => request.headers[name.toLowerCase()] as string | undefined;
  const opened = await openSignedJson(secret, body, header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER), schema);
  if (!opened.ok) throw new HttpError(opened.status, opened.code, opened.message);
  return opened.data;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export function createInternalServer(deps: InternalServerDeps): Server {
  const { bridgeSecret, dispatcher, routes, stats, logger } = deps;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://internal").pathname;
    const key = `${request.method} ${path}`;
    switch (key) {
      case "POST /internal/deliver": {
        const delivery = await signedJson(request, bridgeSecret, DeliverRequest);
        const result = await dispatcher.dispatch({ ...delivery, origin: WORKER_ORIGIN });
        return send(response, 200, { ok: true, ...result });
      }
      case "POST /internal/presence": {
        const presence = await signedJson(request, bridgeSecret, EdgePresenceRequest);
        await routes.setDevices(presence.userId, EDGE_NODE_ID, presence.deviceIds);
        return send(response, 200, { ok: true });
      }
      case "GET /internal/health":
        return send(response, 200, { ok: true, nodeId: deps.nodeId, mode: deps.mode });
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

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return send(response, error.status, { error: { code: error.code, message: error.message } });
      logger.error({ err: error, url: request.url }, "internal call failed");
      send(response, 500, { error: { code: "internal", message: "internal error" } });
    });
  });
}
