// Seed 001, group chat step 4: look up the recipients' routes, group them by node, and
// publish ONE envelope per node carrying only that node's recipients. Never one per
// recipient, never one to every node.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { EDGE_NODE_ID, WORKER_ORIGIN, type Envelope, type ServerEvent } from "../../protocol/index.js";
import type { RouteTable } from "../routing/route-table.js";
import type { NodeStats } from "../stats.js";
import type { MessageBus } from "./message-bus.js";

export interface DispatchRequest {
  event: ServerEvent;
  userIds: string[];
  exceptDevice?: Envelope["exceptDevice"];
  /** Who asked: WORKER_ORIGIN, or the id of the node that publishes. */
  origin: string;
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
    const byNode = await this.routes.resolve(request.userIds);
    // The Worker pushes to edge devices itself, through the Durable Objects: routing its
    // deliveries to `edge` as well would push them twice.
    if (request.origin === WORKER_ORIGIN) byNode.delete(EDGE_NODE_ID);

    const targets = [...byNode];
    const outcomes = await Promise.allSettled(
      targets.map(async ([nodeId, recipients]) => {
        await this.bus.publish(nodeId, {
          v: 1,
          id: randomUUID(),
          origin: request.origin,
          recipients,
          ...(request.exceptDevice ? { exceptDevice: request.exceptDevice } : {}),
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
