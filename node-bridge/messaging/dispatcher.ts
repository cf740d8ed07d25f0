// Seed 001, group chat step 4: look up the recipients' routes, group them by node, and
// publish ONE envelope per node carrying only that node's recipients. Never one per
// recipient, never one to every node, never one to a node whose only device there is
// the excluded sending device.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EDGE_NODE_ID, WORKER_ORIGIN, type Envelope, type ServerEvent } from "../../protocol/index.js";
import type { NodeRecipients, RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";
import type { MessageBus } from "./message-bus.js";

export interface DispatchRequest {
  event: ServerEvent;
  userIds: string[];
  exceptDevice?: Envelope["exceptDevice"];
  /** Who asked: WORKER_ORIGIN, or the id of the node that publishes. */
  origin: string;
  /** Only this device (a session ending): only the node(s) Redis routes it to get an envelope. */
  onlyDevice?: Envelope["exceptDevice"];
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
  ) {}

  async dispatch(request: DispatchRequest): Promise<DispatchResult> {
    const { exceptDevice } = request;
    const resolved = await this.routes.resolve(request.userIds);
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
        await this.bus.publish(nodeId, {
          v: 1,
          id: randomUUID(),
          origin: request.origin,
          recipients,
          ...(listsExceptUser ? { exceptDevice } : {}),
          event: request.event,
        });
        this.stats.countPublish(nodeId);
      }),
    );
    const failedNodes = targets.filter((_, i) => outcomes[i]!.status === "rejected").map(([nodeId]) => nodeId);
    if (failedNodes.length > 0) {
      this.stats.publishFailures += failedNodes.length;
      this.logger.warn({ failedNodes, event: request.event.type }, "publish failed; devices will recover by sync");
    }
    return { nodes: targets.map(([nodeId]) => nodeId).filter((id) => !failedNodes.includes(id)), failedNodes };
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
