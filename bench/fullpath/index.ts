// The full path at offered rates (README "4. Full path"): real clients send 1:1 text
// messages through the real system, the local Worker (workerd, D1) linked to a real bridge
// node (RabbitMQ, Redis), and the recipients get them on both of their transports.
//
// Per conversation c: sender A_c with three ways to send, as an app does (a Socket.IO device
// on the bridge node, an edge WebSocket device, and POST /api/messages through the SDK),
// recipient B_c with a Socket.IO device and an edge device. Message i goes from A_(i mod C)
// to B_(i mod C), sent the (i mod 3)th way. Open loop: message i is due at
// start + i / rate whatever happened before; every latency runs from the due time.
import { performance } from "node:perf_hooks";
import { openLoop } from "../adapter/open-loop.js";
import type { MarkdownSection } from "../results.js";
import { formatNumber, optional, quantiles, renderTable, type Quantiles, type Row } from "../report.js";
import { openDevice, type Device, type TransportKind } from "./devices.js";
import { climbRates } from "./rate-ladder.js";
import { closeDevices, inBatches, loginDevice, metricSum, registerUser, scrape, startStack, type BenchUser, type StackNode } from "./stack.js";
// The local runtime floor (floor/): run after the full path, tabled beside its direct-call runs.
import { runFloorBench, type FloorResult } from "./floor/floor.js";
import { floorTables } from "./floor/table.js";

export type SenderKind = TransportKind | "http";
const SENDER_KINDS: readonly SenderKind[] = ["socket.io", "edge", "http"];

export interface FullPathConfig {
  conversations: number[];
  rates: number[];
  /** Per offered rate. */
  durationMs: number;
  /** After the last send, how long stragglers may take. */
  drainMs: number;
  /**
   * BRIDGE_LINKS of each variant (0 = one bridge call per push, N = N coalescing link
   * objects): every conversation count runs once per variant, one after the other, so the
   * variants are compared within the same minutes.
   */
  links: number[];
}

/** BENCH_FULLPATH_LINKS="8,0" runs the variants in that order (or only some of them); default direct, then 8 links. */
const LINK_VARIANTS = (process.env.BENCH_FULLPATH_LINKS ?? "0,8").split(",").map(Number).filter((n) => Number.isInteger(n) && n >= 0);
export const FULLPATH_CONFIG: FullPathConfig = { conversations: [1, 50], rates: [25, 50, 100, 200, 400], durationMs: 3_000, drainMs: 3_000, links: LINK_VARIANTS };
export const FULLPATH_QUICK: FullPathConfig = { conversations: [1, 50], rates: [20, 80], durationMs: 1_000, drainMs: 2_000, links: LINK_VARIANTS };

export interface FullPathPhase {
  offeredPerSecond: number;
  sent: number;
  /** Acknowledged sends (message.ack frame, or the HTTP 201/200). */
  acked: number;
  /** Refused or failed sends (error frame, HTTP error). */
  failed: number;
  /** Messages that reached both of the recipient's devices. */
  delivered: number;
  deliveredPerSecond: number;
  ackMs: Quantiles & { byKind: Partial<Record<SenderKind, Quantiles>> };
  /** Send (due time) to receipt, every receipt of both recipient devices. */
  endToEndMs: Quantiles & { socketIo: Quantiles; edge: Quantiles };
  /** CPU of the workerd processes per message sent (ms); of the bridge node. */
  workerdCpuMsPerMsg?: number;
  bridgeCpuMsPerMsg?: number;
  /** /internal/deliver calls the bridge node took (single or batch: its route look-ups), per message sent. */
  bridgeCallsPerMsg?: number;
  /** The bench process (every client, the SDK's HTTP sends, wrangler's side of the local Worker), per message: to spot a saturated load generator. */
  loadCpuMsPerMsg?: number;
}

export interface FullPathRun {
  conversations: number;
  /** The Worker's BRIDGE_LINKS (0 = direct calls; absent in runs recorded before the variant existed). */
  links?: number;
  phases: FullPathPhase[];
  /** Highest offered rate whose end-to-end p99 stayed under 100 ms / 20 ms with every message delivered; undefined if none. */
  highestRateP99Under100Ms?: number;
  highestRateP99Under20Ms?: number;
  /** A rate past saturation stops the escalation: the rates left out. */
  skippedRates: number[];
}

