// The offered-rate ladder of the full path and its floor: each rate in order, and once one
// saturated the higher ones are not run, to keep the section short.
import { collectLoadGarbage } from "../load-gc.js";

/** What a phase must report for the ladder to see saturation. */
export interface LadderPhase {
  sent: number;
  delivered: number;
  endToEndMs: { p99: number };
}

/** Saturated: under 90% delivered, or an end-to-end p99 over 2 s. */
export const saturated = (phase: LadderPhase) => phase.delivered < 0.9 * phase.sent || phase.endToEndMs.p99 > 2_000;

/**
 * Runs `phase` at each rate in order (its index names the phase's messages), with 300 ms
 * between phases so that one phase's stragglers do not count in the next, and the bench
 * process's own garbage collected before each (load-gc.ts); after a saturated phase the
 * higher rates are skipped.
 */
export async function climbRates<P extends LadderPhase>(
  rates: readonly number[],
  phase: (rate: number, index: number) => Promise<P>,
): Promise<{ phases: P[]; skippedRates: number[] }> {
  const phases: P[] = [];
  const skippedRates: number[] = [];
  for (const [index, rate] of rates.entries()) {
    const last = phases.at(-1);
    if (last && saturated(last)) {
      skippedRates.push(rate);
      continue;
    }
    collectLoadGarbage();
    phases.push(await phase(rate, index));
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { phases, skippedRates };
}
