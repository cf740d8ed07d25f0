import { describe, expect, it } from "vitest";
import { MAX_TEXT_LENGTH } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { befriend, registerUser, send } from "./messaging-fixtures.js";

describe("text limit and file names", () => {
  it("counts the text limit in UTF-16 code units, as documented: an emoji counts 2", async () => {
    const [alice, bob] = [await registerUser("ta"), await registerUser("tb")];
    await befriend(alice, bob);
    const to = { userId: bob.user.id };
    const emoji = "😀"; // 1 code point, 2 UTF-16 code units
    const fits = await send(alice, { to, clientMsgId: "t-1", kind: "text", body: { text: emoji.repeat(MAX_TEXT_LENGTH / 2) } });
    expect(fits.status).toBe(201);
    const over = await send(alice, { to, clientMsgId: "t-2", kind: "text", body: { text: emoji.repeat(MAX_TEXT_LENGTH / 2) + "a" } });
    expect(over.status).toBe(400);
    expect(errorCode(over)).toBe("invalid_body");
  });

  it("refuses a file name with bidirectional controls (a right-to-left override hides the real extension)", async () => {
    const alice = await registerUser("tn");
    const upload = (name: string) =>
      call("POST", `/api/files?kind=file&name=${encodeURIComponent(name)}`, {
        token: alice.token,
        rawBody: new Uint8Array([1, 2, 3]),
        headers: { "Content-Type": "application/octet-stream" },
      });
    for (const name of ["invoice\u202Efdp.exe", "a\u202Ab.txt", "a\u2066b\u2069.txt", "a\u200Fb.txt", "a\u061Cb.txt", "a\u0007b.txt"]) {
      const res = await upload(name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(errorCode(res)).toBe("invalid_query");
    }
    // Right-to-left text itself is fine.
    expect((await upload("تقرير report.txt")).status).toBe(201);
  });
});