export interface FullPathResult {
  config: FullPathConfig;
  storage: string;
  runs: FullPathRun[];
  /** The local runtime floor at the same rates and conversation counts (floor/); absent if it failed or in older runs. */
  floor?: FloorResult;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TEXT = "See you at the station at six, bring the tickets please.";

interface Pending {
  clientMsgId: string;
  dueAt: number;
  kind: SenderKind;
  ackAt?: number;
  failed?: boolean;
  socketIoAt?: number;
  edgeAt?: number;
}

interface Conversation {
  sender: BenchUser;
  senderDevices: Record<TransportKind, Device>;
  recipient: BenchUser;
  recipientDevices: Device[];
}

async function runConversations(
  count: number,
  links: number,
  config: FullPathConfig,
  urls: { rabbitmq: string; redis: string },
  log: (line: string) => void,
): Promise<{ run: FullPathRun; storage: string }> {
  const startedAt = performance.now();
  const stack = await startStack({ nodes: 1, ...urls, workerVars: { BRIDGE_LINKS: String(links), BRIDGE_LINK_MODE: "always" } });
  const devices: Device[] = [];
  try {
    const node = stack.nodes[0]!;
    const where = { workerUrl: stack.workerUrl, socketUrl: node.socketUrl };
    // Every message in flight, by clientMsgId (unique per run: the Worker dedupes per sender).
    const pending = new Map<string, Pending>();
    let firstError: string | undefined;
    const onSenderFrame = (frame: { type: string; [key: string]: unknown }) => {
      if (frame.type !== "message.ack" && frame.type !== "error") return;
      const entry = pending.get(frame.clientMsgId as string);
      if (!entry || entry.ackAt !== undefined) return;
      entry.ackAt = performance.now();
      if (frame.type === "error") {
        entry.failed = true;
        firstError ??= JSON.stringify(frame);
      }
    };
    const onRecipientFrame = (kind: TransportKind) => (frame: { type: string; [key: string]: unknown }) => {
      if (frame.type !== "message.new") return;
      const entry = pending.get((frame.message as { clientMsgId: string }).clientMsgId);
      if (!entry) return;
      if (kind === "edge") entry.edgeAt ??= performance.now();
      else entry.socketIoAt ??= performance.now();
    };

    const pairs = await inBatches(count, 8, async () => {
      const [sender, recipient] = [await registerUser(stack.workerUrl, "fps"), await registerUser(stack.workerUrl, "fpr")];
      const request = await sender.api.friends.request({ userId: recipient.id });
      await recipient.api.friends.accept(request.id);
      return { sender, recipient };
    });
    const conversations: Conversation[] = await inBatches(count, 8, async (c) => {
      const { sender, recipient } = pairs[c]!;
      const [senderEdgeToken, recipientEdgeToken] = [await loginDevice(stack.workerUrl, sender, "edge"), await loginDevice(stack.workerUrl, recipient, "edge")];
      const open = async (kind: TransportKind, token: string, onFrame: (frame: { type: string }) => void) => {
        const device = await openDevice(kind, where, token, onFrame);
        devices.push(device);
        return device;
      };
      return {
        sender,
        senderDevices: { "socket.io": await open("socket.io", sender.token, onSenderFrame), edge: await open("edge", senderEdgeToken, onSenderFrame) },
        recipient,
        recipientDevices: [await open("socket.io", recipient.token, onRecipientFrame("socket.io")), await open("edge", recipientEdgeToken, onRecipientFrame("edge"))],
      };
    });
    log(`  ${count} conversation${count > 1 ? "s" : ""}, BRIDGE_LINKS=${links}: Worker + 1 bridge node up, ${count * 2} users, ${devices.length} sockets, ${stack.workerdPids().length} workerd process(es) in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

    let serial = 0;
    const send = (i: number, dueAt: number, prefix: string): Pending => {
      const conversation = conversations[i % count]!;
      const kind = SENDER_KINDS[i % SENDER_KINDS.length]!;
      const clientMsgId = `${prefix}-${serial++}`;
      const entry: Pending = { clientMsgId, dueAt, kind };
      pending.set(clientMsgId, entry);
      const message = { to: { userId: conversation.recipient.id }, clientMsgId, kind: "text" as const, body: { text: TEXT } };
      if (kind === "http") {
        conversation.sender.api.messages.send(message).then(
          () => (entry.ackAt ??= performance.now()),
          (error: unknown) => {
            entry.ackAt ??= performance.now();
            entry.failed = true;
            firstError ??= String(error);
          },
        );
      } else if (!conversation.senderDevices[kind].send({ type: "message.send", ...message })) {
        entry.ackAt = performance.now();
        entry.failed = true;
      }
      return entry;
    };

    // Warm-up (untimed): JIT, D1 statements, Durable Objects awake, keep-alive connections.
    // Every conversation gets each kind of send at least once (3 x count messages, at least 1 s).
    const warm: Pending[] = [];
    const warmRate = Math.max(config.rates[0]!, 50);
    await openLoop(warmRate, Math.max(1_000, (3 * count * 1000) / warmRate), (i, due) => warm.push(send(i, due, "warm")));
    const warmDeadline = performance.now() + 10_000;
    while (warm.some((e) => !e.failed && (e.socketIoAt === undefined || e.edgeAt === undefined)) && performance.now() < warmDeadline) await sleep(20);
    if (warm.every((e) => e.failed || e.ackAt === undefined)) {
      throw new Error(`fullpath: no warm-up send was accepted (${firstError ?? "no answer in 10 s"}): is the local Worker's D1 migrated, the bridge node up?`);
    }
    for (const e of warm) pending.delete(e.clientMsgId);

    const { phases, skippedRates } = await climbRates(config.rates, async (rate, r) => {
      const entries: Pending[] = [];
      const callsBefore = await deliverCalls(node);
      const cpuBefore = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs(), load: process.cpuUsage() };
      const start = performance.now();
      await openLoop(rate, config.durationMs, (i, due) => entries.push(send(i, due, `r${r}`)));
      const deadline = performance.now() + config.drainMs;
      const done = () => entries.every((e) => e.ackAt !== undefined && (e.failed || (e.socketIoAt !== undefined && e.edgeAt !== undefined)));
      while (!done() && performance.now() < deadline) await sleep(10);
      const cpuAfter = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs() };
      const load = process.cpuUsage(cpuBefore.load);
      const callsAfter = await deliverCalls(node);
      const acked = entries.filter((e) => e.ackAt !== undefined && !e.failed);
      const delivered = entries.filter((e) => e.socketIoAt !== undefined && e.edgeAt !== undefined);
      const lastReceipt = Math.max(start, ...delivered.map((e) => Math.max(e.socketIoAt!, e.edgeAt!)));
      const socketIo = entries.filter((e) => e.socketIoAt !== undefined).map((e) => e.socketIoAt! - e.dueAt);
      const edge = entries.filter((e) => e.edgeAt !== undefined).map((e) => e.edgeAt! - e.dueAt);
      const byKind: Partial<Record<SenderKind, Quantiles>> = {};
      for (const kind of SENDER_KINDS) byKind[kind] = quantiles(acked.filter((e) => e.kind === kind).map((e) => e.ackAt! - e.dueAt));
      const perMsg = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || entries.length === 0 ? undefined : (b - a) / entries.length);
      const phase: FullPathPhase = {
        offeredPerSecond: rate,
        sent: entries.length,
        acked: acked.length,
        failed: entries.filter((e) => e.failed).length,
        delivered: delivered.length,
        deliveredPerSecond: delivered.length === 0 ? 0 : delivered.length / ((lastReceipt - start) / 1000),
        ackMs: { ...quantiles(acked.map((e) => e.ackAt! - e.dueAt)), byKind },
        endToEndMs: { ...quantiles([...socketIo, ...edge]), socketIo: quantiles(socketIo), edge: quantiles(edge) },
        ...optional("workerdCpuMsPerMsg", perMsg(cpuBefore.workerd, cpuAfter.workerd)),
        ...optional("bridgeCpuMsPerMsg", perMsg(cpuBefore.bridge, cpuAfter.bridge)),
        ...optional("loadCpuMsPerMsg", perMsg(0, (load.user + load.system) / 1000)),
        ...optional("bridgeCallsPerMsg", perMsg(callsBefore, callsAfter)),
      };
      log(
        `  ${count} conv ${rate}/s: ${phase.delivered}/${phase.sent} delivered, ${formatNumber(phase.deliveredPerSecond)} msgs/s, ack p50/p99 ${formatNumber(phase.ackMs.p50)}/${formatNumber(phase.ackMs.p99)} ms, ` +
          `end to end p50/p99 ${formatNumber(phase.endToEndMs.p50)}/${formatNumber(phase.endToEndMs.p99)} ms, workerd ${formatNumber(phase.workerdCpuMsPerMsg)} ms CPU/msg, ` +
          `bridge ${formatNumber(phase.bridgeCpuMsPerMsg)} ms CPU/msg, ${formatNumber(phase.bridgeCallsPerMsg)} deliver calls/msg` +
          (phase.failed ? `, ${phase.failed} sends failed` : ""),
      );
      for (const e of entries) pending.delete(e.clientMsgId);
      return phase;
    });
    const clean = (p: FullPathPhase) => p.delivered === p.sent && p.failed === 0;
    const highest = (limit: number) => phases.filter((p) => clean(p) && p.endToEndMs.p99 < limit).reduce<number | undefined>((max, p) => Math.max(max ?? 0, p.offeredPerSecond), undefined);
    const run: FullPathRun = {
      conversations: count,
      links,
      phases,
      ...optional("highestRateP99Under100Ms", highest(100)),
      ...optional("highestRateP99Under20Ms", highest(20)),
      skippedRates,
    };
    if (skippedRates.length) log(`  ${count} conv: saturated, rates ${skippedRates.join(", ")} not run`);
    return { run, storage: stack.storage };
  } finally {
    await closeDevices(devices);
    await stack.stop();
  }
}

