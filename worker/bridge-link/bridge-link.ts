// The coalescing link to the bridge (BRIDGE_LINKS > 0, docs/OPERATIONS.md "Bridge links").
// A Worker isolate cannot gather the pushes of several requests into one call (I/O and
// promises must not cross request contexts), but a Durable Object sees the calls of every
// request that reaches it in one context. Each push calls one of N link objects by RPC
// (worker/delivery/core-gateway.ts picks it by a stable hash, so the pushes of one
// conversation go through one link, in order); the link gathers the deliveries of a short
// window and sends them as one signed batch call (docs/PROTOCOL.md 7.1, batch form)
// through bridge-client.ts: the same failover, timeouts, late answers and down marks as a
// direct call. Each caller gets its own delivery's outcome, so the outbox records only
// what the bridge took.
//
// One batch at a time per link: while one is in flight the next gathers, and is sent when
// the first is decided (or has waited ATTEMPT_TIMEOUT_MS), so batches leave in order and
// grow with the load instead of the number of calls. Nothing is stored: a link that
// restarts loses only the calls in it, whose callers see the RPC fail and call directly.
import { DurableObject } from "cloudflare:workers";
import type { DeliverRequest } from "../../protocol/index.js";
import type { Env } from "../env.js";
import { stableHash } from "../stable-hash.js";
import { ATTEMPT_TIMEOUT_MS, callBridgeBatch, isEveryBridgeNodeDown, startBridgeCall, type BridgeOutcome } from "./bridge-client.js";
import { askedSince } from "./bridge-busy.js";

/** A batch is sent once it holds this many deliveries or recipients, without waiting out the window (the bridge takes up to 500 / 10,000). */
export const LINK_MAX_DELIVERIES = 200;
export const LINK_MAX_RECIPIENTS = 5_000;
/** How long a link gathers before it sends, unless BRIDGE_LINK_WINDOW_MS says otherwise. */
export const DEFAULT_LINK_WINDOW_MS = 2;

/** What became of one delivery sent through a link; `everyNodeDown` and `bridgeBusy` as the link's isolate saw them after the call. */
export interface LinkedOutcome {
  outcome: BridgeOutcome;
  everyNodeDown: boolean;
  /** The link's call was asked for batches (bridge-busy.ts): the caller's isolate keeps using the links. */
  bridgeBusy: boolean;
}

interface Queued {
  request: DeliverRequest;
  resolve: (outcome: LinkedOutcome) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class BridgeLink extends DurableObject<Env> {
  private queue: Queued[] = [];
  private queuedRecipients = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;

  /** Hands one delivery to the bridge with the others of this window; resolves with its own outcome. */
  deliver(request: DeliverRequest): Promise<LinkedOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      this.queuedRecipients += request.userIds.length;
      this.schedule();
    });
  }

  /** Sends now if a batch is full, else within the window; never while one is in flight (it sends the next itself). */
  private schedule(): void {
    if (this.sending) return;
    if (this.queue.length >= LINK_MAX_DELIVERIES || this.queuedRecipients >= LINK_MAX_RECIPIENTS) {
      void this.sendBatches();
      return;
    }
    this.timer ??= setTimeout(() => void this.sendBatches(), windowMs(this.env));
  }

  /** Sends batches until the queue is empty: what gathered during one call goes in the next. */
  private async sendBatches(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const sent = this.send(batch);
        // The next batch waits for this one, so batches reach the bridge in order; a node
        // that hangs holds the link for one attempt's timeout, as it holds a direct call.
        await Promise.race([sent, sleep(ATTEMPT_TIMEOUT_MS)]);
      }
    } finally {
      this.sending = false;
    }
  }

  /** The oldest deliveries, up to the batch limits (at least one, however many recipients it has). */
  private takeBatch(): Queued[] {
    let count = 0;
    let recipients = 0;
    while (count < this.queue.length && count < LINK_MAX_DELIVERIES) {
      const next = this.queue[count]!.request.userIds.length;
      if (count > 0 && recipients + next > LINK_MAX_RECIPIENTS) break;
      recipients += next;
      count++;
    }
    this.queuedRecipients -= recipients;
    return this.queue.splice(0, count);
  }

  /** The links' calls spread over the bridge nodes too: each link enters by the node its id hashes to. */
  private get entryKey(): string {
    return this.ctx.id.toString();
  }

  /** One call for the batch (the single form for a batch of one); resolves every caller. */
  private async send(batch: Queued[]): Promise<void> {
    let outcomes: BridgeOutcome[] = [];
    const startedAt = Date.now();
    try {
      outcomes =
        batch.length === 1
          ? [await startBridgeCall(this.env, "/internal/deliver", batch[0]!.request, "worker->bridge", this.entryKey).outcome]
          : await callBridgeBatch(
              this.env,
              batch.map((queued) => queued.request),
              this.entryKey,
            );
    } catch (error) {
      console.warn(`bridge link: a batch of ${batch.length} failed before any attempt`, error); // both calls never throw: a safety net
    }
    const everyNodeDown = isEveryBridgeNodeDown(this.env);
    const bridgeBusy = askedSince(startedAt);
    batch.forEach((queued, i) => queued.resolve({ outcome: outcomes[i] ?? "failed", everyNodeDown, bridgeBusy }));
  }
}

function windowMs(env: Env): number {
  const ms = Number(env.BRIDGE_LINK_WINDOW_MS ?? DEFAULT_LINK_WINDOW_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_LINK_WINDOW_MS;
}

/** How many link objects to spread over (BRIDGE_LINKS); 0 = none, every push calls the bridge directly. */
export function linkCount(env: Pick<Env, "BRIDGE_LINKS" | "BRIDGE_LINK">): number {
  const n = Number(env.BRIDGE_LINKS ?? "0");
  return env.BRIDGE_LINK && Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * When pushes take the links (BRIDGE_LINK_MODE): "busy" (the default) only while a bridge
 * node asks for batches (bridge-busy.ts), "always" every push.
 */
export function linksAlways(env: Pick<Env, "BRIDGE_LINK_MODE">): boolean {
  return env.BRIDGE_LINK_MODE === "always";
}

/** The link of this key (a conversation id, or a user id): FNV-1a over its characters, modulo the link count. */
export function bridgeLink(env: Env, key: string, links: number): DurableObjectStub<BridgeLink> {
  const namespace = env.BRIDGE_LINK as unknown as DurableObjectNamespace<BridgeLink>;
  return namespace.get(namespace.idFromName(`link-${stableHash(key) % links}`));
}
