// The Worker on workerd, started from Node with wrangler's unstable_startWorker on a
// fresh local D1 (the real migrations applied by wrangler itself).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unstable_startWorker } from "wrangler";

export const QUIET_WRANGLER = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "warn",
};

export interface LocalWorker {
  url: string;
  dispose(): Promise<void>;
}

export async function startLocalWorker(vars: { AUTH_SECRET: string; BRIDGE_SECRET: string; BRIDGE_URL: string }): Promise<LocalWorker> {
  Object.assign(process.env, QUIET_WRANGLER);
  const persist = await mkdtemp(join(tmpdir(), "edge-im-worker-"));
  await promisify(execFile)("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    env: { ...process.env, CI: "true" },
  });
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text" as const, value }])),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist, watch: false },
  });
  const url = (await worker.url).toString().replace(/\/+$/, "");
  return {
    url,
    async dispose() {
      await worker.dispose();
      await rm(persist, { recursive: true, force: true });
    },
  };
}