/** The deliver calls the node took so far (one route look-up each, single or batch); undefined if its metrics cannot be read. */
async function deliverCalls(node: StackNode): Promise<number | undefined> {
  try {
    return metricSum(await scrape(node), "edge_im_bridge_route_lookup_seconds_count");
  } catch {
    return undefined;
  }
}

export async function runFullPathBench(urls: { rabbitmq: string; redis: string }, log: (line: string) => void, config = FULLPATH_CONFIG): Promise<FullPathResult> {
  const runs: FullPathRun[] = [];
  let storage = "";
  for (const count of config.conversations) {
    for (const links of config.links ?? [0]) {
      const { run, storage: where } = await runConversations(count, links, config, urls, log);
      runs.push(run);
      storage = where;
    }
  }
  // The floor after the full path, same rates and counts; its failure leaves the full path's figures standing.
  let floor: FloorResult | undefined;
  try {
    floor = await runFloorBench(log, { pairs: config.conversations, rates: config.rates, durationMs: config.durationMs, drainMs: config.drainMs });
  } catch (error) {
    log(`  floor failed (full-path figures kept): ${String(error)}`);
  }
  return { config, storage, runs, ...(floor ? { floor } : {}) };
}

const linksOf = (run: FullPathRun) => run.links ?? 0;

