import type { z } from "zod";
import { MeResponse, type UpdateMeBody } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";

export function meApi(http: HttpClient) {
  return {
    get: async () => (await http.json("GET", "/api/me", MeResponse)).user,
    update: async (body: z.input<typeof UpdateMeBody>) => (await http.json("PATCH", "/api/me", MeResponse, { json: body })).user,
  };
}
