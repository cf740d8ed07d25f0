#!/usr/bin/env node
// `npm start`: the whole system on its embedded default, on this machine.
//   0. the ports it needs are checked first: a busy one stops it before anything starts;
//   1. .dev.vars with random AUTH_SECRET / BRIDGE_SECRET / ADMIN_SECRET if there is none yet;
//   2. the D1 migrations applied to the local databases (main and message, .wrangler/state), without a prompt;
//   3. the Worker (wrangler dev: workerd with local D1, R2 and Durable Objects);
//   4. one bridge node (Socket.IO gateway). Without RABBITMQ_URL/REDIS_URL it routes
//      in-process (embedded mode); with both set it joins the real core.
// Every line of output is prefixed with the process it came from. Ctrl-C stops everything;
// `npm run reset` wipes the local data.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { createInterface } from "node:readline";

const ports = [
  { variable: "WORKER_PORT", role: "the Worker's HTTP API and web client", value: process.env.WORKER_PORT ?? "8787", host: "127.0.0.1" },
  { variable: "PORT", role: "the bridge's Socket.IO gateway", value: process.env.PORT ?? "3000", host: process.env.HOST ?? "0.0.0.0" },
  { variable: "INTERNAL_PORT", role: "the bridge's internal port", value: process.env.INTERNAL_PORT ?? "3001", host: process.env.INTERNAL_HOST ?? "127.0.0.1" },
];
const [WORKER_PORT, SOCKET_PORT, INTERNAL_PORT] = ports.map((p) => p.value);
const WORKER_URL = `http://127.0.0.1:${WORKER_PORT}`;
const SOCKET_URL = `http://127.0.0.1:${SOCKET_PORT}`;

// ---- output: one aligned, coloured label per process ----
const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const labelColors = { start: "1", d1: "35", worker: "33", bridge: "36" };
const labelWidth = Math.max(...Object.keys(labelColors).map((name) => name.length)) + 2;
function label(name) {
  const text = `[${name}]`.padEnd(labelWidth);
  return useColor ? `\x1b[${labelColors[name]}m${text}\x1b[0m` : text;
}
function say(line = "") {
  process.stdout.write(`${label("start")} ${line}\n`);
}
function prefixLines(stream, name, out) {
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
    const shown = readable(line.replace(/\r/g, ""));
    if (shown !== null) out.write(`${label(name)} ${shown}\n`);
  });
}

// ---- 0. ports ----
/** null if the port can be listened on, else a sentence saying why not. */
function portProblem(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error) =>
      resolve(error.code === "EADDRINUSE" ? "is already in use" : error.code === "EACCES" ? "needs privileges to listen on" : `cannot be used (${error.code})`),
    );
    probe.listen(Number(port), host, () => probe.close(() => resolve(null)));
  });
}
async function checkPorts() {
  const problems = [];
  for (const p of ports) {
    if (!/^\d+$/.test(p.value) || Number(p.value) < 1 || Number(p.value) > 65535) {
      problems.push(`${p.variable}=${p.value} is not a port number (1-65535)`);
      continue;
    }
    const twin = ports.find((other) => other !== p && other.value === p.value);
    if (twin && ports.indexOf(twin) < ports.indexOf(p)) {
      problems.push(`${twin.variable} and ${p.variable} are both ${p.value}: give each its own port`);
      continue;
    }
    const problem = await portProblem(p.value, p.host);
    if (problem) {
      const other = String(Number(p.value) + 10);
      problems.push(`port ${p.value} ${problem}; npm start needs it for ${p.role}. Stop what holds it, or choose another port: ${p.variable}=${other} npm start`);
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) say(problem);
    say("nothing was started");
    process.exit(1);
  }
}
await checkPorts();

// ---- 1. secrets ----
function readDevVars() {
  if (!existsSync(".dev.vars")) {
    const secret = () => randomBytes(32).toString("base64url");
    writeFileSync(".dev.vars", `AUTH_SECRET=${secret()}\nBRIDGE_SECRET=${secret()}\nADMIN_SECRET=${secret()}\n`, { mode: 0o600 });
    say("wrote .dev.vars with fresh random secrets");
  }
  const vars = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  for (const name of ["AUTH_SECRET", "BRIDGE_SECRET"]) {
    if (!vars[name]) {
      say(`.dev.vars has no ${name}; delete the file to get fresh secrets`);
      process.exit(1);
    }
  }
  return vars;
}
const vars = readDevVars();

// Quiet, offline wrangler; colours kept when this terminal has them (children write to pipes).
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  ...(useColor ? { FORCE_COLOR: "1" } : {}),
};

// ---- processes ----
// Each child runs in its own process group, so a Ctrl-C in the terminal reaches only this
// script, which stops them in reverse order: the bridge first (its last calls report its
// users offline to the Worker), then the Worker.
const children = [];
let stopping = false;
const isRunning = (child) => child.exitCode === null && child.signalCode === null;
/**
 * A line as a person should read it, or null to drop it. The Worker logs one JSON line per
 * request (what Workers Logs index in production); here it becomes one short line, and
 * wrangler's own line for the same request is dropped as a duplicate.
 */
