import * as z from "zod";

/**
 * `GET /api/health` (no auth): the Worker runs and reaches D1. 200 with `d1: "ok"`, else
 * 503 with `ok: false, d1: "down"` (load balancers and the bridge nodes' readiness read it).
 */
export const HealthStatus = z.object({
  ok: z.boolean(),
  d1: z.enum(["ok", "down"]),
});
export type HealthStatus = z.infer<typeof HealthStatus>;
