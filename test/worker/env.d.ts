// Types of `env` from "cloudflare:test": the Worker's bindings plus the migrations
// the vitest config hands in.
import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../../worker/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** migrations/messages/, applied to each message database. */
      TEST_MESSAGE_MIGRATIONS: D1Migration[];
      MESSAGES_0: D1Database;
      MESSAGES_1: D1Database;
    }
  }
}
