import * as z from "zod";
import { DeviceId, Id } from "./common.js";
import { ServerEvent, SessionEndReason } from "./events.js";

/** The routing key and node id under which the edge (all Durable Objects) is registered. */
export const EDGE_NODE_ID = "edge";

/**
 * The envelope `origin` of deliveries the Worker asked for. The Worker pushes to edge
 * devices itself, so such envelopes are never routed to `edge` (no loop, no double push).
 */
export const WORKER_ORIGIN = "worker";

/**
 * A request id (the Worker's `X-Request-Id`) carried along a delivery for log correlation:
 * the header of the signed calls (outside the signature) and the envelope's `traceId`.
 */
export const TraceId = z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/);
export const TRACE_HEADER = "X-Request-Id";

/** A device to leave out of a push: the one that sent the message already has its ack. */
export const DeviceRef = z.object({ userId: Id, deviceId: DeviceId });

/**
 * Worker -> bridge: `POST {BRIDGE_URL}/internal/deliver`, signed (protocol/signing.ts).
 * "Push this event to these users' core devices." The bridge resolves routes in Redis.
 */
export const DeliverRequest = z.object({
  event: ServerEvent,
  userIds: z.array(Id).min(1).max(10_000),
  exceptDevice: DeviceRef.optional(),
  /**
   * The request id of the request behind this delivery, when it is not the call's own
   * X-Request-Id: a bridge link sends the pushes of many requests in one call, each with
   * its own. A node logs it (and puts it in the envelopes) instead of the header's; a
   * malformed one is dropped, never the delivery.
   */
  traceId: TraceId.optional().catch(undefined),
});
export type DeliverRequest = z.infer<typeof DeliverRequest>;

/** Deliveries one batch call may carry; the bridge answers 413 `batch_too_large` past it. */
export const MAX_DELIVERIES_PER_BATCH = 500;
/** Recipients (`userIds`, added up over the deliveries) one batch call may name: one delivery's own limit. */
export const MAX_BATCH_RECIPIENTS = 10_000;

/**
 * Worker -> bridge: `POST {BRIDGE_URL}/internal/deliver` with several deliveries under one
 * signature (the same endpoint: a body with `deliveries` is a batch, one with `event` a
 * single delivery). Each delivery is routed and published as if sent alone; the bridge
 * looks up all their recipients in one Redis call. The answer is DeliverBatchAnswer.
 */
export const DeliverBatchRequest = z.object({
  deliveries: z.array(DeliverRequest).min(1).max(MAX_DELIVERIES_PER_BATCH),
});
export type DeliverBatchRequest = z.infer<typeof DeliverBatchRequest>;

/**
 * The outcome of one delivery, as the single form answers it: `status` 200 (`ok: true`)
 * when every envelope was published (confirmed by the broker), 503 `unavailable` when the
 * publish to some node failed. `nodes` got their envelope, `failedNodes` did not.
 */
export const DeliverResult = z.object({
  status: z.union([z.literal(200), z.literal(503)]),
  ok: z.boolean(),
  nodes: z.array(z.string()),
  failedNodes: z.array(z.string()),
  error: z.object({ code: z.literal("unavailable"), message: z.string() }).optional(),
});
export type DeliverResult = z.infer<typeof DeliverResult>;

/**
 * The answer to a batch: one result per delivery, in the order sent. HTTP 200 (`ok: true`)
 * when every delivery is 200, else HTTP 503 (`ok: false`) with the same body: a caller that
 * reads only the status sends the whole batch again (devices drop the copies by message id),
 * one that reads `results` sends again only the deliveries whose `status` is 503.
 */
export const DeliverBatchAnswer = z.object({
  ok: z.boolean(),
  results: z.array(DeliverResult),
});
export type DeliverBatchAnswer = z.infer<typeof DeliverBatchAnswer>;

/**
 * An answer header of `POST /internal/deliver` (single or batch): `1` when the node is taking
 * more deliveries a second than it wants one call each (its COALESCE_ABOVE). The Worker then
 * sends its pushes through its coalescing links for a while (BRIDGE_LINK_MODE "busy"). A node
 * that never sets it only ever gets direct calls; a Worker that ignores it loses nothing.
 */
export const BRIDGE_BUSY_HEADER = "X-Bridge-Busy";

