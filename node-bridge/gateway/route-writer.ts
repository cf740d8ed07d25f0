// The routes of the devices that connect in one event-loop turn, written together: one
// MULTI (RouteTable.addRoutes) instead of one per handshake. Per handshake, ioredis's MULTI
// (five commands, a pipeline and their promises) cost the node more CPU than Socket.IO's
// own work for the socket, during a burst of connections.
import type { DeviceRoute, RouteTable } from "../routing/route-table.js";

export class RouteWriter {
  private pending: DeviceRoute[] = [];
  /** The write of `pending`, due at the end of this turn (setImmediate); unset when none is due. */
  private due: Promise<void> | undefined;

  constructor(
    private readonly routes: RouteTable,
    private readonly nodeId: string,
  ) {}

  /** Records `user + device -> this node`; resolves once written, with the others of this turn. */
  add(userId: string, deviceId: string): Promise<void> {
    this.pending.push({ userId, deviceId });
    return (this.due ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const devices = this.pending;
      this.pending = [];
      this.due = undefined;
      return this.routes.addRoutes(devices, this.nodeId);
    }));
  }

  /**
   * Removes the device's route (compare-and-delete). A socket may connect and go within one
   * turn: its route, still due, must not be written after it was removed, so the removal
   * then waits for that write.
   */
  remove(userId: string, deviceId: string): Promise<void> {
    const remove = () => this.routes.removeRoute(userId, deviceId, this.nodeId);
    return this.due ? this.due.then(remove, remove) : remove();
  }
}
