import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, registerUser } from "./http.js";

// CORS does not cover WebSocket upgrades: GET /api/ws checks the Origin itself, against
// CORS_ORIGINS (vitest.config.ts allows https://chat.example) and the Worker's own origin.
function upgrade(token: string, origin?: string) {
  return SELF.fetch(`${BASE}/api/ws?token=${encodeURIComponent(token)}`, {
    headers: { Upgrade: "websocket", ...(origin === undefined ? {} : { Origin: origin }) },
  });
}

describe("edge WebSocket origin check", () => {
  it("refuses a foreign origin with 403 forbidden before the upgrade", async () => {
    const user = await registerUser("wso");
    for (const foreign of ["https://evil.example", "null", "https://chat.example.evil.example", "http://chat.example"]) {
      const res = await upgrade(user.token, foreign);
      expect(res.status, foreign).toBe(403);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
  });

  it("accepts no Origin, the Worker's own origin and a listed origin", async () => {
    const user = await registerUser("wsa");
    for (const origin of [undefined, BASE, "https://chat.example"]) {
      const res = await upgrade(user.token, origin);
      expect(res.status, String(origin)).toBe(101);
      res.webSocket!.accept();
      res.webSocket!.close();
    }
  });
});
