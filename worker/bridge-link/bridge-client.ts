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
//
// A timeout is not a failure yet. A node under load (a few hundred calls a second) may
// answer seconds late, and it did take the call: the attempt is not aborted but still
// awaited, up to LATE_ANSWER_MS from its start, while the call moves on to the next node.
// Its answer then decides: a 2xx is a late success (counted and logged as such, and the
// node's down mark is lifted at once: it is slow, not dead), anything else or no answer
// at all is a failure. Until then the node is only tried last, like a failed one, so a
// hung node still costs one detection. A call that no node took in time is "taken" if a
// late answer takes it: the push was made, and the sweep need not push it again. A call
// that timed out on one node and was taken by the next may reach core devices twice:
// pushes are at least once, clients drop duplicates by id.
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

/**
 * How long an attempt that timed out is still awaited (from its start): a 2xx within it
 * is a late success, not a failure. Within a waitUntil's 30 s.
 */
export const LATE_ANSWER_MS = 15_000;

/**
 * Per isolate, since it started (reported in each warning): `failures` are attempts a node
 * refused, failed or never answered; `timeouts` attempts without an answer within
 * ATTEMPT_TIMEOUT_MS (each ends later as a late success or a failure); `lateSuccesses`
 * attempts a node took after their timeout.
 */
const counts = { failures: 0, timeouts: 0, lateSuccesses: 0 };
export const bridgeCallCounts = (): Readonly<typeof counts> => ({ ...counts });

/** What one attempt (one node) came to: taken (2xx), refused (4xx: our call is wrong) or down (anything else). */
type Answer = { kind: "taken" } | { kind: "refused" | "down"; detail: string };

/** A call under way: `issued` settles once its first request left (or it made none), `outcome` when it is decided. */
export interface BridgeCall {
  issued: Promise<void>;
  outcome: Promise<BridgeOutcome>;
}

/**
 * POSTs a signed JSON body to `{node}{path}` for the first bridge node that takes it (see
 * the top of this file). Never throws. Each attempt is signed afresh: receivers refuse a
 * signature they saw before, and a node that timed out may have taken the call after all.
 * `direction` is signed: the users' Durable Objects call as "hub->bridge", the rest of the Worker as "worker->bridge".
 */
export function callBridge(
  env: Env,
  path: BridgePath,
  payload: unknown,
  direction: SignedCallDirection = "worker->bridge",
): Promise<BridgeOutcome> {
  return startBridgeCall(env, path, payload, direction).outcome;
}

type BridgePath = "/internal/deliver" | "/internal/presence" | "/internal/session-ended";

/**
 * callBridge for a caller that must know when the request left: deliver() waits for
 * `issued` before it fans out to the Durable Objects, so the core's users are not queued
 * behind the edge's calls.
 */
export function startBridgeCall(
  env: Env,
  path: BridgePath,
  payload: unknown,
  direction: SignedCallDirection = "worker->bridge",
): BridgeCall {
  let markIssued: () => void = () => {};
  const issued = new Promise<void>((resolve) => (markIssued = resolve));
  const outcome = runCall(env, path, payload, direction, markIssued)
    .catch((error: unknown) => {
      console.warn(`bridge call ${path} failed before any attempt`, error);
      return "failed" as const;
    })
    .finally(markIssued);
  return { issued, outcome };
}

