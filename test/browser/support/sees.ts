// What a user sees: wait until a locator is visible, or fail naming what never showed up.
import type { Locator } from "playwright-core";

export const SEEN_MS = 20_000;

export async function sees(locator: Locator, what: string, timeout = SEEN_MS): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: "visible", timeout });
  } catch {
    throw new Error(`never saw ${what} within ${timeout} ms`);
  }
  return locator.first();
}
