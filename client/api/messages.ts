import type { z } from "zod";
import { MessageResponse, type SendMessageBody } from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";
import { newClientMsgId } from "../ids.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A send as the app writes it: the clientMsgId may be left out (one is made up). */
export type SendInput = DistributiveOmit<z.input<typeof SendMessageBody>, "clientMsgId"> & { clientMsgId?: string };

export function messagesApi(http: HttpClient) {
  return {
    /**
     * Stores a message (201), or answers the one already stored under this clientMsgId
     * (200): reuse the id for every retry of the same send.
     */
    send: async (input: SendInput) => {
      const body = { ...input, clientMsgId: input.clientMsgId ?? newClientMsgId() };
      return (await http.json("POST", "/api/messages", MessageResponse, { json: body })).message;
    },
    /** The recalled message: `body: {}`, `recalledAt` set. */
    recall: async (messageId: string) => (await http.json("POST", `/api/messages/${seg(messageId)}/recall`, MessageResponse)).message,
  };
}
