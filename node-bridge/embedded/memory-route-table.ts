// Embedded mode: a single node keeps its routes in memory. Same seam and semantics as
// the Redis table, so the gateway and the dispatcher cannot tell which one they use.
import { EDGE_NODE_ID } from "../../protocol/index.js";
import type { DeviceRoute, NodeRecipients, RouteTable } from "../routing/route-table.js";

export class MemoryRouteTable implements RouteTable {
  /** userId -> deviceId -> nodeId */
  private readonly routes = new Map<string, Map<string, string>>();
  /** nodeId -> liveness deadline (ms) */
  private readonly aliveUntil = new Map<string, number>();

  async addRoute(userId: string, deviceId: string, nodeId: string): Promise<void> {
    const devices = this.routes.get(userId) ?? new Map<string, string>();
    devices.set(deviceId, nodeId);
    this.routes.set(userId, devices);
  }

  async addRoutes(devices: readonly DeviceRoute[], nodeId: string): Promise<void> {
    for (const { userId, deviceId } of devices) await this.addRoute(userId, deviceId, nodeId);
  }

  async removeRoute(userId: string, deviceId: string, nodeId: string): Promise<void> {
    const devices = this.routes.get(userId);
    if (devices?.get(deviceId) === nodeId) devices.delete(deviceId);
    if (devices?.size === 0) this.routes.delete(userId);
  }

  async setDevices(userId: string, nodeId: string, deviceIds: string[]): Promise<void> {
    const wanted = new Set(deviceIds);
    for (const [deviceId, node] of this.routes.get(userId) ?? []) {
      if (node === nodeId && !wanted.has(deviceId)) await this.removeRoute(userId, deviceId, nodeId);
    }
    for (const deviceId of deviceIds) await this.addRoute(userId, deviceId, nodeId);
  }

  async routesOf(userIds: string[]): Promise<Map<string, Map<string, string>>> {
    return new Map(userIds.map((userId) => [userId, new Map(this.routes.get(userId) ?? [])]));
  }

  async resolve(userIds: string[]): Promise<Map<string, NodeRecipients>> {
    const byNode = new Map<string, NodeRecipients>();
    for (const userId of new Set(userIds)) {
      const perNode = new Map<string, string[]>();
      for (const [deviceId, nodeId] of this.routes.get(userId) ?? []) {
        if (!this.isAlive(nodeId)) continue;
        perNode.set(nodeId, [...(perNode.get(nodeId) ?? []), deviceId]);
      }
      for (const [nodeId, deviceIds] of perNode) byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), { userId, deviceIds }]);
    }
    return byNode;
  }

  private isAlive(nodeId: string): boolean {
    return nodeId === EDGE_NODE_ID || (this.aliveUntil.get(nodeId) ?? 0) > Date.now();
  }

  async onlineOf(userIds: string[]): Promise<boolean[]> {
    return userIds.map((userId) => this.routes.has(userId));
  }

  async onlineCount(): Promise<number> {
    return this.routes.size;
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<{ wasAlive: boolean }> {
    const wasAlive = this.isAlive(nodeId);
    this.aliveUntil.set(nodeId, Date.now() + ttlMs);
    return { wasAlive };
  }

  async removeNode(nodeId: string): Promise<number> {
    let removed = 0;
    for (const [userId, devices] of this.routes) {
      for (const [deviceId, node] of devices) {
        if (node !== nodeId) continue;
        devices.delete(deviceId);
        removed++;
      }
      if (devices.size === 0) this.routes.delete(userId);
    }
    this.aliveUntil.delete(nodeId);
    return removed;
  }

  async sweepDeadNodes(): Promise<string[]> {
    const dead = [...this.aliveUntil.keys()].filter((nodeId) => !this.isAlive(nodeId));
    for (const nodeId of dead) await this.removeNode(nodeId);
    return dead;
  }

  async close(): Promise<void> {}
}
