// Upload limits: LIMIT_UPLOADS (10 a minute per user, the default) and the per-user storage
// quota STORAGE_QUOTA_BYTES (12 MiB in vitest.config.ts; 1 GiB by default).
import { describe, expect, it } from "vitest";
import type { FileInfo } from "../../protocol/index.js";
import { call, errorCode, registerUser } from "./http.js";

const MiB = 1024 * 1024;

function upload(token: string, bytes: number, kind = "image", type = "image/png") {
  return call<{ file: FileInfo }>("POST", `/api/files?kind=${kind}&name=f.bin`, {
    token,
    rawBody: new Uint8Array(bytes),
    headers: { "Content-Type": type },
  });
}

describe("upload limits", () => {
  it("a burst of 20 uploads of 1 MiB stops after about 10, with 429 and Retry-After", async () => {
    const user = await registerUser("limupload");
    const answers = await Promise.all(Array.from({ length: 20 }, () => upload(user.token, MiB)));
    const passed = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(passed.length).toBeGreaterThanOrEqual(10);
    expect(passed.length).toBeLessThanOrEqual(15);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(errorCode(answer)).toBe("rate_limited");
      expect(Number(answer.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    }
  });

  it("refuses an upload past the user's storage quota with 413 quota_exceeded; another user still uploads", async () => {
    const user = await registerUser("limquota");
    expect((await upload(user.token, 6 * MiB, "file", "application/octet-stream")).status).toBe(201);
    expect((await upload(user.token, 6 * MiB, "file", "application/octet-stream")).status).toBe(201);
    const over = await upload(user.token, 1);
    expect(over.status).toBe(413);
    expect(errorCode(over)).toBe("quota_exceeded");
    const other = await registerUser("limquota2");
    expect((await upload(other.token, 1024)).status).toBe(201);
  });
});