async function runCall(env: Env, path: BridgePath, payload: unknown, direction: SignedCallDirection, onIssued: () => void): Promise<BridgeOutcome> {
  const urls = bridgeUrls(env);
  if (urls.length === 0) return "no-bridge"; // edge-only deployment: no core gateways to reach
  if (!env.BRIDGE_SECRET) {
    counts.failures++;
    console.warn(`bridge call ${path} skipped: a bridge is configured but BRIDGE_SECRET is not (failures: ${counts.failures})`);
    return "failed";
  }
  const body = JSON.stringify(payload);
  /** Attempts that timed out, each resolving to whether its node took the call after all. */
  const late: Promise<boolean>[] = [];
  for (const base of attemptOrder(urls, Date.now())) {
    const startedAt = Date.now();
    const answer = attempt(env.BRIDGE_SECRET, base, path, body, direction, onIssued);
    const inTime = await withinAttemptTimeout(answer);
    if (inTime === "timeout") {
      counts.timeouts++;
      downUntil.set(base, Date.now() + DOWN_FOR_MS); // tried last until it answers
      console.warn(
        `bridge call ${path} to ${base} timed out after ${ATTEMPT_TIMEOUT_MS} ms (not a failure yet: its answer is awaited up to ${LATE_ANSWER_MS} ms; timeouts: ${counts.timeouts})`,
      );
      late.push(answer.then((settled) => settleLate(base, path, settled, startedAt)));
      continue;
    }
    if (inTime.kind === "taken") {
      downUntil.delete(base);
      return "taken";
    }
    counts.failures++;
    console.warn(`bridge call ${path} to ${base} failed (failures: ${counts.failures}): ${inTime.detail}`);
    if (inTime.kind === "refused") break; // a 4xx is the same on every node: no failover
    downUntil.set(base, Date.now() + DOWN_FOR_MS);
  }
  // No node took it in time; one that timed out may still take it.
  return (await anyTrue(late)) ? "taken" : "failed";
}

/** The answer of a timed-out attempt: a late success lifts the node's down mark; anything else is a failure. */
function settleLate(base: string, path: string, answer: Answer, startedAt: number): boolean {
  const ms = Date.now() - startedAt;
  if (answer.kind === "taken") {
    counts.lateSuccesses++;
    downUntil.delete(base);
    console.warn(`bridge call ${path} to ${base} succeeded late, after ${ms} ms: the node took it (late successes: ${counts.lateSuccesses})`);
    return true;
  }
  counts.failures++;
  if (answer.kind === "down") downUntil.set(base, Date.now() + DOWN_FOR_MS);
  console.warn(`bridge call ${path} to ${base} failed ${ms} ms after it started, having timed out (failures: ${counts.failures}): ${answer.detail}`);
  return false;
}

/** The answer, or "timeout" once ATTEMPT_TIMEOUT_MS passed without one (the attempt goes on). */
async function withinAttemptTimeout(answer: Promise<Answer>): Promise<Answer | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ATTEMPT_TIMEOUT_MS)));
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True as soon as one of them is true; false once all are false (or there are none). */
function anyTrue(flags: Promise<boolean>[]): Promise<boolean> {
  if (flags.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let pending = flags.length;
    for (const flag of flags) {
      void flag.then((value) => {
        if (value) resolve(true);
        else if (--pending === 0) resolve(false);
      });
    }
  });
}

/** One signed POST to one node, given up LATE_ANSWER_MS after it started. Never throws. */
async function attempt(
  secret: string,
  base: string,
  path: string,
  body: string,
  direction: SignedCallDirection,
  onIssued: () => void,
): Promise<Answer> {
  // A timer cleared once the answer is read: neither an unread body nor a pending timer may
  // hold the caller's context (a Durable Object's socket events wait for it) for LATE_ANSWER_MS.
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(new Error(`no answer within ${LATE_ANSWER_MS} ms`)), LATE_ANSWER_MS);
  try {
    // The endpoint's path is signed, not the node address's own path (a proxy in front may strip a prefix).
    const signature = await signCall(secret, { direction, method: "POST", path, body });
    const request = fetch(`${base}${path}`, {
      method: "POST",
      // The request id rides outside the signature: a log label for the nodes, nothing more.
      headers: { "Content-Type": "application/json", ...signature, ...traceHeaders() },
      body,
      signal: giveUp.signal,
    });
    onIssued();
    const response = await request;
    const text = await response.text(); // read to the end: the connection is free again
    if (response.ok) return { kind: "taken" };
    const detail = `answered ${response.status}: ${text.slice(0, 200)}`;
    return { kind: response.status >= 400 && response.status < 500 ? "refused" : "down", detail };
  } catch (error) {
    return { kind: "down", detail: String(error) };
  } finally {
    clearTimeout(timer);
  }
}
