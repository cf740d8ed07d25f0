import type { z } from "zod";
import { MeResponse, Ok, SessionsResponse, type UpdateMeBody } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";

export function meApi(http: HttpClient) {
  return {
    get: async () => (await http.json("GET", "/api/me", MeResponse)).user,
    update: async (body: z.input<typeof UpdateMeBody>) => (await http.json("PATCH", "/api/me", MeResponse, { json: body })).user,
    /** My signed-in devices; `current` marks this one. */
    sessions: async () => (await http.json("GET", "/api/me/sessions", SessionsResponse)).sessions,
    /** Ends another device's session (as its logout would); my own device id logs me out on the server. */
    endSession: async (deviceId: string) => {
      await http.json("DELETE", `/api/me/sessions/${encodeURIComponent(deviceId)}`, Ok);
    },
  };
}
