import { MessageResponse, SendMessageBody } from "../../protocol/index.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";
import { recallMessage } from "../messaging/recall-message.js";
import { runtimeOf } from "../messaging/runtime.js";
import { sendMessage } from "../messaging/send-message.js";

export const messageRoutes = apiRouter("/api/messages", "messages");

messageRoutes.post(
  "/",
  {
    summary:
      "Send a message to a friend or a group. 201 with the stored message; a retry with the same clientMsgId answers 200 with the same message",
    // The session check rides on the send's rate-limit call to the user's object (sendMessage takes it first).
    auth: "at-limit",
    body: SendMessageBody,
    response: { status: 201, schema: MessageResponse },
    errors: ["forbidden", "not_found", "rate_limited"],
  },
  async (c, { body }) => {
    const { message, created } = await sendMessage(runtimeOf(c), c.var.auth, body);
    return c.json({ message }, created ? 201 : 200);
  },
);

messageRoutes.post(
  "/:id/recall",
  {
    summary:
      "Recall a message: its sender within RECALL_WINDOW_SECONDS, a group owner or admin any time. Its body is cleared for everyone",
    response: { status: 200, schema: MessageResponse },
    errors: ["forbidden", "recall_window_expired", "not_found"],
  },
  async (c) => {
    const message = await recallMessage(runtimeOf(c), c.var.auth, idParam(c, "id", "message"));
    return c.json({ message }, 200);
  },
);
