// GET /healthz, /readyz (both ports) and GET / (the public port): answers for load
// balancers and orchestrators. Plain node:http handlers; false = not one of these paths.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readiness } from "./readiness.js";

export interface HealthRoutesDeps {
  nodeId: string;
  mode: "core" | "embedded";
  readiness: Readiness;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(body));
}

/** Answers the health paths (and `/` when `root` is set); returns false for any other request. */
export function healthRoutes(deps: HealthRoutesDeps, options: { root: boolean }) {
  return function answerHealth(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const path = new URL(request.url ?? "/", "http://node").pathname;
    const who = { nodeId: deps.nodeId, mode: deps.mode };
    if (path === "/healthz" || (options.root && path === "/")) {
      sendJson(response, 200, { ok: true, ...who, ...(path === "/" ? { service: "edge-im bridge node (Socket.IO at /socket.io/)" } : {}) });
      return true;
    }
    if (path === "/readyz") {
      deps.readiness
        .check()
        .then(({ ready, checks, stopping }) => {
          const down = Object.entries(checks).filter(([, state]) => state === "down").map(([name]) => name);
          if (stopping) down.push("shutting_down");
          sendJson(response, ready ? 200 : 503, { ok: ready, ...who, checks, ...(ready ? {} : { down }) });
        })
        .catch((error: unknown) => sendJson(response, 503, { ok: false, ...who, error: String(error) }));
      return true;
    }
    return false;
  };
}
