// Worker -> bridge: the signed calls of docs/PROTOCOL.md ("Signed internal calls").
// The bridge is a fast path: if it is down or no bridge is configured, the caller's send
// still succeeds (the message is stored; core devices recover it by sync). Failures are
// logged with a running count, so a dead bridge is visible in the Worker's logs.
//
// Several bridge nodes (BRIDGE_URLS) and failover: any node of a core can take any call
// (it routes through Redis and RabbitMQ). A call with an entry key (a push: its
// conversation) starts at the node the key hashes to and goes on down the list from there,
// so the entry work spreads over every node while the pushes of one conversation keep
// entering by one node, in order; a call without one starts at the first node. It moves to
// the next node on a network error, a timeout or a 5xx. A node that failed
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
import { BRIDGE_BUSY_HEADER, DeliverBatchAnswer, type DeliverRequest } from "../../protocol/index.js";
import { signCall, type SignedCallDirection } from "../../server-auth/signing.js";
import type { Env } from "../env.js";
import { traceHeaders } from "../logging/request-context.js";
import { stableHash } from "../stable-hash.js";
import { noteBridgeBusy } from "./bridge-busy.js";

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

/**
 * The order to try: from the entry key's node (the first without a key) round the list,
 * the nodes not marked down, then the down ones, soonest back first.
 */
export function attemptOrder(urls: string[], now: number, entryKey?: string): string[] {
  const start = entryKey === undefined ? 0 : stableHash(entryKey) % urls.length;
  const rotated = [...urls.slice(start), ...urls.slice(0, start)];
  const isUp = (url: string) => (downUntil.get(url) ?? 0) <= now;
  const down = rotated.filter((url) => !isUp(url)).sort((a, b) => downUntil.get(a)! - downUntil.get(b)!);
  return [...rotated.filter(isUp), ...down];
}

/** Whether a bridge is configured and every node of it is marked down in this isolate now. */
export function isEveryBridgeNodeDown(env: Pick<Env, "BRIDGE_URL" | "BRIDGE_URLS">, now = Date.now()): boolean {
  const urls = bridgeUrls(env);
  return urls.length > 0 && urls.every((url) => (downUntil.get(url) ?? 0) > now);
}

/**
 * Marks every node down in this isolate, as if each had just failed here: a bridge link
 * (worker/bridge-link/bridge-link.ts) saw them all down in its own isolate.
 */
export function markEveryNodeDown(env: Pick<Env, "BRIDGE_URL" | "BRIDGE_URLS">, now = Date.now()): void {
  for (const url of bridgeUrls(env)) downUntil.set(url, now + DOWN_FOR_MS);
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

/**
 * What one attempt (one node) came to: taken (2xx), refused (4xx: our call is wrong), down
 * (anything else), or, for a batch answered 503 with its results, taken for some deliveries
 * (`taken[i]` for the i-th delivery sent in that attempt) and down for the rest.
 */
type Answer = { kind: "taken" } | { kind: "partial"; taken: boolean[]; detail: string } | { kind: "refused" | "down"; detail: string };

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
  entryKey?: string,
): BridgeCall {
  let markIssued: () => void = () => {};
  const issued = new Promise<void>((resolve) => (markIssued = resolve));
  const outcome = runCall(env, path, 1, () => payload, direction, markIssued, false, entryKey)
    .then((outcomes) => outcomes[0]!)
    .catch((error: unknown) => {
      console.warn(`bridge call ${path} failed before any attempt`, error);
      return "failed" as const;
    })
    .finally(markIssued);
  return { issued, outcome };
}

/**
 * Several deliveries in one signed call, the batch form of /internal/deliver
 * (DeliverBatchRequest, at most MAX_DELIVERIES_PER_BATCH deliveries and
 * MAX_BATCH_RECIPIENTS recipients: the caller keeps within them). The same failover,
 * timeouts and late answers as one delivery; the outcome of each delivery, in order. A
 * batch answered 503 with its results counts each delivery by its own result, and sends
 * only the ones that failed on to the next node (a call of their own, signed afresh).
 * Never throws.
 */
export async function callBridgeBatch(env: Env, deliveries: readonly DeliverRequest[], entryKey?: string): Promise<BridgeOutcome[]> {
  try {
    const payloadOf = (indices: number[]) => ({ deliveries: indices.map((i) => deliveries[i]!) });
    return await runCall(env, "/internal/deliver", deliveries.length, payloadOf, "worker->bridge", () => {}, true, entryKey);
  } catch (error) {
    console.warn(`bridge batch call failed before any attempt`, error);
    return deliveries.map(() => "failed" as const);
  }
}

/**
 * One call of `units` parts (1, or the deliveries of a batch). `payloadOf(indices)` is the
 * body for those parts: every attempt sends the parts no node took yet. Returns the outcome
 * of each part.
 */
