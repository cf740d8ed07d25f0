import { HealthStatus } from "../../protocol/index.js";
import { apiRouter } from "../http/api-router.js";
import { logJson } from "../logging/request-context.js";

export const healthRoutes = apiRouter("/api/health", "health");

// No auth: load balancers, uptime checks and the bridge nodes' readiness (GET /readyz) call it.
healthRoutes.get(
  "/",
  {
    summary: "Is the Worker up and does it reach D1? 200 { ok: true, d1: \"ok\" }, else 503 { ok: false, d1: \"down\" }",
    auth: false,
    response: { status: 200, schema: HealthStatus },
  },
  async (c) => {
    try {
      await c.env.DB.prepare("SELECT 1").first();
      return c.json({ ok: true, d1: "ok" } satisfies HealthStatus, 200, { "Cache-Control": "no-store" });
    } catch (error) {
      logJson("error", "health check: D1 unreachable", { error });
      return c.json({ ok: false, d1: "down" } satisfies HealthStatus, 503, { "Cache-Control": "no-store" });
    }
  },
);
