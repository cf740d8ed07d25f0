// Bridge -> Worker, signed with BRIDGE_SECRET (server-auth/signing.ts, direction "bridge->worker"):
// - `POST /internal/deliver`: envelopes a core node published to routing key `edge` end
//   here, and are pushed through the recipients' Durable Objects only: never forwarded
//   back to the bridge (no loop);
// - `POST /internal/presence`: core nodes report which users they hold, so friends see
//   Socket.IO users online like edge users.
import { Hono, type Context } from "hono";
import type { z } from "zod";
import { CorePresenceRequest, EDGE_NODE_ID, EdgeDeliverRequest, WORKER_ORIGIN } from "../../protocol/index.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, openSignedJson } from "../../server-auth/signing.js";
import { signatureLedger } from "./signature-ledger.js";
import { database } from "../db/client.js";
import { findUserById } from "../db/users.js";
import { pushToEdge } from "../delivery/deliver.js";
import type { AppEnv } from "../env.js";
import { ApiError } from "../http/api-error.js";
import { clearGatewayPresence, recordGatewayPresence, renewGatewayLease } from "../messaging/presence.js";

/** The bridge's largest call: an event for 10,000 users. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const app = new Hono<AppEnv>();

/** The body of a signed call, within the size limit, opened as protocol/signing.ts says. */
async function signedBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "body too large");
  const body = await c.req.text();
  if (body.length > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "body too large");
  const opened = await openSignedJson(
    c.env.BRIDGE_SECRET ?? "",
    { direction: "bridge->worker", method: c.req.method, path: c.req.path, body },
    { timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER) },
    signatureLedger(c.env),
    schema,
  );
  if (!opened.ok) throw new ApiError(opened.code, opened.message);
  return opened.data;
}

app.post("/deliver", async (c) => {
  const { event, userIds, exceptDevice } = await signedBody(c, EdgeDeliverRequest);
  const sockets = await pushToEdge(c.env, userIds, event, exceptDevice ? { exceptDevice } : {});
  return c.json({ ok: true, sockets }, 200);
});

app.post("/presence", async (c) => {
  const request = await signedBody(c, CorePresenceRequest);
  // The edge's presence is the Durable Objects' to record, never a node's; and `worker` is
  // the Worker's own origin, never a node id (node-bridge/config.ts refuses both as NODE_ID).
  if (request.gateway === EDGE_NODE_ID || request.gateway === WORKER_ORIGIN) {
    throw new ApiError("forbidden", `"${request.gateway}" is a reserved gateway id, not a node's`);
  }
  if ("gone" in request) {
    const offline = await clearGatewayPresence(c.env, request.gateway);
    return c.json({ ok: true, offline }, 200);
  }
  if ("lease" in request) {
    const { lapsed } = await renewGatewayLease(c.env, request.gateway);
    return c.json({ ok: true, lapsed }, 200);
  }
  // A token outlives its account only in theory, but a node must never turn a stale id into a 500.
  if (!(await findUserById(database(c.env.DB), request.userId))) throw new ApiError("not_found", "no such user");
  await recordGatewayPresence(c.env, request.userId, request.gateway, request.online);
  return c.json({ ok: true }, 200);
});

/** Mounted by app.ts at /internal. */
export const bridgeLinkRoutes = { prefix: "/internal", app };
