// Whether the bridge asked for batches (docs/PROTOCOL.md 7.1, X-Bridge-Busy), per isolate.
// A node sets the header on its deliver answers while it takes more deliveries a second
// than it wants one call each; with BRIDGE_LINK_MODE "busy" (the default) this isolate then
// sends its pushes through the coalescing links until BUSY_HOLD_MS after the last answer
// that asked. Below that load a push is one direct call: no link hop, no batching wait.
// The links' own calls carry the header too, and each link hands it back with every push's
// outcome (LinkedOutcome.bridgeBusy), so pushes stay batched for as long as the load lasts.

/** How long one answer asking for batches keeps this isolate's pushes on the links. */
export const BUSY_HOLD_MS = 10_000;

let busyUntil = 0;

/** A node's answer asked for batches. */
export function noteBridgeBusy(now = Date.now()): void {
  busyUntil = now + BUSY_HOLD_MS;
}

/** Has a node asked for batches within BUSY_HOLD_MS? */
export function isBridgeBusy(now = Date.now()): boolean {
  return busyUntil > now;
}

/** Forget it (tests). */
export function resetBridgeBusy(): void {
  busyUntil = 0;
}
