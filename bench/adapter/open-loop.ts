// Open-loop load: message i is due at start + i / rate, whatever happened to the ones
// before (no waiting on answers), so a slow system shows as latency, not as a slower
// offered rate. Latencies are measured from the due time (no coordinated omission).

/** Calls send(i, dueAt) for i = 0 .. rate * durationMs / 1000 - 1 on schedule; resolves after the last. */
export function openLoop(rate: number, durationMs: number, send: (i: number, dueAt: number) => void): Promise<void> {
  const total = Math.round((rate * durationMs) / 1000);
  const start = performance.now();
  let next = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      for (; next < due; next++) send(next, start + (next * 1000) / rate);
      if (next >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
}

/** Nearest-rank percentile of already sorted samples. */
export function sortedPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface RatePhase {
  offeredPerSecond: number;
  sent: number;
  delivered: number;
  /** Injections that failed (HTTP error, publish refused). */
  failed: number;
  deliveredPerSecond: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  /** CPU ms per 1,000 delivered messages, by process group; undefined when unreadable. */
  cpuMsPer1k: { nodes?: number; load?: number; rabbitmq?: number; redis?: number };
  /** CPU ms per 1,000 delivered messages of each node process, in node order. */
  perNodeCpuMsPer1k?: (number | undefined)[];
}

export function latencySummary(samples: number[]): RatePhase["latencyMs"] {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: sortedPercentile(sorted, 50),
    p99: sortedPercentile(sorted, 99),
    p999: sortedPercentile(sorted, 99.9),
    max: sorted.length ? sorted[sorted.length - 1]! : 0,
  };
}
