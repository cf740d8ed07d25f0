// The adapter section's tables: per K, edge-im (one call per message, batched, and the
// default mode: per call until a node asks for batches) beside the Socket.IO redis-adapter
// and the RabbitMQ floor, then the ceilings.
import { formatGrid, formatNumber, formatRatio, verdict, type Better } from "../report.js";
import { BATCH_WINDOW_MS, P99_BOUND_MS, type AdapterResult, type AdapterRun, type Injection } from "./index.js";
import type { RatePhase } from "./open-loop.js";

/** CPU of everything that carries the messages: the nodes, the broker (not for the adapter, which has none) and Redis. */
function systemCpu(phase: RatePhase, withoutBroker: boolean): number | undefined {
  const { nodes, rabbitmq, redis } = phase.cpuMsPer1k;
  if (nodes === undefined) return undefined;
  return nodes + (withoutBroker ? 0 : (rabbitmq ?? 0)) + (redis ?? 0);
}

/** The edge-im run of K nodes with this injection (a run without `injection` is per-call). */
function edgeRun(result: AdapterResult, k: number, injection: Injection): AdapterRun | undefined {
  return result.runs.find((r) => r.system === "edge-im" && r.nodes === k && (r.injection ?? "per-call") === injection);
}

/**
 * One table per K: edge-im (one call per message) | batched | default | adapter | floor, with
 * edge-im / adapter, batched / adapter, default / adapter and edge-im / floor; then the
 * ceilings (ceilingTable).
 */
export function adapterTables(result: AdapterResult): string[] {
  const tables: string[] = [];
  for (const k of result.config.nodeCounts) {
    const edge = edgeRun(result, k, "per-call");
    const batched = edgeRun(result, k, "batched");
    const adaptive = edgeRun(result, k, "default");
    const adapter = result.runs.find((r) => r.system === "adapter" && r.nodes === k);
    if (!edge || !adapter) continue;
    const header = ["metric", "edge-im", "batched", "default", "adapter", "floor", "edge/adapter", "verdict", "batched/adapter", "default/adapter", "edge/floor"];
    const body: string[][] = [];
    result.config.rates.forEach((rate) => {
      // A rate a system skipped (saturated below it) shows "-".
      const at = (phases: RatePhase[] | undefined) => phases?.find((p) => p.offeredPerSecond === rate);
      const [e, b, d, a, f] = [at(edge.phases), at(batched?.phases), at(adaptive?.phases), at(adapter.phases), at(result.floor)];
      if (!e && !b && !d && !a) return;
      const row = (metric: string, pick: (p: RatePhase) => number | undefined, better: Better, floor = true) => {
        const [ev, bv, dv, av, fv] = [e ? pick(e) : undefined, b ? pick(b) : undefined, d ? pick(d) : undefined, a ? pick(a) : undefined, f && floor ? pick(f) : undefined];
        const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? "-" : formatRatio(x, y));
        body.push([
          metric,
          formatNumber(ev),
          formatNumber(bv),
          formatNumber(dv),
          formatNumber(av),
          formatNumber(fv),
          formatRatio(ev, av),
          verdict(ev, av, better),
          ratio(bv, av),
          ratio(dv, av),
          ratio(ev, fv),
        ]);
      };
      body.push([`offered ${rate.toLocaleString("en-US")} msgs/s`, ...Array<string>(header.length - 1).fill("")]);
      row("  delivered msgs/s", (p) => p.deliveredPerSecond, "higher");
      row("  delivered / sent", (p) => p.delivered / p.sent, "higher");
      row("  latency p50 ms", (p) => p.latencyMs.p50, "lower");
      row("  latency p99 ms", (p) => p.latencyMs.p99, "lower");
      row("  latency p99.9 ms", (p) => p.latencyMs.p999, "lower");
      row(`  node CPU ms / 1k msgs (all ${k})`, (p) => p.cpuMsPer1k.nodes, "lower");
      if (k > 1) {
        row("    of which the busiest node", (p) => (p.perNodeCpuMsPer1k ? Math.max(...p.perNodeCpuMsPer1k.map((v) => v ?? 0)) : undefined), "lower", false);
        row("    the least busy node", (p) => (p.perNodeCpuMsPer1k ? Math.min(...p.perNodeCpuMsPer1k.map((v) => v ?? Infinity)) : undefined), "lower", false);
      }
      row("  load process CPU ms / 1k", (p) => p.cpuMsPer1k.load, "lower", false);
      // The adapter does not use the broker (its figure, an idle broker's, stays in the JSON).
      row("  RabbitMQ CPU ms / 1k", (p) => (p === a ? undefined : p.cpuMsPer1k.rabbitmq), "lower");
      row("  Redis CPU ms / 1k", (p) => p.cpuMsPer1k.redis, "lower", false);
      row("  system CPU ms / 1k (nodes+broker+Redis)", (p) => systemCpu(p, p === a), "lower");
    });
    tables.push(
      formatGrid(
        `Real sockets: edge-im vs Socket.IO redis-adapter, K=${k} node${k > 1 ? "s" : ""}, ${result.config.clients} clients, 1:1 ${k > 1 ? "cross-node " : ""}messages, ${result.config.durationMs / 1000} s per rate` +
          ` (batched: edge-im with the deliveries of ${BATCH_WINDOW_MS} ms in one batch call, what a coalescing link would send; default: one call per message until a node asks for batches, then batched; the others one call per message)`,
        header,
        body,
        [0, 6],
      ),
    );
  }
  const ceilings = ceilingTable(result);
  if (ceilings) tables.push(ceilings);
  return tables;
}

/** A phase that holds the bound: every message delivered, p99 under P99_BOUND_MS. */
const holdsBound = (phase: RatePhase) => phase.delivered >= phase.sent && phase.latencyMs.p99 < P99_BOUND_MS;

/** The highest offered rate whose phase held the bound ("<" the lowest rate if none did). */
function ceilingOf(phases: RatePhase[] | undefined): string {
  if (!phases || phases.length === 0) return "-";
  const held = phases.filter(holdsBound).map((p) => p.offeredPerSecond);
  if (held.length === 0) return `< ${phases[0]!.offeredPerSecond.toLocaleString("en-US")}`;
  return Math.max(...held).toLocaleString("en-US");
}

/** Per system and K: the highest offered rate with p99 < P99_BOUND_MS and nothing lost. */
export function ceilingTable(result: AdapterResult): string | undefined {
  const header = ["K", "edge-im", "edge-im batched", "edge-im default", "adapter", "floor"];
  const body = result.config.nodeCounts.map((k) => [
    String(k),
    ceilingOf(edgeRun(result, k, "per-call")?.phases),
    ceilingOf(edgeRun(result, k, "batched")?.phases),
    ceilingOf(edgeRun(result, k, "default")?.phases),
    ceilingOf(result.runs.find((r) => r.system === "adapter" && r.nodes === k)?.phases),
    ceilingOf(result.floor),
  ]);
  if (body.length === 0) return undefined;
  const top = Math.max(...result.config.rates).toLocaleString("en-US");
  return formatGrid(
    `Highest offered rate (msgs/s) with p99 < ${P99_BOUND_MS} ms and every message delivered (rates tried: ${result.config.rates.map((r) => r.toLocaleString("en-US")).join(", ")}; ${top} = held at the highest tried)`,
    header,
    body,
    [0],
  );
}
