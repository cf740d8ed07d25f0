// The routing table seam: where each user's devices are connected. Two implementations
// behind it: Redis (core mode, shared by every node: redis-route-table.ts) and an
// in-process map (embedded single-node mode: ../embedded/memory-route-table.ts).
import type { Envelope } from "../../protocol/index.js";

/** The recipients routed to one node, in the envelope's shape. */
export type NodeRecipients = Envelope["recipients"];

/** One device of one user. */
export interface DeviceRoute {
  userId: string;
  deviceId: string;
}

export interface RouteTable {
  /** `user + device -> node`, written when a device connects; marks the user online. */
  addRoute(userId: string, deviceId: string, nodeId: string): Promise<void>;
  /** `addRoute` for several devices connected to one node, in one write (the handshakes of one event-loop turn). */
  addRoutes(devices: readonly DeviceRoute[], nodeId: string): Promise<void>;
  /** Removes the route only if it still points at `nodeId` (a newer connection elsewhere wins). */
  removeRoute(userId: string, deviceId: string, nodeId: string): Promise<void>;
  /** Makes the user's routes on `nodeId` exactly these devices (edge presence reports). */
  setDevices(userId: string, nodeId: string, deviceIds: string[]): Promise<void>;
  /** Every route of these users, as `userId -> deviceId -> nodeId`, dead nodes included. */
  routesOf(userIds: string[]): Promise<Map<string, Map<string, string>>>;
  /**
   * Recipients grouped by the live node they are connected to: one entry per node,
   * so the caller publishes once per node. Routes to dead nodes are skipped.
   */
  resolve(userIds: string[]): Promise<Map<string, NodeRecipients>>;
  /**
   * `resolve`, and the replay check of the signed call that asked for it
   * (SeenSignatures.firstSeen), in one round trip: undefined, with nothing looked up, if
   * `signature` was recorded already. Absent where the two are separate anyway (in-process):
   * the caller then checks and resolves in turn.
   */
  resolveFirstSeen?(signature: string, expiresAt: number, userIds: string[]): Promise<Map<string, NodeRecipients> | undefined>;
  /** Which of these users have at least one route (seed 002's online set). */
  onlineOf(userIds: string[]): Promise<boolean[]>;
  onlineCount(): Promise<number>;
  /** Refreshes the node's liveness key; false if it had expired (its routes may be gone). */
  heartbeat(nodeId: string, ttlMs: number): Promise<{ wasAlive: boolean }>;
  /** Removes every route of a node and its liveness key (shutdown, or cleanup of a dead node). */
  removeNode(nodeId: string): Promise<number>;
  /** Removes the routes of every registered node whose liveness key has expired. */
  sweepDeadNodes(): Promise<string[]>;
  /**
   * Calls `listener` each time the store is reachable again after a loss of connection: it
   * may have come back empty, so the node writes its liveness key and routes again at once.
   * Absent where the table cannot be lost (in-process).
   */
  onReconnected?(listener: () => void): void;
  close(): Promise<void>;
}
