// The local runtime floor of the full path (bench/README.md section 4): the same offered
// rates, open loop, against a Worker that makes only the send's five workerd hops (worker.js).
// Per pair c: sender s<c> POSTs /send to recipient r<c>, who holds one WebSocket on its
// Durable Object. Message i goes from pair i mod C; every latency runs from its due time.
import { performance } from "node:perf_hooks";
import { openLoop } from "../../adapter/open-loop.js";
import { cpuMs } from "../../proc.js";
import { formatNumber, optional, quantiles, type Quantiles } from "../../report.js";
import { climbRates } from "../rate-ladder.js";
import { startBridgeStandIn, startFloorWorker } from "./start.js";

export interface FloorConfig {
  pairs: number[];
  rates: number[];
  durationMs: number;
  drainMs: number;
}

export const FLOOR_CONFIG: FloorConfig = { pairs: [1, 50], rates: [25, 50, 100, 200, 400], durationMs: 3_000, drainMs: 3_000 };

export interface FloorPhase {
  offeredPerSecond: number;
  sent: number;
  /** HTTP 201s. */
  answered: number;
  failed: number;
  /** Frames that reached the recipient's WebSocket. */
  delivered: number;
  deliveredPerSecond: number;
  /** Due time to the HTTP answer. */
  answerMs: Quantiles;
  /** Due time to the frame on the recipient's socket. */
  endToEndMs: Quantiles;
  workerdCpuMsPerMsg?: number;
  /** Bridge stand-in POSTs per message (1 expected). */
  bridgeCallsPerMsg?: number;
  /** This process (clients and the bridge stand-in): to spot a saturated load generator. */
  loadCpuMsPerMsg?: number;
}

export interface FloorRun {
  pairs: number;
  phases: FloorPhase[];
  skippedRates: number[];
  /** workerd CPU ms per second with nothing sent (after the warm-up): the part of a low rate's CPU/msg that is not per message. */
  idleWorkerdCpuMsPerS?: number;
}

export interface FloorResult {
  config: FloorConfig;
  storage: string;
  runs: FloorRun[];
}

interface Pending {
  dueAt: number;
  answerAt?: number;
  failed?: boolean;
  frameAt?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TEXT = "See you at the station at six, bring the tickets please.";

async function openSocket(url: string, onFrame: (data: string) => void): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`floor: WebSocket ${url} failed`)), { once: true });
  });
  socket.addEventListener("message", (event) => onFrame(String(event.data)));
  return socket;
}

