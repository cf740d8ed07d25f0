// The Worker's send path over HTTP: POST /api/messages (1:1 text) one at a time and 16 at
// once, then a device's sync of 200 missed messages (GET .../messages?afterSeq=). Users and
// friendships are made first, untimed. Every call goes through the SDK (client/), one
// EdgeImApi per user, as an app makes it: its answer checks are part of each timed request.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { EdgeImApi } from "../../client/index.js";
import { descendantsOf, pidsNamed, rssBytes } from "../proc.js";
import { bytesToMb, summarize, type LatencySummary } from "../report.js";
import { startLocalWorker } from "./local-worker.js";

export interface WorkerBenchConfig {
  /** Timed sends one at a time, after `warmup` untimed ones. */
  sequentialSends: number;
  /** Timed sends with `concurrency` in flight, each sender in its own conversation. */
  concurrentSends: number;
  concurrency: number;
  warmup: number;
  /** Messages a device catches up on in one sync page, and how often that sync is timed. */
  syncMessages: number;
  syncRounds: number;
}

export interface Throughput {
  requestsPerSecond: number;
  latencyMs: LatencySummary;
}

export interface WorkerResult {
  config: WorkerBenchConfig;
  send1: Throughput;
  send16: Throughput;
  sync: Throughput & { messagesPerSecond: number };
  /** Where the local D1 lived (see local-worker.ts). */
  storage: string;
  /** workerd's RSS at the end (local D1, Durable Objects included); undefined without /proc. */
  workerdRssMb?: number;
}

async function timed(count: number, concurrency: number, request: (i: number) => Promise<unknown>): Promise<Throughput> {
  const latencies: number[] = [];
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const sentAt = performance.now();
        await request(i);
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  const elapsedS = (performance.now() - startedAt) / 1000;
  return { requestsPerSecond: count / elapsedS, latencyMs: summarize(latencies) };
}

interface BenchUser {
  api: EdgeImApi;
  id: string;
}

async function register(baseUrl: string): Promise<BenchUser> {
  const api = new EdgeImApi({ baseUrl, deviceId: "bench" });
  const { user } = await api.auth.register({ username: `bench_${randomUUID().slice(0, 8)}`, password: "correct horse battery" });
  return { api, id: user.id };
}

async function befriend(a: BenchUser, b: BenchUser): Promise<void> {
  const request = await a.api.friends.request({ userId: b.id });
  await b.api.friends.accept(request.id);
}

const sendText = (from: BenchUser, toUserId: string) =>
  from.api.messages.send({ to: { userId: toUserId }, kind: "text", body: { text: "See you at the station at six, bring the tickets please." } });

function workerdRssMb(): number | undefined {
  const ours = new Set(descendantsOf(process.pid));
  const rss = pidsNamed("workerd")
    .filter((pid) => ours.has(pid))
    .map((pid) => rssBytes(pid) ?? 0)
    .reduce((sum, bytes) => sum + bytes, 0);
  return rss > 0 ? bytesToMb(rss) : undefined;
}

export async function runWorkerBench(config: WorkerBenchConfig, log: (line: string) => void): Promise<WorkerResult> {
  const startedAt = performance.now();
  const worker = await startLocalWorker();
  log(`  worker up at ${worker.url} (${((performance.now() - startedAt) / 1000).toFixed(1)} s, migrations included; state in ${worker.storage})`);
  try {
    const sender = await register(worker.url);
    const friends: BenchUser[] = [];
    for (let i = 0; i < config.concurrency; i++) friends.push(await register(worker.url));
    await Promise.all(friends.map((friend) => befriend(sender, friend)));
    const peer = friends[0]!;

    // One at a time, into one conversation (which ends up with enough messages to sync).
    for (let i = 0; i < config.warmup; i++) await sendText(sender, peer.id);
    const send1 = await timed(config.sequentialSends, 1, () => sendText(sender, peer.id));

    // 16 in flight, each to another friend: 16 conversations, one sender.
    const send16 = await timed(config.concurrentSends, config.concurrency, (i) => sendText(sender, friends[i % friends.length]!.id));

    // The peer's device missed the last `syncMessages` messages of the first conversation.
    const last = await sendText(sender, peer.id);
    const afterSeq = last.seq - config.syncMessages;
    const syncOnce = async () => {
      const page = await peer.api.conversations.history(last.conversationId, { afterSeq, limit: config.syncMessages });
      if (page.messages.length !== config.syncMessages) throw new Error(`sync returned ${page.messages.length} messages, expected ${config.syncMessages}`);
    };
    for (let i = 0; i < 3; i++) await syncOnce();
    const sync = await timed(config.syncRounds, 1, syncOnce);

    const rss = workerdRssMb();
    return {
      config,
      send1,
      send16,
      sync: { ...sync, messagesPerSecond: sync.requestsPerSecond * config.syncMessages },
      storage: worker.storage,
      ...(rss === undefined ? {} : { workerdRssMb: rss }),
    };
  } finally {
    await worker.stop();
  }
}
