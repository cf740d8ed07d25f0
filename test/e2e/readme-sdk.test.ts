// The README's "Use the SDK" example, run as a reader runs it: a .ts file in the repository
// root (so that ./client/index.js resolves) started with tsx, against this run's Worker and
// Socket.IO node instead of `npm start`'s. Only the two addresses are replaced.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const HEADING = "## Use the SDK";

/** The first ```ts block of the section under HEADING. */
function exampleIn(readme: string): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const section = readme.slice(start + 1).split("\n## ")[0]!;
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
  if (!block) throw new Error(`README.md's "${HEADING}" section has no \`\`\`ts block`);
  return block;
}

describe("the README's SDK example", () => {
  it("runs as written: Bob, on the Socket.IO node, gets Alice's message from the edge", async () => {
    let code = exampleIn(await readFile(`${root}README.md`, "utf8"));
    const addresses = [
      ["http://127.0.0.1:8787", inject("workerUrl")],
      ["http://127.0.0.1:3000", inject("linkSocketUrl")],
    ] as const;
    for (const [documented, local] of addresses) {
      expect(code, `the example uses ${documented}`).toContain(documented);
      code = code.replaceAll(documented, local);
    }

    const file = `${root}.readme-sdk-${randomUUID().slice(0, 8)}.ts`;
    await writeFile(file, code);
    try {
      // tsx on the Node that runs the tests (the project's pinned one), as `npx tsx` would.
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", file], { cwd: root, timeout: 30_000 });
      expect(stdout).toMatch(/^Bob got: hi Bob$/m);
    } finally {
      await rm(file, { force: true });
    }
  }, 45_000);
});