/**
 * One table per conversation count and variant, per offered rate: direct calls (BRIDGE_LINKS=0)
 * against the recorded baseline's run (bench/baseline.json); a coalesced-link variant against
 * this run's direct variant, measured minutes before.
 */
export function fullPathTables(result: FullPathResult, baseline: FullPathResult | undefined): string[] {
  return [...fullPathRunTables(result, baseline), ...(result.floor ? floorTables(result.floor, result.runs) : [])];
}

function fullPathRunTables(result: FullPathResult, baseline: FullPathResult | undefined): string[] {
  return result.runs.map((run) => {
    const linked = linksOf(run) > 0;
    const reference = linked
      ? result.runs.find((r) => r.conversations === run.conversations && linksOf(r) === 0)
      : baseline?.runs.find((r) => r.conversations === run.conversations && linksOf(r) === 0);
    const rows: Row[] = [];
    for (const phase of run.phases) {
      const ref = reference?.phases.find((p) => p.offeredPerSecond === phase.offeredPerSecond);
      const pair = (metric: string, pick: (p: FullPathPhase) => number | undefined, better: Row["better"]): Row => ({
        metric,
        current: pick(phase),
        reference: ref ? pick(ref) : undefined,
        better,
      });
      rows.push(
        { metric: `offered ${phase.offeredPerSecond.toLocaleString("en-US")} msgs/s`, current: undefined, reference: undefined, better: "none" },
        pair("  delivered msgs/s (both recipient devices)", (p) => p.deliveredPerSecond, "higher"),
        pair("  delivered / sent", (p) => (p.sent ? p.delivered / p.sent : 0), "higher"),
        pair("  send-ack p50 ms", (p) => p.ackMs.p50, "lower"),
        pair("  send-ack p99 ms", (p) => p.ackMs.p99, "lower"),
        pair("    p99, Socket.IO senders", (p) => p.ackMs.byKind["socket.io"]?.p99, "lower"),
        pair("    p99, edge senders", (p) => p.ackMs.byKind.edge?.p99, "lower"),
        pair("    p99, HTTP senders (SDK)", (p) => p.ackMs.byKind.http?.p99, "lower"),
        pair("  end to end p50 ms", (p) => p.endToEndMs.p50, "lower"),
        pair("  end to end p99 ms", (p) => p.endToEndMs.p99, "lower"),
        pair("    p99 to the Socket.IO device", (p) => p.endToEndMs.socketIo.p99, "lower"),
        pair("    p99 to the edge device", (p) => p.endToEndMs.edge.p99, "lower"),
        pair("  workerd CPU ms / msg", (p) => p.workerdCpuMsPerMsg, "lower"),
        pair("  bridge node CPU ms / msg", (p) => p.bridgeCpuMsPerMsg, "lower"),
        pair("  bridge deliver calls / msg", (p) => p.bridgeCallsPerMsg, "lower"),
        pair("  load process CPU ms / msg (clients; not a cost)", (p) => p.loadCpuMsPerMsg, "lower"),
      );
    }
    rows.push(
      { metric: "highest offered msgs/s with e2e p99 < 100 ms", current: run.highestRateP99Under100Ms, reference: reference?.highestRateP99Under100Ms, better: "higher" },
      { metric: "highest offered msgs/s with e2e p99 < 20 ms", current: run.highestRateP99Under20Ms, reference: reference?.highestRateP99Under20Ms, better: "higher" },
    );
    const variant = linked ? `coalesced link (BRIDGE_LINKS=${linksOf(run)})` : "direct calls (BRIDGE_LINKS=0)";
    const title = `Full path, ${variant}: ${run.conversations} conversation${run.conversations > 1 ? "s" : ""}, senders on Socket.IO / edge / HTTP in turn, recipient on Socket.IO and edge, ${result.config.durationMs / 1000} s per rate`;
    const notes = [
      "D1 round trips per 1:1 send: 1 (the message database's batch, which reads its copy of edge presence; nothing on the main database), counted by test/worker/send-round-trips.test.ts (bench/README.md)",
      ...(run.skippedRates.length ? [`rates ${run.skippedRates.join(", ")} msgs/s not run: the rate before saturated (delivered < 90% or p99 > 2 s)`] : []),
      ...(reference || linked ? [] : ["(no full-path run in bench/baseline.json yet: record one with --record-baseline)"]),
    ];
    const table = renderTable(title, { current: linked ? "link" : "current", reference: linked ? "direct (this run)" : "baseline" }, rows);
    return `${table}\n${notes.join("\n")}`;
  });
}

