// Calls from a bridge node to the Worker: the public API on a user's behalf (with that
// user's own access token: the node holds connections, the Worker holds the logic), and
// the signed internal endpoint that pushes through the Durable Objects.
import type { CorePresenceRequest, EdgeDeliverRequest } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";

const TIMEOUT_MS = 10_000;

export interface ApiResult {
  status: number;
  body: unknown;
  /** The answer's Retry-After in seconds (with 429 rate_limited), passed on in the error frame. */
  retryAfter?: number;
}

export class WorkerClient {
  private readonly baseUrl: Promise<string>;

  constructor(
    workerUrl: string | Promise<string>,
    private readonly bridgeSecret: string,
  ) {
    this.baseUrl = Promise.resolve(workerUrl).then((url) => url.replace(/\/+$/, ""));
  }

  /** Calls `/api/...` as the user. Network failures reject; HTTP errors resolve with their status. */
  async callApi(accessToken: string, method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult> {
    const response = await fetch(`${await this.baseUrl}${path}`, {
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
  deliverToEdge(request: EdgeDeliverRequest): Promise<void> {
    return this.signedPost("/internal/deliver", request);
  }

  /** `POST /internal/presence` on the Worker: this node's users, for friends' `online`. Rejects unless 2xx. */
  reportPresence(request: CorePresenceRequest): Promise<void> {
    return this.signedPost("/internal/presence", request);
  }

  /** A call to the Worker's internal endpoints, signed with BRIDGE_SECRET. */
  private async signedPost(path: string, request: object): Promise<void> {
    const body = JSON.stringify(request);
    const url = `${await this.baseUrl}${path}`;
    // The endpoint's path is signed, not WORKER_URL's own path (a proxy in front may strip a prefix).
    const signature = await signCall(this.bridgeSecret, { direction: "bridge->worker", method: "POST", path, body });
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...signature },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`worker ${path} answered ${response.status}: ${await response.text()}`);
  }
}
