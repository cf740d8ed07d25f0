// Calls from a bridge node to the Worker: the public API on a user's behalf (with that
// user's own access token: the node holds connections, the Worker holds the logic), and
// the signed internal endpoint that pushes through the Durable Objects.
//
// Over node:http(s) on keep-alive connections, not fetch: a node makes a call or two per
// handshake (the session check, the presence report), and fetch's Request, Headers,
// Response and web streams, with an AbortSignal.timeout() timer left running for the whole
// timeout, were most of what a burst of connections cost the node's CPU and memory.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { PresenceLeaseAnswer, type CorePresenceRequest, type EdgeDeliverRequest } from "../../protocol/index.js";
import { nextTimestamp } from "../../server-auth/signing.js";
import type { NodeMetrics } from "../metrics.js";
import { NodeCallSigner } from "./node-call-signer.js";

const TIMEOUT_MS = 10_000;

/**
 * Keep-alive connections, closed by us after 4 s idle (fetch's default too): a server that
 * closes an idle connection just as a call reuses it fails that call ("socket hang up"), and
 * the presence lease is renewed every 10 s, a common idle limit on the Worker's side.
 */
const KEEP_ALIVE = { keepAlive: true, timeout: 4_000 };

/** An answer of the Worker, its body read whole. */
interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
}

interface Call {
  method: "GET" | "POST";
  headers?: OutgoingHttpHeaders;
  body?: string;
  timeoutMs: number;
}

export interface ApiResult {
  status: number;
  body: unknown;
  /** The answer's Retry-After in seconds (with 429 rate_limited), passed on in the error frame. */
  retryAfter?: number;
}

export class WorkerClient {
  private readonly baseUrl: Promise<string>;
  /** node:crypto, key imported once: WebCrypto's HMAC cost more than the call it signs (a presence report per connection). */
  private readonly signer: NodeCallSigner;
  private readonly httpAgent = new HttpAgent(KEEP_ALIVE);
  private readonly httpsAgent = new HttpsAgent(KEEP_ALIVE);

  /** When the Worker last answered a call (any status below 500): readiness (health/readiness.ts). */
  lastAnsweredAt = 0;

  constructor(
    workerUrl: string | Promise<string>,
    bridgeSecret: string,
    private readonly metrics?: NodeMetrics,
  ) {
    this.signer = new NodeCallSigner(bridgeSecret);
    this.baseUrl = Promise.resolve(workerUrl).then((url) => url.replace(/\/+$/, ""));
  }

  /** Calls `/api/...` as the user. Network failures reject; HTTP errors resolve with their status. */
  async callApi(accessToken: string, method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult> {
    const answer = await this.timedCall(path, `${await this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${accessToken}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: TIMEOUT_MS,
    });
    let parsed: unknown = undefined;
    try {
      parsed = answer.text ? JSON.parse(answer.text) : undefined;
    } catch {
      parsed = { error: { code: "internal", message: `non-JSON answer from the Worker (${answer.status})` } };
    }
    const retryAfter = answer.headers["retry-after"];
    return { status: answer.status, body: parsed, ...(retryAfter && /^\d+$/.test(retryAfter) ? { retryAfter: Number(retryAfter) } : {}) };
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
    // The process's increasing timestamps (signing.ts): two identical calls in one millisecond still sign apart.
    const signature = this.signer.sign({ direction: "bridge->worker", method: "POST", path, body }, nextTimestamp());
    const answer = await this.timedCall(path, url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...signature, ...extraHeaders },
      body,
      timeoutMs: TIMEOUT_MS,
    });
    if (answer.status < 200 || answer.status >= 300) throw new Error(`worker ${path} answered ${answer.status}: ${answer.text}`);
    return answer.text;
  }

  /** `GET /api/health` with a short timeout: does the Worker answer (below 500: it reaches D1)? */
  async probe(timeoutMs = 2_000): Promise<boolean> {
    try {
      const answer = await this.timedCall("/api/health", `${await this.baseUrl}/api/health`, { method: "GET", timeoutMs });
      return answer.status < 500;
    } catch {
      return false;
    }
  }

  /** One call, timed into the metrics by path; an answer below 500 marks the Worker as reachable. */
  private async timedCall(path: string, url: string, call: Call): Promise<Answer> {
    const started = performance.now();
    try {
      const answer = await this.send(new URL(url), call);
      if (answer.status < 500) this.lastAnsweredAt = Date.now();
      this.metrics?.observeWorkerCall(path, (performance.now() - started) / 1000, answer.status);
      return answer;
    } catch (error) {
      this.metrics?.observeWorkerCall(path, (performance.now() - started) / 1000, undefined);
      throw error;
    }
  }

  /** Sends `call` and reads the whole answer; rejects on a network error or after `timeoutMs` (reading the body included). */
  private send(url: URL, { method, headers = {}, body, timeoutMs }: Call): Promise<Answer> {
    const secure = url.protocol === "https:";
    return new Promise<Answer>((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method,
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: body === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(body) },
      });
      const timer = setTimeout(() => request.destroy(Object.assign(new Error(`the Worker did not answer in ${timeoutMs} ms`), { name: "TimeoutError" })), timeoutMs);
      timer.unref();
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      request.once("error", fail);
      request.once("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.once("error", fail);
        // The connection dropped mid-answer (no `end`): a network failure like any other.
        response.once("close", () => {
          if (!response.complete) fail(new Error("the Worker's answer was cut off"));
        });
        response.once("end", () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") });
        });
      });
      request.end(body);
    });
  }
}
