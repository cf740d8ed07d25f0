// Bridge -> Worker: `POST /internal/deliver`, signed with BRIDGE_SECRET. Envelopes a
// core node published to routing key `edge` end here, and are pushed through the
// recipients' Durable Objects only: never forwarded back to the bridge (no loop).
import { Hono } from "hono";
import { EdgeDeliverRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedBody } from "../../protocol/index.js";
import { pushToEdge } from "../delivery/deliver.js";
import type { AppEnv } from "../env.js";
import { ApiError } from "../http/api-error.js";

/** The bridge's largest call: an event for 10,000 users. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const app = new Hono<AppEnv>();

app.post("/deliver", async (c) => {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "body too large");
  const body = await c.req.text();
  if (body.length > MAX_BODY_BYTES) throw new ApiError("payload_too_large", "body too large");
  // The signature covers the raw body: nothing unsigned is even parsed.
  const signed = await verifySignedBody(c.env.BRIDGE_SECRET ?? "", body, c.req.header(TIMESTAMP_HEADER), c.req.header(SIGNATURE_HEADER));
  if (!signed) throw new ApiError("unauthorized", "missing, stale or invalid signature");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError("invalid_json", "body is not JSON");
  }
  const parsed = EdgeDeliverRequest.safeParse(json);
  if (!parsed.success) throw new ApiError("invalid_body", parsed.error.issues.map((i) => i.message).join("; "));
  const { event, userIds, exceptDevice } = parsed.data;
  const sockets = await pushToEdge(c.env, userIds, event, exceptDevice ? { exceptDevice } : {});
  return c.json({ ok: true, sockets }, 200);
});

/** Mounted by app.ts at /internal. */
export const bridgeLinkRoutes = { prefix: "/internal", app };
