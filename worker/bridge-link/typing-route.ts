// The HTTP twin of the edge's `typing` frame. Socket.IO gateways hold no logic: they
// forward a client's `typing` event here with the user's own token, and the Worker
// relays it to the other members exactly as it does for an edge frame.
import { Ok } from "../../protocol/index.js";
import { apiRouter } from "../http/api-router.js";
import { parseConversationId } from "../messaging/conversation-access.js";
import { runtimeOf } from "../messaging/runtime.js";
import { relayTyping } from "../messaging/typing.js";

export const typingRoutes = apiRouter("/api/conversations", "conversations");

typingRoutes.post(
  "/:id/typing",
  {
    summary: "Tell the other members I am typing: relayed as a `typing` push, never stored (the Socket.IO gateways use it)",
    response: { status: 200, schema: Ok },
    errors: ["forbidden", "not_found", "rate_limited"],
  },
  async (c) => {
    await relayTyping(runtimeOf(c), c.var.auth, parseConversationId(c.req.param("id")));
    return c.json({ ok: true as const }, 200);
  },
);
