// A scripted WebSocket client for tests: connects through the Worker like a device
// would (SELF.fetch with Upgrade: websocket) and collects every frame it receives.
import { SELF } from "cloudflare:test";
import type { ServerFrame } from "../../protocol/index.js";
import { BASE } from "./http.js";

/** A received frame: one of ServerFrame, loosely typed so tests can read any field. */
export type Frame = { type: ServerFrame["type"] } & Record<string, any>;
export type Match = (frame: Frame) => boolean;

export const DEFAULT_TIMEOUT_MS = 3000;

export class TestSocket {
  /** Frames received and not yet taken by next()/take(). */
  private readonly inbox: Frame[] = [];
  private waiters: { match: Match; resolve: (f: Frame) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket, readonly response: Response) {
    this.closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data)) as Frame;
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      } else {
        this.inbox.push(frame);
      }
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (of this type / matching) not taken yet, waiting up to timeoutMs. */
  next(match: string | Match = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const predicate: Match = typeof match === "string" ? (f) => f.type === match : match;
    const index = this.inbox.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match: predicate, resolve: (f: Frame) => (clearTimeout(timer), resolve(f)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** waitForMessages: the next n frames matching, in arrival order. */
  async take(n: number, match: string | Match = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (let i = 0; i < n; i++) frames.push(await this.next(match, timeoutMs));
    return frames;
  }

  /** Frames received and not taken, after letting pending pushes arrive. */
  async leftover(settleMs = 150): Promise<Frame[]> {
    await new Promise((r) => setTimeout(r, settleMs));
    return [...this.inbox];
  }

  close(code = 1000): void {
    try {
      this.ws.close(code, "test done");
    } catch {
      // already closed
    }
  }
}

/** The raw answer to an upgrade request (for tests of refusals). */
export async function upgrade(query: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/ws${query}`, { headers: { Upgrade: "websocket", ...headers } });
}

/** Opens a socket for this access token and waits for its `ready` frame. */
export async function connect(token: string, via: "query" | "protocol" = "query"): Promise<TestSocket> {
  const res =
    via === "query"
      ? await upgrade(`?token=${encodeURIComponent(token)}`)
      : await upgrade("", { "Sec-WebSocket-Protocol": token });
  if (!res.webSocket) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  const socket = new TestSocket(res.webSocket, res);
  await socket.next("ready");
  return socket;
}
