// Tells the Worker which users this node holds (POST /internal/presence), so friends see
// Socket.IO users online like edge users. Only a user's first socket here (online) and
// last one (offline) matter. Reports for one user run one after another, and each sends
// the state at the moment it runs, so a quick connect-disconnect cannot land out of order.
//
// The Worker counts this node's reports only while the node's lease runs: the node renews
// it every PRESENCE_LEASE_RENEW_MS, so a node that dies without its `gone` report (killed,
// or stopped together with the Worker) has its users go offline by themselves.
import type { Logger } from "pino";
import { PRESENCE_LEASE_RENEW_MS } from "../../protocol/index.js";
import type { WorkerClient } from "../edge-link/worker-client.js";

export class PresenceReporter {
  /** Users this node last told the Worker are online through it. */
  private readonly reportedOnline = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  /**
   * A previous run under this node id may have died with users recorded online through
   * it: the first thing the Worker hears from this run is "none of them are". Not awaited
   * at start (the Worker may come up after the node); every report waits for it instead.
   */
  private readonly cleared: Promise<void>;
  private readonly leaseTimer: NodeJS.Timeout;

  constructor(
    private readonly nodeId: string,
    private readonly worker: WorkerClient,
    private readonly isHere: (userId: string) => boolean,
    private readonly logger: Logger,
    /** Every user with a socket here (reported again when the lease had lapsed). */
    private readonly localUsers: () => Iterable<string> = () => [],
  ) {
    this.cleared = worker
      .reportPresence({ gateway: nodeId, gone: true })
      .catch((error: unknown) => logger.warn({ err: error }, "presence reset at the Worker failed"));
    void this.cleared.then(() => this.renewLease());
    this.leaseTimer = setInterval(() => void this.renewLease(), PRESENCE_LEASE_RENEW_MS);
    this.leaseTimer.unref();
  }

  /**
   * Renews the lease. If it had lapsed (the Worker was unreachable for a lease, or this node
   * paused that long), the Worker may have cleared our rows: report every user here again.
   * This also retries the reports that failed while the Worker was away.
   */
  private async renewLease(): Promise<void> {
    try {
      const { lapsed } = await this.worker.renewPresenceLease(this.nodeId);
      if (lapsed) this.revived(this.localUsers());
    } catch (error) {
      this.logger.warn({ err: error }, "presence lease renewal failed");
    }
  }

  /**
   * Shutdown: no more renewals, and wait (at most `timeoutMs`) for the reports already
   * queued, so the node's final `gone` lands after them and nothing is left half-said.
   */
  async settle(timeoutMs: number): Promise<void> {
    clearInterval(this.leaseTimer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.queues.values()]), timeout]);
    clearTimeout(timer);
  }

  /** A socket of this user connected or disconnected. */
  changed(userId: string): void {
    this.enqueue(userId, () => this.report(userId));
  }

  /**
   * This node's liveness lapsed and another node's sweep may have reported it `gone`: the
   * Worker no longer has our users online, whatever we reported. Forget every report and
   * report each user here online again. Through each user's queue, so a report already
   * running finishes first and a later connect or disconnect lands after this one.
   */
  revived(localUserIds: Iterable<string>): void {
    for (const userId of new Set([...this.reportedOnline, ...localUserIds])) {
      this.enqueue(userId, () => {
        this.reportedOnline.delete(userId);
        return this.report(userId);
      });
    }
  }

  private enqueue(userId: string, task: () => Promise<void>): void {
    const queued: Promise<void> = (this.queues.get(userId) ?? this.cleared)
      .then(task)
      .catch((error: unknown) => this.logger.warn({ err: error, userId }, "presence report to the Worker failed"))
      .finally(() => {
        if (this.queues.get(userId) === queued) this.queues.delete(userId);
      });
    this.queues.set(userId, queued);
  }

  private async report(userId: string): Promise<void> {
    const online = this.isHere(userId);
    if (online === this.reportedOnline.has(userId)) return;
    await this.worker.reportPresence({ gateway: this.nodeId, userId, online });
    if (online) this.reportedOnline.add(userId);
    else this.reportedOnline.delete(userId);
  }
}
