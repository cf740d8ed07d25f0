import { ServerFrame } from "../../protocol/index.js";
import type { EdgeImApi } from "../api/edge-im-api.js";
import { ApiError } from "../http/api-error.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import type { Connection, Disconnect, Transport } from "./transport.js";

/**
 * - connecting: opening a socket (refreshing the token first if it is about to expire);
 * - syncing: `ready` arrived, catching up over HTTP;
 * - live: caught up, pushes flowing;
 * - offline: waiting to reconnect (backoff);
 * - replaced: another connection of this device took over; stays so until `connect()`;
 * - closed: closed by the app, or signed out (also when the server ended the session).
 */
export type ConnectionStatus = "connecting" | "syncing" | "live" | "offline" | "replaced" | "closed";

/** Every frame but `ready` and `pong`, which the loop handles itself. */
export type InboundFrame = Exclude<ServerFrame, { type: "ready" | "pong" }>;

export interface LoopHooks {
  status(status: ConnectionStatus): void;
  frame(frame: InboundFrame): void;
  /** After each `ready`: resend and sync. A rejection drops the connection and reconnects. */
  ready(): Promise<void>;
  error(error: unknown): void;
}

export interface LoopOptions {
  backoff: BackoffOptions;
  /** How long a connection may take to say `ready`. */
  readyTimeoutMs: number;
  /** A ping this often; a connection silent for twice as long is dropped. 0: no heartbeat. */
  heartbeatMs: number;
}

/** Refresh a Socket.IO gateway's copy of the token this long before it expires. */
const REFRESH_AHEAD_MS = 60_000;

/**
 * Keeps one connection up, for any transport: a valid token before each attempt, backoff
 * with jitter between attempts, a token refresh (then one immediate retry) when the
 * handshake refused the token, nothing after 4001 (replaced), `syncing` → `live` around
 * the ready hook, and an application heartbeat that catches half-open sockets.
 */
