// The floor's table: per pair count and offered rate, the full path's direct-call run of the
// same bench run beside the floor, ratio = full path / floor (how many times the runtime's own
// cost of the five hops the product spends). Printed without a full path (standalone) too.
import { formatNumber, renderTable, type Row } from "../../report.js";
import type { FullPathPhase, FullPathRun } from "../index.js";
import type { FloorPhase, FloorResult } from "./floor.js";

export const FLOOR_TITLE = "Local runtime floor: the send's five workerd hops with no product code";

/** One table per pair count; `fullPath` = the full path's runs of the same bench run (their BRIDGE_LINKS=0 ones are used). */
export function floorTables(floor: FloorResult, fullPath: readonly FullPathRun[] = []): string[] {
  return floor.runs.map((run) => {
    const full = fullPath.find((r) => r.conversations === run.pairs && (r.links ?? 0) === 0);
    const rows: Row[] = [];
    const rates = [...new Set([...run.phases.map((p) => p.offeredPerSecond), ...(full?.phases ?? []).map((p) => p.offeredPerSecond)])].sort((a, b) => a - b);
    for (const rate of rates) {
      const f = run.phases.find((p) => p.offeredPerSecond === rate);
      const fp = full?.phases.find((p) => p.offeredPerSecond === rate);
      // better "none": the ratio is the point, not a verdict (the floor is not a target to beat).
      const pair = (metric: string, pickFull: (p: FullPathPhase) => number | undefined, pickFloor: (p: FloorPhase) => number | undefined): Row => ({
        metric,
        current: fp ? pickFull(fp) : undefined,
        reference: f ? pickFloor(f) : undefined,
        better: "none",
      });
      rows.push(
        { metric: `offered ${rate.toLocaleString("en-US")} msgs/s`, current: undefined, reference: undefined, better: "none" },
        pair("  workerd CPU ms / msg", (p) => p.workerdCpuMsPerMsg, (p) => p.workerdCpuMsPerMsg),
        pair("  answer p50 ms (full path: send-ack, all senders)", (p) => p.ackMs.p50, (p) => p.answerMs.p50),
        pair("  answer p99 ms", (p) => p.ackMs.p99, (p) => p.answerMs.p99),
        pair("    answer p99, HTTP senders only", (p) => p.ackMs.byKind.http?.p99, (p) => p.answerMs.p99),
        pair("  end to end p50 ms", (p) => p.endToEndMs.p50, (p) => p.endToEndMs.p50),
        pair("  end to end p99 ms", (p) => p.endToEndMs.p99, (p) => p.endToEndMs.p99),
        pair("    end to end p99, edge device", (p) => p.endToEndMs.edge.p99, (p) => p.endToEndMs.p99),
        pair("  delivered msgs/s", (p) => p.deliveredPerSecond, (p) => p.deliveredPerSecond),
        pair("  delivered / sent", (p) => (p.sent ? p.delivered / p.sent : 0), (p) => (p.sent ? p.delivered / p.sent : 0)),
      );
    }
    const title = `${FLOOR_TITLE}: ${run.pairs} pair${run.pairs > 1 ? "s" : ""}, ${floor.config.durationMs / 1000} s per rate`;
    const notes = [
      "floor = POST /send -> sender's Durable Object (in-memory count) -> one D1 batch of 6 statements -> 201 with the row; then fetch to a Node HTTP stand-in + recipient's Durable Object -> 1 WebSocket frame (bench/fullpath/floor/worker.js)",
      full ? "full path = this run's direct-call variant (BRIDGE_LINKS=0), same rates; its end to end covers both recipient devices" : "(no full-path direct-call run for this pair count in this run: full path column empty)",
      ...(run.idleWorkerdCpuMsPerS === undefined ? [] : [`floor workerd idle: ${formatNumber(run.idleWorkerdCpuMsPerS)} ms CPU per second with nothing sent (in CPU/msg at 25 msgs/s: ${formatNumber(run.idleWorkerdCpuMsPerS / 25)} ms)`]),
      ...(run.skippedRates.length ? [`floor rates ${run.skippedRates.join(", ")} msgs/s not run: the rate before saturated`] : []),
    ];
    return `${renderTable(title, { current: "full path", reference: "floor" }, rows)}\n${notes.join("\n")}`;
  });
}