async function runCall(
  env: Env,
  path: BridgePath,
  units: number,
  payloadOf: (indices: number[]) => unknown,
  direction: SignedCallDirection,
  onIssued: () => void,
  isBatch: boolean,
  entryKey: string | undefined,
): Promise<BridgeOutcome[]> {
  const all = (outcome: BridgeOutcome) => Array.from({ length: units }, () => outcome);
  const urls = bridgeUrls(env);
  if (urls.length === 0) return all("no-bridge"); // edge-only deployment: no core gateways to reach
  if (!env.BRIDGE_SECRET) {
    counts.failures++;
    console.warn(`bridge call ${path} skipped: a bridge is configured but BRIDGE_SECRET is not (failures: ${counts.failures})`);
    return all("failed");
  }
  const taken = Array.from({ length: units }, () => false);
  let remaining = taken.map((_, i) => i);
  /** Attempts that timed out, each resolving to the parts its node took after all. */
  const late: Promise<number[]>[] = [];
  for (const base of attemptOrder(urls, Date.now(), entryKey)) {
    const sent = remaining;
    const body = JSON.stringify(payloadOf(sent));
    const startedAt = Date.now();
    const answer = attempt(env.BRIDGE_SECRET, base, path, body, direction, onIssued, isBatch ? sent.length : 0);
    const inTime = await withinAttemptTimeout(answer);
    if (inTime === "timeout") {
      counts.timeouts++;
      downUntil.set(base, Date.now() + DOWN_FOR_MS); // tried last until it answers
      console.warn(
        `bridge call ${path} to ${base} timed out after ${ATTEMPT_TIMEOUT_MS} ms (not a failure yet: its answer is awaited up to ${LATE_ANSWER_MS} ms; timeouts: ${counts.timeouts})`,
      );
      late.push(answer.then((settled) => settleLate(base, path, settled, startedAt, sent)));
      continue;
    }
    if (inTime.kind === "taken") {
      downUntil.delete(base);
      for (const i of sent) taken[i] = true;
      return outcomes(taken);
    }
    counts.failures++;
    console.warn(`bridge call ${path} to ${base} failed (failures: ${counts.failures}): ${inTime.detail}`);
    if (inTime.kind === "refused") break; // a 4xx is the same on every node: no failover
    downUntil.set(base, Date.now() + DOWN_FOR_MS);
    if (inTime.kind === "partial") {
      sent.forEach((i, k) => (taken[i] = inTime.taken[k]!));
      remaining = sent.filter((_, k) => !inTime.taken[k]);
      if (remaining.length === 0) return outcomes(taken);
    }
  }
  // No node took every part in time; one that timed out may still take some.
  await lateAnswers(late, taken);
  return outcomes(taken);
}

const outcomes = (taken: boolean[]): BridgeOutcome[] => taken.map((t) => (t ? "taken" : "failed"));

/** The answer of a timed-out attempt (the parts `sent`): a late success lifts the node's down mark; returns the parts taken. */
function settleLate(base: string, path: string, answer: Answer, startedAt: number, sent: number[]): number[] {
  const ms = Date.now() - startedAt;
  if (answer.kind === "taken") {
    counts.lateSuccesses++;
    downUntil.delete(base);
    console.warn(`bridge call ${path} to ${base} succeeded late, after ${ms} ms: the node took it (late successes: ${counts.lateSuccesses})`);
    return sent;
  }
  counts.failures++;
  if (answer.kind !== "refused") downUntil.set(base, Date.now() + DOWN_FOR_MS);
  console.warn(`bridge call ${path} to ${base} failed ${ms} ms after it started, having timed out (failures: ${counts.failures}): ${answer.detail}`);
  return answer.kind === "partial" ? sent.filter((_, k) => answer.taken[k]) : [];
}

/** Marks in `taken` what the late answers took; done once every part is taken or every late answer is in. */
function lateAnswers(late: Promise<number[]>[], taken: boolean[]): Promise<void> {
  if (late.length === 0 || taken.every(Boolean)) return Promise.resolve();
  return new Promise((resolve) => {
    let pending = late.length;
    for (const answer of late) {
      void answer.then((parts) => {
        for (const i of parts) taken[i] = true;
        if (taken.every(Boolean) || --pending === 0) resolve();
      });
    }
  });
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

/** Whether each delivery of a batch answer was taken (DeliverBatchAnswer), or undefined if the body is not one of `count` results. */
function batchResults(text: string, count: number): boolean[] | undefined {
  try {
    const answer = DeliverBatchAnswer.safeParse(JSON.parse(text));
    if (!answer.success || answer.data.results.length !== count) return undefined;
    return answer.data.results.map((result) => result.status === 200);
  } catch {
    return undefined;
  }
}

/** One signed POST to one node, given up LATE_ANSWER_MS after it started. Never throws. */
async function attempt(
  secret: string,
  base: string,
  path: string,
  body: string,
  direction: SignedCallDirection,
  onIssued: () => void,
  batchOf: number,
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
    if (response.headers.get(BRIDGE_BUSY_HEADER) === "1") noteBridgeBusy();
    if (response.ok) return { kind: "taken" };
    const detail = `answered ${response.status}: ${text.slice(0, 200)}`;
    if (batchOf > 0 && response.status === 503) {
      const results = batchResults(text, batchOf);
      if (results) return { kind: "partial", taken: results, detail };
    }
    return { kind: response.status >= 400 && response.status < 500 ? "refused" : "down", detail };
  } catch (error) {
    return { kind: "down", detail: String(error) };
  } finally {
    clearTimeout(timer);
  }
}
