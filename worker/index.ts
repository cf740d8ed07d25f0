// The Worker's entry: the Hono app serves HTTP; UserHub is the per-user Durable Object.
import { app } from "./app.js";
import type { Env } from "./env.js";

export { UserHub } from "./user-hub/user-hub.js";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
