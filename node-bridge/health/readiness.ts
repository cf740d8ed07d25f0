// Is this node fit to take traffic? Liveness (GET /healthz) is "the process answers";
// readiness (GET /readyz) is "RabbitMQ and Redis are connected and the Worker answered
// recently", so a load balancer stops sending clients to a node that could not serve them.
import type { WorkerClient } from "../edge-link/worker-client.js";

/** How recent the Worker's last answer must be; older, readiness asks it (GET /api/health). */
export const WORKER_FRESH_MS = 30_000;

export type CheckState = "ok" | "down" | "embedded";

export interface ReadinessReport {
  ready: boolean;
  checks: { rabbitmq: CheckState; redis: CheckState; worker: CheckState };
  /** Set once the node is shutting down: never ready again. */
  stopping?: true;
}

/** The core connections; undefined in embedded mode (nothing to connect to). */
export interface CoreConnections {
  rabbitmq: () => boolean;
  redis: () => boolean;
}

export class Readiness {
  private probing?: Promise<boolean>;
  private stopping = false;

  constructor(
    private readonly core: CoreConnections | undefined,
    private readonly worker: WorkerClient,
    private readonly freshMs = WORKER_FRESH_MS,
  ) {}

  async check(): Promise<ReadinessReport> {
    const state = (connected: (() => boolean) | undefined): CheckState => (connected ? (connected() ? "ok" : "down") : "embedded");
    const checks = {
      rabbitmq: state(this.core?.rabbitmq),
      redis: state(this.core?.redis),
      worker: (await this.workerAnswers()) ? ("ok" as const) : ("down" as const),
    };
    if (this.stopping) return { ready: false, checks, stopping: true };
    return { ready: Object.values(checks).every((c) => c !== "down"), checks };
  }

  /** Shutdown began: not ready from now on, so load balancers send no one new here. */
  markStopping(): void {
    this.stopping = true;
  }

  /** The Worker answered a call lately, or answers a probe now (one probe at a time). */
  private async workerAnswers(): Promise<boolean> {
    if (Date.now() - this.worker.lastAnsweredAt < this.freshMs) return true;
    this.probing ??= this.worker.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }
}
