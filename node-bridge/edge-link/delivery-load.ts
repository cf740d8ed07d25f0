// How hard the Worker is pushing this node, and whether it should send its deliveries in
// batches (COALESCE_ABOVE; protocol/bridge.ts, BRIDGE_BUSY_HEADER). A call costs the node its
// HTTP exchange, signature check and Redis round trip whatever it carries (bench/README.md,
// "Issue 10"): past a few hundred calls a second that is most of the node's CPU, and a
// batch pays it once for all its deliveries.
//
// Two signs, either one enough: the rate, in fixed one-second buckets (the busier of the
// last whole second and the one under way, so a quiet second clears it), and the calls in
// flight: a node that has BEHIND_IN_FLIGHT deliver calls open at once has fallen behind,
// and asks within milliseconds of a step in load instead of after the bucket fills.

const BUCKET_MS = 1_000;

/**
 * COALESCE_ABOVE's default. Measured one call per delivery, a node spends about 350 µs of
 * CPU on each call it takes (bench/README.md): at 500 a second, a sixth of a core.
 */
export const DEFAULT_COALESCE_ABOVE = 500;

/** Deliver calls open at once from which a node counts as behind (a calm node has a few). */
export const BEHIND_IN_FLIGHT = 16;

export class DeliveryLoad {
  private bucketStart = 0;
  private current = 0;
  private previous = 0;
  private open = 0;

  constructor(
    /** Deliveries a second above which the node asks for batches; 0 never asks. */
    private readonly coalesceAbove: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A deliver call arrived (verified); `leave()` once it is answered. */
  enter(): void {
    this.open++;
  }

  leave(): void {
    this.open--;
  }

  /** `deliveries` were taken (1 for a single call, the batch's length for a batch). */
  count(deliveries: number): void {
    this.roll();
    this.current += deliveries;
  }

  /** Deliveries a second: the busier of the last whole second and this one so far. */
  perSecond(): number {
    this.roll();
    return Math.max(this.previous, this.current);
  }

  /** Should the Worker send its deliveries batched (BRIDGE_BUSY_HEADER)? */
  busy(): boolean {
    return this.coalesceAbove > 0 && (this.perSecond() > this.coalesceAbove || this.open >= BEHIND_IN_FLIGHT);
  }

  private roll(): void {
    const now = this.now();
    const elapsed = now - this.bucketStart;
    if (elapsed < BUCKET_MS) return;
    // A gap of more than one bucket leaves nothing in the last whole second.
    this.previous = elapsed < 2 * BUCKET_MS ? this.current : 0;
    this.current = 0;
    this.bucketStart = now - (elapsed % BUCKET_MS);
  }
}
