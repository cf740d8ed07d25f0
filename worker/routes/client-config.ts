import { ClientConfig } from "../../protocol/index.js";
import { numberVar } from "../env.js";
import { apiRouter } from "../http/api-router.js";
import { DEFAULT_RECALL_WINDOW_SECONDS } from "../messaging/recall-message.js";

export const clientConfigRoutes = apiRouter("/api/client-config", "client");

// No auth: the web client reads it on its login screen (which gateway to offer).
clientConfigRoutes.get(
  "/",
  {
    summary: "Settings a browser client needs before signing in: the Socket.IO gateway address, the recall window",
    auth: false,
    response: { status: 200, schema: ClientConfig },
  },
  (c) => {
    const socketIoUrl = c.env.SOCKET_IO_URL?.trim() || null;
    const recallWindowSeconds = numberVar(c.env.RECALL_WINDOW_SECONDS, DEFAULT_RECALL_WINDOW_SECONDS);
    return c.json({ socketIoUrl, recallWindowSeconds } satisfies ClientConfig, 200);
  },
);
