// Every setting of a bridge node comes from the environment, checked once at start:
// a bad value stops the process with a message naming the variable, never a crash later.
import { z } from "zod";
import { randomUUID } from "node:crypto";
import { EDGE_NODE_ID } from "../protocol/index.js";
import { DEFAULT_COALESCE_ABOVE } from "./edge-link/delivery-load.js";
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from "./gateway/gateway-limits.js";

const port = z.coerce.number().int().min(0).max(65_535);
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
/** "count/seconds": a burst of `count`, refilled at `count` per `seconds`. */
const rate = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected "count/seconds", e.g. "120/10"')
  .transform((v) => {
    const [count, windowSeconds] = v.split("/").map(Number) as [number, number];
    return { count, windowSeconds };
  })
  .refine((r) => r.count >= 1 && r.windowSeconds >= 1, "count and seconds must be at least 1");
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

/** Node ids become routing keys, queue names and parts of Redis keys: keep them plain. */
export const NodeId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'")
  .refine((id) => id !== EDGE_NODE_ID && id !== "worker", "'edge' and 'worker' are reserved");

const EnvSchema = z
  .object({
    NODE_ID: NodeId.default(() => `node-${randomUUID().slice(0, 8)}`),
    HOST: z.string().default("0.0.0.0"),
    /** Socket.IO clients connect here. 0 = any free port. */
    PORT: port.default(3000),
    /** The internal HTTP server (calls from the Worker and the Durable Objects). Keep it private. */
    INTERNAL_HOST: z.string().default("127.0.0.1"),
    INTERNAL_PORT: port.default(3001),
    /** Base URL of the Worker (business platform), e.g. http://127.0.0.1:8787 */
    WORKER_URL: z.url(),
    AUTH_SECRET: z.string().min(16, "at least 16 characters (the Worker's AUTH_SECRET)"),
    BRIDGE_SECRET: z.string().min(16, "at least 16 characters (the Worker's BRIDGE_SECRET)"),
    RABBITMQ_URL: optionalUrl,
    REDIS_URL: optionalUrl,
    /** Lifetime of this node's liveness key; routes of a node silent this long are ignored, then removed. */
    NODE_TTL_MS: z.coerce.number().int().min(1_000).default(15_000),
    /** Unacknowledged deliveries the broker may hand this node at once. */
    PREFETCH: z.coerce.number().int().min(1).max(10_000).default(64),
    /** Deliveries a second from the Worker above which this node asks for batches (X-Bridge-Busy); 0 never asks. */
    COALESCE_ABOVE: z.coerce.number().int().min(0).default(DEFAULT_COALESCE_ABOVE),
    /** Consume the `edge` routing key and forward to the Worker (every node may; they share one queue). */
    EDGE_LINK: flag.default(true),
    /** Client events per socket (docs/API.md "Limits"). */
    LIMIT_FRAMES: rate.default({ ...DEFAULT_GATEWAY_LIMITS.frames }),
    /** Sockets of one user, and of one device, on this node. */
    MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(DEFAULT_GATEWAY_LIMITS.perUser),
    MAX_SOCKETS_PER_DEVICE: z.coerce.number().int().min(1).default(DEFAULT_GATEWAY_LIMITS.perDevice),
    /** Allowed Socket.IO origins, comma-separated; "*" for any. */
    CORS_ORIGIN: z.string().default("*"),
    /** Browser origins whose Socket.IO handshakes are accepted, comma-separated; "*" (local dev) for any. */
    ALLOWED_ORIGINS: z.string().default("*"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** JSON lines for log collectors (production), or readable lines for a terminal (`npm start`). */
    LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
  })
  .refine((env) => Boolean(env.RABBITMQ_URL) === Boolean(env.REDIS_URL), {
    message: "set both RABBITMQ_URL and REDIS_URL (core mode) or neither (embedded single-node mode)",
    path: ["RABBITMQ_URL"],
  });

/** Every environment variable a bridge node reads (README, "Configuration"; docker-compose.yml sets some). */
export const BRIDGE_ENV_NAMES = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];
/** The ones without a default: a node does not start without them. */
export const REQUIRED_BRIDGE_ENV = BRIDGE_ENV_NAMES.filter((name) => !EnvSchema.shape[name].safeParse(undefined).success);

export interface BridgeConfig {
  nodeId: string;
  host: string;
  port: number;
  internalHost: string;
  internalPort: number;
  /** A promise when the Worker's address is known only after this node listens (tests). */
  workerUrl: string | Promise<string>;
  authSecret: string;
  bridgeSecret: string;
  /** Both set (core mode) or both undefined (embedded mode). */
  rabbitmqUrl?: string;
  redisUrl?: string;
  nodeTtlMs: number;
  prefetch: number;
  /** COALESCE_ABOVE (edge-link/delivery-load.ts); unset = DEFAULT_COALESCE_ABOVE. */
  coalesceAbove?: number;
  edgeLink: boolean;
  corsOrigin: string | string[];
  /** Browser origins whose handshakes are accepted (ALLOWED_ORIGINS); unset = any. */
  allowedOrigins?: "*" | string[];
  /** Abuse limits of this node's sockets; unset fields take DEFAULT_GATEWAY_LIMITS. */
  limits?: Partial<GatewayLimits>;
  logLevel: string;
  /** How main.ts writes the log (tests hand in a logger of their own). Default json. */
  logFormat?: "json" | "pretty";
}

export class ConfigError extends Error {}

/** "a, b/ ,,c" -> ["a", "b", "c"] (an Origin has no trailing slash); any "*" -> "*". */
function originList(setting: string): "*" | string[] {
  const origins = setting
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin.length > 0);
  return origins.includes("*") ? "*" : origins;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "env"}: ${issue.message}`);
    throw new ConfigError(`invalid bridge configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    nodeId: e.NODE_ID,
    host: e.HOST,
    port: e.PORT,
    internalHost: e.INTERNAL_HOST,
    internalPort: e.INTERNAL_PORT,
    workerUrl: e.WORKER_URL,
    authSecret: e.AUTH_SECRET,
    bridgeSecret: e.BRIDGE_SECRET,
    rabbitmqUrl: e.RABBITMQ_URL,
    redisUrl: e.REDIS_URL,
    nodeTtlMs: e.NODE_TTL_MS,
    prefetch: e.PREFETCH,
    coalesceAbove: e.COALESCE_ABOVE,
    edgeLink: e.EDGE_LINK,
    corsOrigin: e.CORS_ORIGIN === "*" ? "*" : e.CORS_ORIGIN.split(",").map((s) => s.trim()),
    allowedOrigins: originList(e.ALLOWED_ORIGINS),
    limits: { frames: e.LIMIT_FRAMES, perUser: e.MAX_SOCKETS_PER_USER, perDevice: e.MAX_SOCKETS_PER_DEVICE },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
  };
}
