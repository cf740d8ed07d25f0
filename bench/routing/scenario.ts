// The routing scenarios, the same for both variants: K nodes, P users spread over them
// (user i on node i % K, one device "d1" each), and M chat messages as the Worker hands
// them to the bridge (every member of the conversation, the sending device left out).
// Also the sender loop and the delivery tracker both variants measure with.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Envelope, Message, ServerEvent } from "../../protocol/index.js";

export type ScenarioName = "group" | "direct";

export interface ScenarioConfig {
  name: ScenarioName;
  /** Gateway nodes. */
  nodes: number;
  /** Users online, spread evenly over the nodes (the group's members in "group"). */
  users: number;
  /** Chat messages timed, after `warmup` untimed ones. */
  messages: number;
  warmup: number;
  /** Chat messages in flight at once during the throughput phase (each awaits its broker confirms). */
  window: number;
  /** Chat messages sent one at a time after it, for the latency of an idle system. */
  latencyMessages: number;
}

export const DEVICE = "d1";

/** One chat message as the bridge receives it: the Worker's /internal/deliver call. */
export interface ChatDelivery {
  messageId: string;
  event: ServerEvent;
  userIds: string[];
  exceptDevice: NonNullable<Envelope["exceptDevice"]>;
  /** Nodes holding at least one device that must get it (not the sending device). */
  usefulNodes: number;
  /** Devices that must get it, over all nodes. */
  pushes: number;
}

/** Small deterministic PRNG (mulberry32): both variants see the same 1:1 pairs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Scenario {
  readonly userIds: string[];
  readonly groupId = randomUUID();
  private readonly random = prng(20261123);
  private readonly indexOf: Map<string, number>;

  constructor(readonly config: ScenarioConfig) {
    this.userIds = Array.from({ length: config.users }, () => randomUUID());
    this.indexOf = new Map(this.userIds.map((id, i) => [id, i]));
  }

  nodeOf(userIndex: number): number {
    return userIndex % this.config.nodes;
  }

  /** userId -> local devices, for each node (what its Socket.IO server would hold). */
  localDevices(node: number): Map<string, string[]> {
    return new Map(this.userIds.filter((_, i) => this.nodeOf(i) === node).map((id) => [id, [DEVICE]]));
  }

  /** The i-th chat message of the run. */
  delivery(i: number): ChatDelivery {
    const { users } = this.config;
    if (this.config.name === "group") {
      const sender = i % users;
      return this.build(sender, this.userIds, `g:${this.groupId}`);
    }
    const sender = Math.floor(this.random() * users);
    const peer = (sender + 1 + Math.floor(this.random() * (users - 1))) % users;
    const [a, b] = [this.userIds[sender]!, this.userIds[peer]!].sort();
    return this.build(sender, [this.userIds[sender]!, this.userIds[peer]!], `d:${a}:${b}`);
  }

  private build(sender: number, userIds: string[], conversationId: string): ChatDelivery {
    const senderId = this.userIds[sender]!;
    const message: Message = {
      id: randomUUID(),
      conversationId,
      seq: 1,
      senderId,
      clientMsgId: randomUUID(),
      kind: "text",
      body: { text: "See you at the station at six, bring the tickets please." },
      createdAt: Date.now(),
      recalledAt: null,
    };
    const nodes = new Set(userIds.filter((id) => id !== senderId).map((id) => this.nodeOf(this.indexOf.get(id)!)));
    return {
      messageId: message.id,
      event: { type: "message.new", message },
      userIds,
      exceptDevice: { userId: senderId, deviceId: DEVICE },
      usefulNodes: nodes.size,
      pushes: userIds.length - 1,
    };
  }
}

/**
 * Counts what reaches the nodes and when. A chat message is delivered when every node
 * holding one of its recipients has handled it; deliveries that push to nobody (a node
 * with no recipient, or only the sending device) are counted as wasted.
 */
export class DeliveryTracker {
  deliveries = 0;
  wasted = 0;
  pushes = 0;
  readonly latenciesMs: number[] = [];
  lastUsefulAt = 0;
  private readonly open = new Map<string, { sentAt: number; nodesLeft: number }>();
  private timed = false;
  private completed = 0;
  private expected = 0;
  private onComplete?: () => void;

  /** Messages sent and not yet handled by every node that holds a recipient. */
  get inFlight(): number {
    return this.open.size;
  }

  sent(delivery: ChatDelivery, sentAt: number): void {
    this.open.set(delivery.messageId, { sentAt, nodesLeft: delivery.usefulNodes });
  }

  /** A node handled a message and pushed to `pushed` local devices. */
  handled(messageId: string, pushed: number): void {
    this.deliveries++;
    if (pushed === 0) {
      this.wasted++;
      return;
    }
    this.pushes += pushed;
    const entry = this.open.get(messageId);
    if (!entry) return;
    if (--entry.nodesLeft > 0) return;
    this.open.delete(messageId);
    const now = performance.now();
    if (!this.timed) return;
    this.latenciesMs.push(now - entry.sentAt);
    this.lastUsefulAt = now;
    if (++this.completed === this.expected) this.onComplete?.();
  }

  /** Zeroes the counters (nothing may be in flight); resolves once `count` messages are fully delivered. */
  startTimed(count: number): Promise<void> {
    this.deliveries = 0;
    this.wasted = 0;
    this.pushes = 0;
    this.latenciesMs.length = 0;
    this.completed = 0;
    this.timed = true;
    this.expected = count;
    return new Promise((resolve) => (this.onComplete = resolve));
  }
}

/** Sends `count` messages from `first` on, keeping `window` of them in flight. */
export async function drive(first: number, count: number, window: number, send: (i: number) => Promise<void>): Promise<void> {
  let next = first;
  const end = first + count;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < end) await send(next++);
    }),
  );
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
