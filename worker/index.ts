// The Worker's entry: the Hono app serves HTTP; UserHub is the per-user Durable Object;
// the cron triggers run housekeeping.
import { app } from "./app.js";
import type { Env } from "./env.js";
import { removeUnsentUploads } from "./files/unsent-uploads.js";

export { UserHub } from "./user-hub/user-hub.js";
export { SignatureLedger } from "./bridge-link/signature-ledger.js";

export default {
  fetch: app.fetch,
  /** The cron triggers of wrangler.toml: housekeeping, never user-facing. */
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(removeUnsentUploads(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
