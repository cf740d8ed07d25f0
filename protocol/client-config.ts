import * as z from "zod";

/**
 * What a browser client learns before signing in (`GET /api/client-config`, no auth): the
 * deployment's own settings, so the web client is built once and runs against any Worker.
 */
export const ClientConfig = z.object({
  /** The public Socket.IO gateway address (a bridge node), or null when there is none. */
  socketIoUrl: z.string().nullable(),
  /** How long a sender may recall a message (the Worker's RECALL_WINDOW_SECONDS). */
  recallWindowSeconds: z.number().int().positive(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;