export class ConnectionLoop {
  status: ConnectionStatus = "closed";
  private running = false;
  /** Counts runs, so a run still unwinding after stop() cannot act once a new one started. */
  private runs = 0;
  private current: { connection?: Connection; ready: boolean; end(disconnect: Disconnect): void } | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly api: EdgeImApi,
    private readonly options: LoopOptions,
    private readonly hooks: LoopHooks,
  ) {}

  /** The connection to send on, once it said `ready`. */
  get ready(): Connection | undefined {
    return this.current?.ready ? this.current.connection : undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run(++this.runs);
  }

  /** Closes the connection and stops reconnecting; the status is `closed` at once. */
  stop(): void {
    this.running = false;
    this.drop("closed by the app");
    this.wake();
    this.setStatus("closed");
  }

  /** Ends the current connection (the loop then reconnects). */
  drop(detail: string): void {
    this.current?.end({ reason: "lost", detail });
  }

  /** Skips the current backoff wait. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(run: number): Promise<void> {
    let attempt = 0;
    let retriedAfterRefresh = false;
    const going = () => this.running && this.runs === run;
    const stopSession = this.api.onSessionChange((session) => this.sessionChanged(session?.accessToken));
    try {
      while (going()) {
        this.setStatus("connecting");
        const outcome = await this.attempt();
        if (!going()) break;
        if (outcome.reason === "replaced") {
          this.running = false;
          return this.setStatus("replaced");
        }
        if (outcome.reason === "ended") {
          // Logged out, replaced by a newer login, or ended from another device: refreshing
          // cannot help. Forget the tokens (the app sees the session become null) and stop.
          this.running = false;
          this.api.auth.forget();
          break;
        }
        if (outcome.reason === "refused") {
          // A deployment setting (the allowed origins), not a passing fault: stop, say why.
          this.running = false;
          this.hooks.error(new ApiError("forbidden", `the gateway refused this client: ${outcome.detail}`, 403));
          break;
        }
        if (outcome.wentLive) {
          attempt = 0;
          retriedAfterRefresh = false;
        }
        if (outcome.reason === "auth") {
          if (!(await this.refreshed()) || !going()) break;
          // A refused token, refreshed: try again at once, but only once in a row.
          if (!retriedAfterRefresh) {
            retriedAfterRefresh = true;
            continue;
          }
        }
        this.setStatus("offline");
        await this.sleep(backoffDelay(attempt++, this.options.backoff));
      }
    } finally {
      stopSession();
    }
    if (this.runs !== run) return;
    this.running = false;
    this.setStatus("closed");
  }

  /** One connection, from opening to its end. */
  private async attempt(): Promise<Disconnect & { wentLive: boolean }> {
    let token: string;
    try {
      token = await this.api.validAccessToken();
    } catch (error) {
      return this.signedOut(error) ? { reason: "lost", detail: "signed out", wentLive: false } : failed(error);
    }
    if (!this.running) return { reason: "lost", detail: "stopped", wentLive: false };
    return new Promise((resolve) => {
      let wentLive = false;
      const timers = new Set<ReturnType<typeof setTimeout>>();
      const after = (ms: number, fn: () => void) => timers.add(setTimeout(fn, ms));
      let lastHeard = Date.now();
      const state: NonNullable<ConnectionLoop["current"]> = {
        ready: false,
        end: (disconnect) => {
          if (this.current !== state) return;
          this.current = undefined;
          for (const timer of timers) clearTimeout(timer); // clears intervals too (one id space)
          state.connection?.close();
          resolve({ ...disconnect, wentLive });
        },
      };
      this.current = state;
      after(this.options.readyTimeoutMs, () => state.ready || state.end({ reason: "lost", detail: "no ready frame in time" }));

      const onReady = () => {
        state.ready = true;
        this.setStatus("syncing");
        if (this.options.heartbeatMs > 0) {
          timers.add(
            setInterval(() => {
              if (Date.now() - lastHeard > 2 * this.options.heartbeatMs) return state.end({ reason: "lost", detail: "heartbeat: silent" });
              state.connection?.send({ type: "ping", t: Date.now() });
            }, this.options.heartbeatMs),
          );
        }
        this.scheduleRefresh(state, after);
        this.hooks.ready().then(
          () => {
            if (this.current !== state) return;
            wentLive = true;
            this.setStatus("live");
          },
          (error: unknown) => {
            this.hooks.error(error);
            state.end({ reason: "lost", detail: "sync after ready failed" });
          },
        );
      };

      // Opened in a then(), so that a transport throwing at once ends this attempt like any failure.
      Promise.resolve().then(() =>
        this.transport.open(token, {
          frame: (raw) => {
            if (this.current !== state) return;
            lastHeard = Date.now();
            const parsed = ServerFrame.safeParse(raw);
            if (!parsed.success) return this.hooks.error(new ApiError("invalid_response", `a frame outside the contract: ${parsed.error.message}`, 0));
            const frame = parsed.data;
            if (frame.type === "ready") return onReady();
            if (frame.type !== "pong") this.hooks.frame(frame);
          },
          closed: (disconnect) => state.end(disconnect),
        }),
      ).then(
        (connection) => {
          if (this.current === state) state.connection = connection;
          else connection.close(); // stopped while opening
        },
        (error: unknown) => {
          this.hooks.error(error);
          state.end({ reason: "lost", detail: "the transport failed to open" });
        },
      );
    });
  }

  /**
   * A Socket.IO gateway acts with the token of its handshake; refresh it ahead of expiry
   * (the session listener then hands the new one over). The edge checks the token only
   * at the upgrade, so its sockets need none.
   */
  private scheduleRefresh(state: NonNullable<ConnectionLoop["current"]>, after: (ms: number, fn: () => void) => void): void {
    const expiresAt = this.api.session()?.expiresAt;
    if (!state.connection?.handOverToken || expiresAt === undefined) return;
    // A minute ahead, or halfway for short-lived tokens, so a fresh token is never refreshed at once again.
    const remaining = expiresAt - Date.now();
    after(Math.max(0, remaining - Math.min(REFRESH_AHEAD_MS, remaining / 2)), () => {
      if (this.current !== state) return;
      // Refreshed meanwhile (an HTTP call met token_expired): that token was handed over already.
      if (this.api.session()?.expiresAt !== expiresAt) return this.scheduleRefresh(state, after);
      this.api.auth.refresh().then(
        () => this.current === state && this.scheduleRefresh(state, after),
        (error: unknown) => this.hooks.error(error),
      );
    });
  }

  private sessionChanged(accessToken: string | undefined): void {
    if (!accessToken) return this.stop(); // signed out: nothing to connect as
    const live = this.ready;
    live?.handOverToken?.(accessToken).catch((error: unknown) => {
      this.hooks.error(error);
      // Refused (another device's token, say): a new handshake with it settles it.
      if (this.ready === live) this.drop("token hand-over refused");
    });
  }

  /** Refreshes after the handshake refused the token; false when the session is over. */
  private async refreshed(): Promise<boolean> {
    try {
      await this.api.auth.refresh();
      return true;
    } catch (error) {
      if (this.signedOut(error)) return false;
      this.hooks.error(error);
      return true; // not reachable now: the backoff retries
    }
  }

  private signedOut(error: unknown): boolean {
    if (!(error instanceof ApiError && error.status === 401)) return false;
    this.hooks.error(error);
    this.running = false;
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => (this.wakeUp = undefined));
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.hooks.status(status);
  }
}

function failed(error: unknown): Disconnect & { wentLive: boolean } {
  return { reason: "lost", detail: error instanceof Error ? error.message : String(error), wentLive: false };
}
