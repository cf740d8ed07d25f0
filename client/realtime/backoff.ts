export interface BackoffOptions {
  /** The first wait (default 1 s); it doubles with each failed attempt... */
  baseMs?: number;
  /** ...up to this (default 30 s). */
  capMs?: number;
}

/**
 * How long to wait before reconnect attempt `attempt` (0-based): base · 2^attempt, capped,
 * then jittered into its upper half, so clients dropped together by one failure do not
 * come back in step while the progression (1 s, 2 s, 4 s … 30 s) stays recognisable.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = 1_000, capMs = 30_000 } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
