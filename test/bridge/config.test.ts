// Configuration is checked at start, with messages that name the variable.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../node-bridge/config.js";

const base = {
  WORKER_URL: "http://127.0.0.1:8787",
  AUTH_SECRET: "a".repeat(32),
  BRIDGE_SECRET: "b".repeat(32),
};

describe("loadConfig", () => {
  it("defaults to embedded mode and fills in defaults", () => {
    const config = loadConfig({ ...base, NODE_ID: "n1" });
    expect(config).toMatchObject({ nodeId: "n1", port: 3000, internalPort: 3001, nodeTtlMs: 15_000, edgeLink: true });
    expect(config.rabbitmqUrl).toBeUndefined();
  });

  it("names every bad variable", () => {
    expect(() => loadConfig({ WORKER_URL: "nope", AUTH_SECRET: "short" })).toThrow(ConfigError);
    try {
      loadConfig({ WORKER_URL: "nope", AUTH_SECRET: "short", PORT: "70000" });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["WORKER_URL", "AUTH_SECRET", "BRIDGE_SECRET", "PORT"]) expect(message).toContain(name);
    }
  });

  it("wants both RABBITMQ_URL and REDIS_URL or neither", () => {
    expect(() => loadConfig({ ...base, REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(/both RABBITMQ_URL and REDIS_URL/);
    const core = loadConfig({ ...base, REDIS_URL: "redis://127.0.0.1:6379", RABBITMQ_URL: "amqp://127.0.0.1" });
    expect(core.redisUrl).toBe("redis://127.0.0.1:6379");
  });

  it("logs JSON unless told to write readable lines", () => {
    expect(loadConfig(base).logFormat).toBe("json");
    expect(loadConfig({ ...base, LOG_FORMAT: "pretty" }).logFormat).toBe("pretty");
    expect(() => loadConfig({ ...base, LOG_FORMAT: "fancy" })).toThrow(/LOG_FORMAT/);
  });

  it("refuses node ids that collide with the edge or the Worker, or cannot be routing keys", () => {
    for (const NODE_ID of ["edge", "worker", "has space", "a:b"]) expect(() => loadConfig({ ...base, NODE_ID })).toThrow(/NODE_ID/);
  });
});
