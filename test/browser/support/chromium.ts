// Debian's Chromium (never a downloaded browser), driven by playwright-core. Outside CI a
// machine without it skips the browser suites with a warning; under CI=true it is an error.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser suites cannot run here ("" when they can). Throws under CI=true. */
export function chromiumMissing(): string {
  const missing = existsSync(CHROMIUM_PATH) ? "" : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (missing && process.env.CI === "true") throw new Error(`CI=true and ${missing}`);
  if (missing) console.warn(`[browser tests] ${missing}: SKIPPED`);
  return missing;
}

/**
 * Headless, sandbox off (CI runs as root), and none of Chromium's own network chatter:
 * this machine's closed network refuses it, many connections at a time.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
