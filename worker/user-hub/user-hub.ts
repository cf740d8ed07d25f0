import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";

/** One object per user: holds every WebSocket of that user (one per device). */
export class UserHub extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return new Response("not implemented", { status: 501 });
  }
}