export function fullPathMarkdown(result: FullPathResult, tables: string[]): MarkdownSection {
  const c = result.config;
  return {
    title: "Full path: real clients through the Worker and a bridge node",
    intro: [
      "How it is measured: bench/README.md, section 4. ratio = this run / the full-path run in `bench/baseline.json`.",
      "",
      `- settings: ${c.conversations.join(" and ")} conversations (1:1, one sender and one recipient user each); offered rates ${c.rates.join(", ")} msgs/s, open loop, ${c.durationMs / 1000} s each after 1 s of warm-up; a rate after a saturated one is not run`,
      `- variants: BRIDGE_LINKS = ${(c.links ?? [0]).join(" and ")} (0 = one signed bridge call per push; N = pushes through N BridgeLink Durable Objects, each sending the pushes of a 2 ms window as one batch call), one after the other for each conversation count; a link table's reference is the direct variant of the same run`,
      `- the local Worker (workerd, D1 in ${result.storage}, LIMIT_MESSAGES lifted) linked to 1 bridge node process (core mode); senders take turns: a Socket.IO device on the node, an edge WebSocket device, and POST /api/messages through the SDK; each recipient has a Socket.IO device and an edge device`,
      "- latencies run from each message's due time: send-ack to the `message.ack` frame (or the HTTP answer), end to end to the `message.new` push on each recipient device; workerd CPU from /proc (utime+stime of the workerd processes) per message sent",
      ...(result.floor
        ? ["- local runtime floor (last tables): a Worker with no product code making the same five workerd hops per send (bench/fullpath/floor/), same rates and counts, one HTTP sender and one WebSocket recipient per pair; ratio = full path (direct calls) / floor"]
        : []),
      "- D1 round trips per 1:1 send: 1, the batch on the message database (its copies of the friendship and of edge presence included); the main database is not asked, by the send or its push; counted by test/worker/send-round-trips.test.ts (bench/README.md, \"D1 queries per send\")",
    ],
    tables,
  };
}
