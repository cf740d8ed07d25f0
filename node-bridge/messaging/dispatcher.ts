// Seed 001, group chat step 4: look up the recipients' routes, group them by node, and
// publish ONE envelope per node carrying only that node's recipients. Never one per
// recipient, never one to every node, never one to a node whose only device there is
// the excluded sending device.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EDGE_NODE_ID, WORKER_ORIGIN, type Envelope, type ServerEvent } from "../../protocol/index.js";
import type { NodeRecipients, RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";
import type { SeenSignatures } from "../../server-auth/signing.js";
import type { MessageBus } from "./message-bus.js";

export interface DispatchRequest {
  event: ServerEvent;
  userIds: string[];
  exceptDevice?: Envelope["exceptDevice"];
  /** Who asked: WORKER_ORIGIN, or the id of the node that publishes. */
  origin: string;
  /** Only this device (a session ending): only the node(s) Redis routes it to get an envelope. */
  onlyDevice?: Envelope["exceptDevice"];
  /** The request id of the call behind this delivery: into the envelopes and the log lines. */
  traceId?: string;
}

export interface DispatchResult {
  /** The nodes an envelope was published to. */
  nodes: string[];
  failedNodes: string[];
}

export class Dispatcher {
  constructor(
    private readonly routes: RouteTable,
    private readonly bus: MessageBus,
    private readonly stats: NodeStats,
    private readonly logger: Logger,
    /** Does this node hold a socket of the user (a look-up that misses them is a route miss)? */
    private readonly isLocal: (userId: string) => boolean = () => false,
  ) {}

  async dispatch(request: DispatchRequest): Promise<DispatchResult> {
    return this.dispatchResolved(request, await this.lookUp(request.userIds));
  }

  /** The routes of these users (timed, route misses counted). */
  async lookUp(userIds: string[]): Promise<Map<string, NodeRecipients>> {
    const stopLookUp = this.stats.metrics.routeLookupSeconds.startTimer();
    const resolved = await this.routes.resolve(userIds);
    this.countMisses(userIds, resolved);
    stopLookUp();
    return resolved;
  }

  /**
   * The look-up of a signed call's deliveries with the call's replay check: one round trip
   * where the route table can do both (Redis), else the check then the look-up. Undefined,
   * nothing looked up, when the signature was seen before (a replay).
   */
  async lookUpSigned(userIds: string[], signature: string, expiresAt: number, replays: SeenSignatures): Promise<Map<string, NodeRecipients> | undefined> {
    const stopLookUp = this.stats.metrics.routeLookupSeconds.startTimer();
    let resolved: Map<string, NodeRecipients> | undefined;
    if (this.routes.resolveFirstSeen) resolved = await this.routes.resolveFirstSeen(signature, expiresAt, userIds);
    else if (await replays.firstSeen(signature, expiresAt)) resolved = await this.routes.resolve(userIds);
    if (resolved) this.countMisses(userIds, resolved);
    stopLookUp();
    return resolved;
  }

  /** Publishes one envelope per node of `resolved` (the routes of `request.userIds`, or more). */
  async dispatchResolved(request: DispatchRequest, resolved: Map<string, NodeRecipients>): Promise<DispatchResult> {
    const { exceptDevice, traceId } = request;
    const { metrics } = this.stats;
    this.countUnrouted(request.userIds, resolved);
    const byNode = withoutDevice(request.onlyDevice ? onlyDevice(resolved, request.onlyDevice) : resolved, exceptDevice);
    // The Worker pushes to edge devices itself, through the Durable Objects: routing its
    // deliveries to `edge` as well would push them twice.
    if (request.origin === WORKER_ORIGIN) byNode.delete(EDGE_NODE_ID);

    const targets = [...byNode];
    const outcomes = await Promise.allSettled(
      targets.map(async ([nodeId, recipients]) => {
        // `exceptDevice` still travels with the envelopes that list its user: a consumer
        // that ignores `deviceIds` (the edge forwarder pushes to all of a user's edge
        // devices) must still leave the sending device out.
        const listsExceptUser = exceptDevice !== undefined && recipients.some((r) => r.userId === exceptDevice.userId);
        const stopConfirm = metrics.publishConfirmSeconds.startTimer();
        await this.bus.publish(nodeId, {
          v: 1,
          id: randomUUID(),
          origin: request.origin,
          recipients,
          ...(listsExceptUser ? { exceptDevice } : {}),
          event: request.event,
          ...(traceId ? { traceId } : {}),
        });
        stopConfirm();
        this.stats.countPublish(nodeId);
      }),
    );
    const failedNodes = targets.filter((_, i) => outcomes[i]!.status === "rejected").map(([nodeId]) => nodeId);
    if (failedNodes.length > 0) {
      this.stats.publishFailures += failedNodes.length;
      this.logger.warn({ failedNodes, event: request.event.type, traceId }, "publish failed; devices will recover by sync");
    }
    // Guarded: the arguments would be built for every message even with debug off.
    if (this.logger.isLevelEnabled("debug")) {
      this.logger.debug({ traceId, event: request.event.type, users: request.userIds.length, nodes: targets.map(([id]) => id) }, "dispatched");
    }
    return { nodes: targets.map(([nodeId]) => nodeId).filter((id) => !failedNodes.includes(id)), failedNodes };
  }

  /**
   * Counts the recipients left without a live route although they are online (stats
   * `routeMisses`): connected here, or in the online set. The online set is asked only
   * about the unrouted ones, after the look-up and without holding the delivery up.
   */
  private countMisses(userIds: string[], resolved: Map<string, NodeRecipients>): void {
    const routed = new Set<string>();
    for (const recipients of resolved.values()) for (const { userId } of recipients) routed.add(userId);
    const unrouted = [...new Set(userIds)].filter((userId) => !routed.has(userId));
    if (unrouted.length === 0) return;
    const elsewhere = unrouted.filter((userId) => !this.isLocal(userId));
    this.stats.routeMisses += unrouted.length - elsewhere.length;
    if (elsewhere.length === 0) return;
    this.routes
      .onlineOf(elsewhere)
      .then((flags) => (this.stats.routeMisses += flags.filter(Boolean).length))
      .catch((error: unknown) => this.logger.debug({ err: error }, "route miss check failed"));
  }

  /** Recipients with no route to a live node at all (offline users mostly; misses included). */
  private countUnrouted(userIds: string[], resolved: Map<string, NodeRecipients>): void {
    const routed = new Set<string>();
    for (const recipients of resolved.values()) for (const { userId } of recipients) routed.add(userId);
    const unrouted = new Set(userIds).size - routed.size;
    if (unrouted > 0) this.stats.metrics.recipientsUnrouted.inc(unrouted);
  }
}

/**
 * The routes minus the excluded (sending) device, so that a node gets an envelope only if
 * it holds a device that should receive it: the sender's node is otherwise a target in
 * every 1:1 message, for an envelope that pushes to no one. A user left with no device on
 * a node is dropped from that node's recipients, a node left with no recipient from the map.
 */
function withoutDevice(
  byNode: Map<string, NodeRecipients>,
  except: Envelope["exceptDevice"],
): Map<string, NodeRecipients> {
  if (!except) return byNode;
  for (const [nodeId, recipients] of byNode) {
    const kept = recipients.flatMap((recipient) => {
      // Without `deviceIds` the node pushes to all the user's local devices but `exceptDevice`:
      // nothing to take out here.
      if (recipient.userId !== except.userId || !recipient.deviceIds) return [recipient];
      const deviceIds = recipient.deviceIds.filter((deviceId) => deviceId !== except.deviceId);
      return deviceIds.length > 0 ? [{ ...recipient, deviceIds }] : [];
    });
    if (kept.length > 0) byNode.set(nodeId, kept);
    else byNode.delete(nodeId);
  }
  return byNode;
}

/** The routes of one device only: its node(s) keep just that recipient, the other nodes are dropped. */
function onlyDevice(byNode: Map<string, NodeRecipients>, only: NonNullable<Envelope["exceptDevice"]>): Map<string, NodeRecipients> {
  const kept = new Map<string, NodeRecipients>();
  for (const [nodeId, recipients] of byNode) {
    const recipient = recipients.find((r) => r.userId === only.userId);
    if (recipient?.deviceIds?.includes(only.deviceId)) kept.set(nodeId, [{ userId: only.userId, deviceIds: [only.deviceId] }]);
  }
  return kept;
}

/**
 * The routes of some users out of a look-up made for more (a batch of deliveries looked up
 * at once): a fresh map, the recipient objects shared (withoutDevice replaces, never edits, them).
 */
export function routesOfUsers(resolved: Map<string, NodeRecipients>, userIds: readonly string[]): Map<string, NodeRecipients> {
  const wanted = new Set(userIds);
  const picked = new Map<string, NodeRecipients>();
  for (const [nodeId, recipients] of resolved) {
    const kept = recipients.filter((recipient) => wanted.has(recipient.userId));
    if (kept.length > 0) picked.set(nodeId, kept);
  }
  return picked;
}
