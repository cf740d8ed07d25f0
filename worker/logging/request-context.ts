// The request id of the request being served, and JSON log lines that carry it. Kept in
// an AsyncLocalStorage (workerd, `nodejs_compat`), so work the request started after its
// response (waitUntil: pushes, the bridge call) still knows it, without threading an id
// through every function. Workers Logs indexes the fields of a JSON line.
import { AsyncLocalStorage } from "node:async_hooks";
import { TRACE_HEADER, TraceId } from "../../protocol/index.js";

const context = new AsyncLocalStorage<{ requestId: string }>();

/** The caller's X-Request-Id if well-formed (protocol/bridge.ts TraceId), else a fresh one. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && TraceId.safeParse(header).success ? header : crypto.randomUUID();
}

/** Runs `callback` (and everything it starts) under this request id. */
export function withRequestId<R>(requestId: string, callback: () => R): R {
  return context.run({ requestId }, callback);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/** The request id as a header for calls to the bridge: outside the signature, a log label only. */
export function traceHeaders(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [TRACE_HEADER]: requestId } : {};
}

type Level = "info" | "warn" | "error";

/** One JSON log line: level, msg, the current request id, then `fields`. */
export function logLine(level: Level, msg: string, fields: Record<string, unknown> = {}): string {
  const requestId = currentRequestId();
  return JSON.stringify({ level, msg, ...(requestId ? { requestId } : {}), ...fields }, (_key, value: unknown) =>
    value instanceof Error ? `${value.name}: ${value.message}` : value,
  );
}

export function logJson(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = logLine(level, msg, fields);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
