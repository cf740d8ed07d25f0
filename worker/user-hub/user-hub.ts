import { DurableObject } from "cloudflare:workers";
import type { ServerEvent } from "../../protocol/index.js";
import type { Env } from "../env.js";

/** One object per user: holds every WebSocket of that user (one per device). */
export class UserHub extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return new Response("not implemented", { status: 501 });
  }

  /** Sends an event to every connected device of this user, except one. Returns how many got it. */
  async push(event: ServerEvent, exceptDeviceId?: string): Promise<number> {
    void event;
    void exceptDeviceId;
    return 0;
  }
}