async function runPairs(count: number, config: FloorConfig, log: (line: string) => void): Promise<{ run: FloorRun; storage: string }> {
  const startedAt = performance.now();
  const bridge = await startBridgeStandIn();
  const worker = await startFloorWorker(bridge.url).catch(async (error: unknown) => {
    await bridge.close();
    throw error;
  });
  const sockets: WebSocket[] = [];
  try {
    const pending = new Map<string, Pending>();
    let firstError: string | undefined;
    const onFrame = (data: string) => {
      const entry = pending.get((JSON.parse(data) as { client_msg_id: string }).client_msg_id);
      if (entry) entry.frameAt ??= performance.now();
    };
    const wsUrl = worker.directUrl.replace(/^http/, "ws");
    for (let c = 0; c < count; c++) sockets.push(await openSocket(`${wsUrl}/ws?user=r${c}`, onFrame));
    log(`  floor, ${count} pair${count > 1 ? "s" : ""}: Worker up, ${sockets.length} socket(s), ${worker.workerdPids().length} workerd process(es) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

    let serial = 0;
    const send = (i: number, dueAt: number, prefix: string): Pending => {
      const c = i % count;
      const clientMsgId = `${prefix}-${serial++}`;
      const entry: Pending = { dueAt };
      pending.set(clientMsgId, entry);
      fetch(`${worker.directUrl}/send`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: `s${c}`, to: `r${c}`, clientMsgId, text: TEXT }),
      }).then(
        async (response) => {
          await response.arrayBuffer();
          entry.answerAt ??= performance.now();
          if (response.status !== 201) {
            entry.failed = true;
            firstError ??= `HTTP ${response.status}`;
          }
        },
        (error: unknown) => {
          entry.answerAt ??= performance.now();
          entry.failed = true;
          firstError ??= String(error);
        },
      );
      return entry;
    };

    // Warm-up (untimed): 1 s at 50 msgs/s, longer if needed so every pair's objects and
    // conversation row exist before the first timed message.
    const warm: Pending[] = [];
    const warmRate = Math.max(config.rates[0]!, 50);
    await openLoop(warmRate, Math.max(1_000, (count * 1000) / warmRate), (i, due) => warm.push(send(i, due, "warm")));
    const warmDeadline = performance.now() + 10_000;
    while (warm.some((e) => !e.failed && e.frameAt === undefined) && performance.now() < warmDeadline) await sleep(20);
    if (warm.every((e) => e.failed || e.frameAt === undefined)) throw new Error(`floor: no warm-up message came through (${firstError ?? "nothing in 10 s"})`);
    pending.clear();
    // Idle cost, 2 s with no traffic: at 25 msgs/s a few ms/s of it add ~0.1 ms to CPU/msg.
    await sleep(300);
    const idleBefore = cpuMs(worker.workerdPids());
    await sleep(2_000);
    const idleAfter = cpuMs(worker.workerdPids());
    const idleWorkerdCpuMsPerS = idleBefore === undefined || idleAfter === undefined ? undefined : (idleAfter - idleBefore) / 2;

    const { phases, skippedRates } = await climbRates(config.rates, async (rate, r) => {
      const entries: Pending[] = [];
      const before = { workerd: cpuMs(worker.workerdPids()), calls: bridge.calls(), load: process.cpuUsage() };
      const start = performance.now();
      await openLoop(rate, config.durationMs, (i, due) => entries.push(send(i, due, `r${r}`)));
      const deadline = performance.now() + config.drainMs;
      const done = () => entries.every((e) => e.answerAt !== undefined && (e.failed || e.frameAt !== undefined));
      while (!done() && performance.now() < deadline) await sleep(10);
      // Hop 4 runs after the answer and may trail the frame by a little.
      await sleep(50);
      const workerdAfter = cpuMs(worker.workerdPids());
      const load = process.cpuUsage(before.load);
      const answered = entries.filter((e) => e.answerAt !== undefined && !e.failed);
      const delivered = entries.filter((e) => e.frameAt !== undefined);
      const lastFrame = Math.max(start, ...delivered.map((e) => e.frameAt!));
      const perMsg = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || entries.length === 0 ? undefined : (b - a) / entries.length);
      const phase: FloorPhase = {
        offeredPerSecond: rate,
        sent: entries.length,
        answered: answered.length,
        failed: entries.filter((e) => e.failed).length,
        delivered: delivered.length,
        deliveredPerSecond: delivered.length === 0 ? 0 : delivered.length / ((lastFrame - start) / 1000),
        answerMs: quantiles(answered.map((e) => e.answerAt! - e.dueAt)),
        endToEndMs: quantiles(delivered.map((e) => e.frameAt! - e.dueAt)),
        ...optional("workerdCpuMsPerMsg", perMsg(before.workerd, workerdAfter)),
        ...optional("bridgeCallsPerMsg", perMsg(before.calls, bridge.calls())),
        ...optional("loadCpuMsPerMsg", perMsg(0, (load.user + load.system) / 1000)),
      };
      log(
        `  floor ${count} pair(s) ${rate}/s: ${phase.delivered}/${phase.sent} delivered, ${formatNumber(phase.deliveredPerSecond)} msgs/s, answer p50/p99 ${formatNumber(phase.answerMs.p50)}/${formatNumber(phase.answerMs.p99)} ms, ` +
          `end to end p50/p99 ${formatNumber(phase.endToEndMs.p50)}/${formatNumber(phase.endToEndMs.p99)} ms, workerd ${formatNumber(phase.workerdCpuMsPerMsg)} ms CPU/msg, ` +
          `${formatNumber(phase.bridgeCallsPerMsg)} bridge calls/msg` + (phase.failed ? `, ${phase.failed} failed (${firstError})` : ""),
      );
      pending.clear();
      return phase;
    });
    if (skippedRates.length) log(`  floor ${count} pair(s): saturated, rates ${skippedRates.join(", ")} not run`);
    log(`  floor ${count} pair(s): workerd idle ${formatNumber(idleWorkerdCpuMsPerS)} ms CPU/s`);
    return { run: { pairs: count, phases, skippedRates, ...optional("idleWorkerdCpuMsPerS", idleWorkerdCpuMsPerS) }, storage: worker.storage };
  } finally {
    for (const socket of sockets) socket.close();
    await sleep(200);
    await worker.dispose();
    await bridge.close();
  }
}

/** Every pair count in turn, each on a fresh floor Worker (as the full path starts a fresh stack per run). */
export async function runFloorBench(log: (line: string) => void, config = FLOOR_CONFIG): Promise<FloorResult> {
  const runs: FloorRun[] = [];
  let storage = "";
  for (const pairs of config.pairs) {
    const { run, storage: where } = await runPairs(pairs, config, log);
    runs.push(run);
    storage = where;
  }
  return { config, storage, runs };
}
