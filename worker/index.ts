// The Worker's entry: the Hono app serves HTTP; UserHub is the per-user Durable Object;
// the cron triggers run housekeeping.
import { app } from "./app.js";
import type { Env } from "./env.js";
import { removeUnsentUploads } from "./files/unsent-uploads.js";
import { repushUnpushedMessages } from "./messaging/message-push.js";

/** The every-minute trigger of wrangler.toml: re-push stored messages whose push is not recorded. */
const PUSH_SWEEP_CRON = "* * * * *";

export { UserHub } from "./user-hub/user-hub.js";
export { SignatureLedger } from "./bridge-link/signature-ledger.js";
export { BridgeLink } from "./bridge-link/bridge-link.js";

export default {
  fetch: app.fetch,
  /** The cron triggers of wrangler.toml: housekeeping, never user-facing. */
  async scheduled(controller, env, ctx) {
    if (controller.cron === PUSH_SWEEP_CRON) ctx.waitUntil(repushUnpushedMessages(env, controller.scheduledTime));
    else ctx.waitUntil(removeUnsentUploads(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
