// Worker -> bridge: the signed calls of docs/PROTOCOL.md ("Signed internal calls").
// The bridge is a fast path: if it is down or no bridge is configured, the caller's send
// still succeeds (the message is stored; core devices recover it by sync). Failures are
// logged with a running count, so a dead bridge is visible in the Worker's logs.
//
// Several bridge nodes (BRIDGE_URLS) and failover: any node of a core can take any call
// (it routes through Redis and RabbitMQ), so a call tries the nodes in their configured
// order and moves to the next on a network error, a timeout or a 5xx. A node that failed
// is marked down in this isolate for DOWN_FOR_MS and tried last meanwhile, so a dead node
// costs one detection (at most ATTEMPT_TIMEOUT_MS), not a timeout on every call.
import { signCall, type SignedCallDirection } from "../../server-auth/signing.js";
import type { Env } from "../env.js";
import { traceHeaders } from "../logging/request-context.js";

/** Per attempt (per node): a healthy node answers in milliseconds; a hung one must not hold a push. */
export const ATTEMPT_TIMEOUT_MS = 2_000;
/** How long a node that failed is tried last in this isolate. */
export const DOWN_FOR_MS = 15_000;

/** Per isolate: node address -> until when it counts as down (ms since epoch). */
const downUntil = new Map<string, number>();

/** What became of a call: a node took it, there is no bridge to call (edge only), or every node failed. */
export type BridgeOutcome = "taken" | "no-bridge" | "failed";

/**
 * The bridge nodes' internal addresses: BRIDGE_URLS (comma-separated), or else BRIDGE_URL
 * as a one-element list. Trailing slashes dropped, duplicates and blanks removed.
 */
export function bridgeUrls(env: Pick<Env, "BRIDGE_URL" | "BRIDGE_URLS">): string[] {
  const list = env.BRIDGE_URLS?.trim() ? env.BRIDGE_URLS : (env.BRIDGE_URL ?? "");
  return [...new Set(list.split(",").map((url) => url.trim().replace(/\/+$/, "")).filter((url) => url !== ""))];
}

/** The order to try: nodes not marked down in configured order, then the down ones, soonest back first. */
function attemptOrder(urls: string[], now: number): string[] {
  const isUp = (url: string) => (downUntil.get(url) ?? 0) <= now;
  const down = urls.filter((url) => !isUp(url)).sort((a, b) => downUntil.get(a)! - downUntil.get(b)!);
  return [...urls.filter(isUp), ...down];
}

/** Whether a bridge is configured and every node of it is marked down in this isolate now. */
export function isEveryBridgeNodeDown(env: Pick<Env, "BRIDGE_URL" | "BRIDGE_URLS">, now = Date.now()): boolean {
  const urls = bridgeUrls(env);
  return urls.length > 0 && urls.every((url) => (downUntil.get(url) ?? 0) > now);
}

/** Forget every down mark (tests). */
export function resetBridgeHealth(): void {
  downUntil.clear();
}

/** Per isolate: how many bridge calls failed since it started (reported in each warning). */
let failures = 0;
export const bridgeFailureCount = () => failures;

/**
 * POSTs a signed JSON body to `{node}{path}` for the first bridge node that takes it (see
 * the top of this file). Never throws. Each attempt is signed afresh: receivers refuse a
 * signature they saw before, and a node that timed out may have taken the call after all.
 * `direction` is signed: the users' Durable Objects call as "hub->bridge", the rest of the Worker as "worker->bridge".
 */
export async function callBridge(
  env: Env,
  path: "/internal/deliver" | "/internal/presence" | "/internal/session-ended",
  payload: unknown,
  direction: SignedCallDirection = "worker->bridge",
): Promise<BridgeOutcome> {
  const urls = bridgeUrls(env);
  if (urls.length === 0) return "no-bridge"; // edge-only deployment: no core gateways to reach
  if (!env.BRIDGE_SECRET) {
    failures++;
    console.warn(`bridge call ${path} skipped: a bridge is configured but BRIDGE_SECRET is not (failures: ${failures})`);
    return "failed";
  }
  const body = JSON.stringify(payload);
  for (const base of attemptOrder(urls, Date.now())) {
    const answer = await attempt(env.BRIDGE_SECRET, base, path, body, direction);
    if (answer === "taken") {
      downUntil.delete(base);
      return "taken";
    }
    failures++;
    if (answer === "refused") return "failed"; // a 4xx is the same on every node: no failover
    downUntil.set(base, Date.now() + DOWN_FOR_MS);
  }
  return "failed";
}

/** One signed POST to one node: taken (2xx), refused (4xx: our call is wrong) or down (anything else). */
async function attempt(
  secret: string,
  base: string,
  path: string,
  body: string,
  direction: SignedCallDirection,
): Promise<"taken" | "refused" | "down"> {
  try {
    // The endpoint's path is signed, not the node address's own path (a proxy in front may strip a prefix).
    const signature = await signCall(secret, { direction, method: "POST", path, body });
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      // The request id rides outside the signature: a log label for the nodes, nothing more.
      headers: { "Content-Type": "application/json", ...signature, ...traceHeaders() },
      body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    if (response.ok) return "taken";
    console.warn(`bridge call ${path} to ${base} answered ${response.status} (failures: ${failures + 1}): ${(await response.text()).slice(0, 200)}`);
    return response.status >= 400 && response.status < 500 ? "refused" : "down";
  } catch (error) {
    console.warn(`bridge call ${path} to ${base} failed (failures: ${failures + 1}):`, error);
    return "down";
  }
}