function readable(line) {
  if (/\[wrangler:info\] (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ \d{3} /.test(line)) return null;
  if (!line.startsWith("{")) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (entry.msg === "request") {
    return `${entry.method} ${entry.route} ${entry.status} ${entry.durationMs} ms  (request ${String(entry.requestId).slice(0, 8)})`;
  }
  const { level, msg, ...rest } = entry;
  return `${String(level ?? "info").toUpperCase()}: ${msg ?? ""} ${Object.keys(rest).length ? JSON.stringify(rest) : ""}`.trimEnd();
}

/** Starts a child whose output is prefixed with `name`; stdin stays with this script. */
function run(name, command, args, childEnv) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: childEnv, detached: true });
  prefixLines(child.stdout, name, process.stdout);
  prefixLines(child.stderr, name, process.stderr);
  // "close", not "exit": the child's last lines are through the pipes by then.
  child.exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  children.push(child);
  return child;
}
/** A long-running child: when it ends, everything ends. */
function runService(name, command, args, childEnv) {
  run(name, command, args, childEnv).exited.then(({ code, signal }) => {
    if (!stopping) say(`${name} exited (${signal ?? code}); stopping the rest`);
    shutdown(code ?? 1);
  });
}
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) {
    if (!isRunning(child)) continue;
    child.kill("SIGTERM");
    const timer = setTimeout(() => killGroup(child), 10_000); // the bridge drains for a while at most
    await child.exited;
    clearTimeout(timer);
  }
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (!stopping && children.some(isRunning)) say("stopping");
    shutdown(0);
  });
}
// However this script ends, no child outlives it.
process.on("exit", () => children.filter(isRunning).forEach(killGroup));

// ---- 2. migrations: CI=true makes wrangler apply them without its "continue? (Y/n)" prompt ----
// The main database, then each message database MESSAGE_DATABASES names in wrangler.toml
// (each declared there with migrations_dir = "migrations/messages").
const messageDatabases = (readFileSync("wrangler.toml", "utf8").match(/^MESSAGE_DATABASES\s*=\s*"([^"]*)"/m)?.[1] ?? "MESSAGES_0")
  .split(",")
  .map((name) => name.trim())
  .filter((name) => name !== "");
for (const database of ["DB", ...messageDatabases]) {
  say(`applying D1 migrations to the local database ${database}`);
  const migrated = await run("d1", "wrangler", ["d1", "migrations", "apply", database, "--local"], { ...env, CI: "true" }).exited;
  if (migrated.code !== 0) {
    say(`the migrations of ${database} failed (exit ${migrated.signal ?? migrated.code}); nothing else was started`);
    process.exit(migrated.code ?? 1);
  }
}

// ---- the web client: `wrangler dev` builds web/dist first ([build] in wrangler.toml), and the
// Worker serves it as static assets. A build step of its own would go here. ----

// ---- 3. the Worker ----
// The browser origins npm start serves from may call the API (plus any the caller lists).
const corsOrigins = [`http://127.0.0.1:${WORKER_PORT}`, `http://localhost:${WORKER_PORT}`, ...(process.env.CORS_ORIGINS ? [process.env.CORS_ORIGINS] : [])];
runService(
  "worker",
  "wrangler",
  [
    "dev",
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    WORKER_PORT,
    "--var",
    `BRIDGE_URL:http://127.0.0.1:${INTERNAL_PORT}`,
    "--var",
    `SOCKET_IO_URL:${SOCKET_URL}`,
    "--var",
    `CORS_ORIGINS:${corsOrigins.join(",")}`,
  ],
  env,
);

/**
 * `wrangler dev` never fires the cron triggers of wrangler.toml: fire them here, as Cloudflare
 * does when deployed, through wrangler's local endpoint, so owed pushes are swept every minute
 * and unsent uploads every hour on this machine too (worker/index.ts `scheduled`).
 */
function runCronsLocally() {
  const fire = (cron) =>
    fetch(`${WORKER_URL}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`).catch(() => {
      // The Worker is restarting or stopping: the next tick tries again.
    });
  setInterval(() => fire("* * * * *"), 60_000).unref();
  setInterval(() => fire("17 * * * *"), 60 * 60_000).unref();
}

/** Polls until check() resolves true; false if time ran out or we are stopping. */
async function waitFor(check, seconds) {
  for (let i = 0; i < seconds * 4 && !stopping; i++) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
const workerAnswers = async () => (await fetch(`${WORKER_URL}/api/openapi.json`, { method: "HEAD" })).ok;
const socketListens = () =>
  new Promise((resolve) => {
    const socket = connect(Number(SOCKET_PORT), "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

// The bridge's first call is to the Worker (it clears presence it may have left): start
// it once the Worker answers, so the log starts clean.
if (!(await waitFor(workerAnswers, 60))) {
  if (!stopping) say(`the Worker did not answer on ${WORKER_URL} within 60 s; stopping`);
  shutdown(1);
} else {
  // ---- 4. the bridge node ----
  runService("bridge", "tsx", ["node-bridge/main.ts"], {
    ...env,
    WORKER_URL,
    AUTH_SECRET: vars.AUTH_SECRET,
    BRIDGE_SECRET: vars.BRIDGE_SECRET,
    PORT: SOCKET_PORT,
    INTERNAL_PORT,
    // The web client npm start serves (and any origin the caller lists) may open Socket.IO.
    ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? corsOrigins.join(","),
    LOG_FORMAT: process.env.LOG_FORMAT ?? "pretty",
  });
  if (await waitFor(socketListens, 30)) {
    await new Promise((resolve) => setTimeout(resolve, 300)); // the bridge's own "ready" line first
    const bold = (text) => (useColor ? `\x1b[1m${text}\x1b[0m` : text);
    say("────────────────────────────────────────────────────────────");
    say(`edge-im is running. Open the web client: ${bold(`${WORKER_URL}/`)}`);
    say(`  HTTP API and edge WebSockets  ${WORKER_URL}/api   (docs/API.md)`);
    say(`  Socket.IO gateway             ${SOCKET_URL}`);
    say("Ctrl-C stops everything; `npm run reset` wipes the local data.");
    say("────────────────────────────────────────────────────────────");
    runCronsLocally();
  } else if (!stopping) {
    say(`the bridge did not listen on ${SOCKET_URL} within 30 s; stopping`);
    shutdown(1);
  }
}
