import { describe, expect, it } from "vitest";
import { call } from "./http.js";

describe("GET /api/client-config", () => {
  it("tells clients the Socket.IO gateway address and the recall window, without auth", async () => {
    const config = await call("GET", "/api/client-config");
    expect(config.status).toBe(200);
    // wrangler.toml leaves SOCKET_IO_URL empty: no gateway to offer.
    expect(config.body).toEqual({ socketIoUrl: null, recallWindowSeconds: 120 });
  });
});
