// Worker -> bridge: the signed calls of docs/PROTOCOL.md ("Signed internal calls").
// The bridge is a fast path: if it is down or BRIDGE_URL is empty, the caller's send
// still succeeds (the message is stored; core devices recover it by sync). Failures are
// logged with a running count, so a dead bridge is visible in the Worker's logs.
import { signCall, type SignedCallDirection } from "../../server-auth/signing.js";
import type { Env } from "../env.js";

const TIMEOUT_MS = 5_000;

/** Per isolate: how many bridge calls failed since it started (reported in each warning). */
let failures = 0;
export const bridgeFailureCount = () => failures;

/**
 * POSTs a signed JSON body to `{BRIDGE_URL}{path}`. Never throws. Returns whether the bridge took it.
 * `direction` is signed: the users' Durable Objects call as "hub->bridge", the rest of the Worker as "worker->bridge".
 */
export async function callBridge(
  env: Env,
  path: "/internal/deliver" | "/internal/presence" | "/internal/session-ended",
  payload: unknown,
  direction: SignedCallDirection = "worker->bridge",
): Promise<boolean> {
  const base = env.BRIDGE_URL?.replace(/\/+$/, "");
  if (!base) return false; // edge-only deployment: no core gateways to reach
  if (!env.BRIDGE_SECRET) {
    failures++;
    console.warn(`bridge call ${path} skipped: BRIDGE_URL is set but BRIDGE_SECRET is not (failures: ${failures})`);
    return false;
  }
  const body = JSON.stringify(payload);
  const url = `${base}${path}`;
  try {
    // The endpoint's path is signed, not BRIDGE_URL's own path (a proxy in front may strip a prefix).
    const signature = await signCall(env.BRIDGE_SECRET, { direction, method: "POST", path, body });
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...signature },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.ok) return true;
    failures++;
    console.warn(`bridge call ${path} answered ${response.status} (failures: ${failures}): ${(await response.text()).slice(0, 200)}`);
  } catch (error) {
    failures++;
    console.warn(`bridge call ${path} failed (failures: ${failures}):`, error);
  }
  return false;
}
