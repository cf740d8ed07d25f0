// Whether the bridge asked for batches (docs/PROTOCOL.md 7.1, X-Bridge-Busy), per isolate.
// A node sets the header on its deliver answers while it takes more deliveries a second
// than it wants one call each; with BRIDGE_LINK_MODE "busy" (the default) this isolate then
// sends its pushes through the coalescing links until BUSY_HOLD_MS after the last answer
// that asked. Below that load a push is one direct call: no link hop, no batching wait.
// The links' own calls carry the header too, and each link hands back with every push's
// outcome whether its call was asked (LinkedOutcome.bridgeBusy, askedSince), so pushes stay
// batched for as long as the load lasts and no longer.

/** How long one answer asking for batches keeps this isolate's pushes on the links. */
export const BUSY_HOLD_MS = 10_000;

/** When an answer last asked (ms since epoch; 0 = never). */
let lastAsk = 0;

/** A node's answer asked for batches. */
export function noteBridgeBusy(now = Date.now()): void {
  lastAsk = Math.max(lastAsk, now);
}

/** Has a node asked for batches within BUSY_HOLD_MS? */
export function isBridgeBusy(now = Date.now()): boolean {
  return lastAsk > 0 && lastAsk + BUSY_HOLD_MS > now;
}

/** Did an answer ask at or after `since` (a call that started then: was it asked)? */
export function askedSince(since: number): boolean {
  return lastAsk > 0 && lastAsk >= since;
}

/** Forget it (tests). */
export function resetBridgeBusy(): void {
  lastAsk = 0;
}