/**
 * Durable Object -> bridge: `POST {BRIDGE_URL}/internal/presence`, signed.
 * The user's first edge socket opened (online) or last one closed (offline): the bridge
 * writes or removes `user + device -> edge` routes.
 */
export const EdgePresenceRequest = z.object({
  userId: Id,
  deviceIds: z.array(DeviceId),
});
export type EdgePresenceRequest = z.infer<typeof EdgePresenceRequest>;

/**
 * Worker -> bridge: `POST {BRIDGE_URL}/internal/session-ended`, signed. A session ended
 * (logout, a newer login on the device, ended from another device, refresh-token reuse):
 * the bridge publishes a `session.ended` event only to the node(s) Redis routes that
 * user + device to, and each closes that session's sockets (docs/PROTOCOL.md 7.6).
 */
export const SessionEndedRequest = z.object({
  userId: Id,
  deviceId: DeviceId,
  sessionId: z.string().min(1).max(64),
  reason: SessionEndReason,
});
export type SessionEndedRequest = z.infer<typeof SessionEndedRequest>;

/** A gateway node id as it appears in routes, queues and presence rows. */
export const GatewayNodeId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/**
 * Bridge -> Worker: `POST {WORKER_URL}/internal/presence`, signed. Core presence, so that
 * friends see Socket.IO users online like edge users:
 * - `{ gateway, userId, online }`: the user's first device connected to node `gateway`
 *   (online) or their last one there disconnected (offline);
 * - `{ gateway, gone: true }`: node `gateway` is gone (swept as dead, shut down, or just
 *   (re)started under that id): none of its users are online through it any more;
 * - `{ gateway, lease: true }`: node `gateway` is alive. A node's rows count only while its
 *   lease runs (PRESENCE_LEASE_MS from the last renewal or `online` report); the node renews
 *   every PRESENCE_LEASE_RENEW_MS. The answer is `{ ok, lapsed }`: `lapsed` is true when the
 *   lease had run out (or never existed), and its rows may have been cleared, so the node
 *   reports each of its users online again.
 */
export const CorePresenceRequest = z.union([
  z.object({ gateway: GatewayNodeId, userId: Id, online: z.boolean() }).strict(),
  z.object({ gateway: GatewayNodeId, gone: z.literal(true) }).strict(),
  z.object({ gateway: GatewayNodeId, lease: z.literal(true) }).strict(),
]);
export type CorePresenceRequest = z.infer<typeof CorePresenceRequest>;

/** How long a core gateway's presence rows count after its last renewal. */
export const PRESENCE_LEASE_MS = 30_000;
/** How often a node renews its lease: two renewals may fail before its users go offline. */
export const PRESENCE_LEASE_RENEW_MS = 10_000;

/** The Worker's answer to a lease renewal. */
export const PresenceLeaseAnswer = z.object({ ok: z.literal(true), lapsed: z.boolean() });
export type PresenceLeaseAnswer = z.infer<typeof PresenceLeaseAnswer>;

/**
 * Bridge -> Worker: `POST {WORKER_URL}/internal/deliver`, signed. The same body as the
 * Worker -> bridge call, the other way: push through the Durable Objects to these users'
 * edge devices (only the edge ones: core devices got theirs from their own node).
 */
export const EdgeDeliverRequest = DeliverRequest;
export type EdgeDeliverRequest = z.infer<typeof EdgeDeliverRequest>;

/**
 * The RabbitMQ envelope: published once per target node to the direct exchange with
 * routing key = that node's id, carrying only the recipients routed to that node.
 * Documented field by field in docs/PROTOCOL.md.
 */
export const Envelope = z.object({
  v: z.literal(1),
  /** Unique per publish; nodes drop an id they have already handled. */
  id: z.string().min(1).max(64),
  /** Node id of the publisher, or WORKER_ORIGIN for deliveries the Worker asked for. */
  origin: z.string().min(1).max(64),
  recipients: z.array(z.object({ userId: Id, deviceIds: z.array(DeviceId).optional() })).min(1),
  exceptDevice: DeviceRef.optional(),
  event: ServerEvent,
  /** The request id of the call that caused this delivery, for log correlation only (a malformed one is dropped, never the envelope). */
  traceId: TraceId.optional().catch(undefined),
});
export type Envelope = z.infer<typeof Envelope>;
