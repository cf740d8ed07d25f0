import { describe, expect, it } from "vitest";
import { call, errorCode, registerUser } from "./http.js";

// Values a client stores and other clients render: only safe links, no control characters.
describe("input hygiene", () => {
  it("refuses avatar links other than http(s), and control characters in announcements", async () => {
    const u = await registerUser("hyg");
    for (const avatar of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"]) {
      const me = await call("PATCH", "/api/me", { token: u.token, body: { avatar } });
      expect(me.status).toBe(400);
      expect(errorCode(me)).toBe("invalid_body");
      const group = await call("POST", "/api/groups", { token: u.token, body: { name: "g", avatar } });
      expect(group.status).toBe(400);
    }
    expect((await call("PATCH", "/api/me", { token: u.token, body: { avatar: "https://example.com/a.png" } })).status).toBe(200);

    const created = await call("POST", "/api/groups", { token: u.token, body: { name: "g", announcement: "line one\nline two\ttabbed" } });
    expect(created.status).toBe(201);
    expect(created.body.group.announcement).toBe("line one\nline two\ttabbed");
    const nul = await call("PATCH", `/api/groups/${created.body.group.id}`, { token: u.token, body: { announcement: "bad\u0000byte" } });
    expect(nul.status).toBe(400);
  });

  it("answers typing in a conversation that does not exist with 404", async () => {
    const u = await registerUser("typ");
    const res = await call(
      "POST",
      "/api/conversations/d:00000000-0000-4000-8000-000000000000:00000000-0000-4000-8000-000000000001/typing",
      { token: u.token },
    );
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("not_found");
  });
});
