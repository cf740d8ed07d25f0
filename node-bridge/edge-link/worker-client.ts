// Calls from a bridge node to the Worker: the public API on a user's behalf (with that
// user's own access token: the node holds connections, the Worker holds the logic), and
// the signed internal endpoint that pushes through the Durable Objects.
import { PresenceLeaseAnswer, type CorePresenceRequest, type EdgeDeliverRequest } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";
import type { NodeMetrics } from "../metrics.js";

const TIMEOUT_MS = 10_000;

export interface ApiResult {
  status: number;
  body: unknown;
  /** The answer's Retry-After in seconds (with 429 rate_limited), passed on in the error frame. */
  retryAfter?: number;
}

export class WorkerClient {
  private readonly baseUrl: Promise<string>;

  /** When the Worker last answered a call (any status below 500): readiness (health/readiness.ts). */
  lastAnsweredAt = 0;

  constructor(
    workerUrl: string | Promise<string>,
    private readonly bridgeSecret: string,
    private readonly metrics?: NodeMetrics,
  ) {
    this.baseUrl = Promise.resolve(workerUrl).then((url) => url.replace(/\/+$/, ""));
  }

  /** Calls `/api/...` as the user. Network failures reject; HTTP errors resolve with their status. */
  async callApi(accessToken: string, method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult> {
    const response = await this.timedFetch(path, `${await this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { error: { code: "internal", message: `non-JSON answer from the Worker (${response.status})` } };
    }
    const retryAfter = response.headers.get("Retry-After");
    return { status: response.status, body: parsed, ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfter: Number(retryAfter) } : {}) };
  }

  /** `POST /internal/deliver` on the Worker: push to edge devices. Rejects unless 2xx. */
  async deliverToEdge(request: EdgeDeliverRequest, traceId?: string): Promise<void> {
    // The trace id rides outside the signature, as X-Request-Id: it only labels log lines.
    await this.signedPost("/internal/deliver", request, traceId ? { "X-Request-Id": traceId } : {});
  }

  /** `POST /internal/presence` on the Worker: this node's users, for friends' `online`. Rejects unless 2xx. */
  async reportPresence(request: CorePresenceRequest): Promise<void> {
    await this.signedPost("/internal/presence", request);
  }

  /** Renews this node's presence lease (PROTOCOL.md 7.4); `lapsed`: report every user again. */
  async renewPresenceLease(gateway: string): Promise<PresenceLeaseAnswer> {
    return PresenceLeaseAnswer.parse(JSON.parse(await this.signedPost("/internal/presence", { gateway, lease: true })));
  }

  /** A call to the Worker's internal endpoints, signed with BRIDGE_SECRET; resolves with the answer's body. */
  private async signedPost(path: string, request: object, extraHeaders: Record<string, string> = {}): Promise<string> {
    const body = JSON.stringify(request);
    const url = `${await this.baseUrl}${path}`;
    // The endpoint's path is signed, not WORKER_URL's own path (a proxy in front may strip a prefix).
    const signature = await signCall(this.bridgeSecret, { direction: "bridge->worker", method: "POST", path, body });
    const response = await this.timedFetch(path, url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...signature, ...extraHeaders },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`worker ${path} answered ${response.status}: ${await response.text()}`);
    return response.text();
  }

  /** `GET /api/health` with a short timeout: does the Worker answer (below 500: it reaches D1)? */
  async probe(timeoutMs = 2_000): Promise<boolean> {
    try {
      const response = await this.timedFetch("/api/health", `${await this.baseUrl}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      return response.status < 500;
    } catch {
      return false;
    }
  }

  /** fetch, timed into the metrics by path; an answer below 500 marks the Worker as reachable. */
  private async timedFetch(path: string, url: string, init: RequestInit): Promise<Response> {
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      if (response.status < 500) this.lastAnsweredAt = Date.now();
      this.metrics?.observeWorkerCall(path, (performance.now() - started) / 1000, response.status);
      return response;
    } catch (error) {
      this.metrics?.observeWorkerCall(path, (performance.now() - started) / 1000, undefined);
      throw error;
    }
  }
}
