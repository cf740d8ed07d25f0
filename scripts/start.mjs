#!/usr/bin/env node
// `npm start`: the whole system on its embedded default, on this machine.
//   1. .dev.vars with random AUTH_SECRET / BRIDGE_SECRET if there is none yet;
//   2. the D1 migrations applied to the local database (.wrangler/state);
//   3. the Worker (wrangler dev: workerd with local D1, R2 and Durable Objects);
//   4. one bridge node (Socket.IO gateway). Without RABBITMQ_URL/REDIS_URL it routes
//      in-process (embedded mode); with both set it joins the real core.
// Ctrl-C stops both.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const WORKER_PORT = process.env.WORKER_PORT ?? "8787";
const SOCKET_PORT = process.env.PORT ?? "3000";
const INTERNAL_PORT = process.env.INTERNAL_PORT ?? "3001";

const quietWrangler = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

function readDevVars() {
  if (!existsSync(".dev.vars")) {
    const secret = () => randomBytes(32).toString("base64url");
    writeFileSync(".dev.vars", `AUTH_SECRET=${secret()}\nBRIDGE_SECRET=${secret()}\n`, { mode: 0o600 });
    console.log("[start] wrote .dev.vars with fresh random secrets");
  }
  const vars = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  for (const name of ["AUTH_SECRET", "BRIDGE_SECRET"]) {
    if (!vars[name]) throw new Error(`.dev.vars has no ${name}; delete it to get a fresh one`);
  }
  return vars;
}

const vars = readDevVars();
const env = { ...process.env, ...quietWrangler };

console.log("[start] applying D1 migrations to the local database");
const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env, shell: false });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = [];
function run(name, command, args, childEnv) {
  const child = spawn(command, args, { stdio: "inherit", env: childEnv });
  child.on("exit", (code, signal) => {
    console.log(`[start] ${name} exited (${signal ?? code}); stopping the rest`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

run(
  "worker",
  "wrangler",
  ["dev", "--local", "--ip", "127.0.0.1", "--port", WORKER_PORT, "--var", `BRIDGE_URL:http://127.0.0.1:${INTERNAL_PORT}`],
  env,
);
// The bridge's first call is to the Worker (it clears presence it may have left): start
// it once the Worker answers, so the log starts clean.
async function workerReady() {
  for (let i = 0; i < 120 && !stopping; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${WORKER_PORT}/`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
await workerReady();
if (stopping) process.exit(1);

run("bridge", "tsx", ["node-bridge/main.ts"], {
  ...env,
  WORKER_URL: `http://127.0.0.1:${WORKER_PORT}`,
  AUTH_SECRET: vars.AUTH_SECRET,
  BRIDGE_SECRET: vars.BRIDGE_SECRET,
  PORT: SOCKET_PORT,
  INTERNAL_PORT,
});
console.log(
  `[start] HTTP API and edge WebSockets: http://127.0.0.1:${WORKER_PORT}/api  ·  Socket.IO gateway: http://127.0.0.1:${SOCKET_PORT}`,
);
