// The reconnect schedule of docs/PROTOCOL.md: 1 s, 2 s, 4 s … capped at 30 s, jittered
// into the upper half of each step.
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../client/index.js";

describe("backoffDelay", () => {
  it("doubles from 1 s to a 30 s cap; jitter keeps each wait between half and all of its step", () => {
    const steps = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
    expect(steps.map((_, k) => backoffDelay(k, {}, () => 1))).toEqual(steps);
    expect(steps.map((_, k) => backoffDelay(k, {}, () => 0))).toEqual(steps.map((s) => s / 2));
    expect(backoffDelay(1_000, {}, () => 1)).toBe(30_000); // no overflow after a long outage
  });

  it("takes its base and cap from the options", () => {
    expect([0, 1, 2, 3].map((k) => backoffDelay(k, { baseMs: 50, capMs: 300 }, () => 1))).toEqual([50, 100, 200, 300]);
  });
});
