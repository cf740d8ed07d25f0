// One JSON log line per request (request id, method, route pattern, status, duration),
// and the request id: the caller's X-Request-Id if well-formed, else a fresh UUID, returned
// in the answer's X-Request-Id and carried to the bridge (worker/logging/request-context.ts).
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { TRACE_HEADER } from "../../protocol/index.js";
import type { AppEnv } from "../env.js";
import { requestIdFrom, withRequestId } from "../logging/request-context.js";

export interface RequestLogEntry {
  requestId: string;
  method: string;
  /** The matched route's pattern ("/api/groups/:id"), never the raw path: ids stay out of the index. */
  route: string;
  status: number;
  durationMs: number;
}

/** The log line of one request (a unit the tests can read). */
export function requestLogLine(entry: RequestLogEntry): string {
  return JSON.stringify({ level: "info", msg: "request", ...entry });
}

export const requestLog = createMiddleware<AppEnv>(async function requestLog(c, next) {
  const requestId = requestIdFrom(c.req.header(TRACE_HEADER));
  // Workers freeze the clock during pure CPU work: this measures time spent waiting on I/O.
  const started = Date.now();
  await withRequestId(requestId, next);
  try {
    c.res.headers.set(TRACE_HEADER, requestId);
  } catch {
    // An immutable answer (a WebSocket upgrade from the Durable Object): the log line still says it.
  }
  const route = routePath(c, -1) || c.req.path;
  console.log(requestLogLine({ requestId, method: c.req.method, route, status: c.res.status, durationMs: Date.now() - started }));
});
