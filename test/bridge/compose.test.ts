// docker-compose.yml stays in step with the bridge's configuration: every variable it sets on
// a bridge node is one node-bridge/config.ts reads and the README's "Configuration" table
// documents, the required ones are there, and the values (with compose's ${VAR} filled in)
// pass the node's own start-up check in core mode. Docker itself is not run here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BRIDGE_ENV_NAMES, REQUIRED_BRIDGE_ENV, loadConfig } from "../../node-bridge/config.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: string[];
}

const compose = parse(readFileSync(`${root}/docker-compose.yml`, "utf8"), { merge: true }) as { services: Record<string, Service> };
const command = (service: Service) => [service.command ?? []].flat().join(" ");
const bridges = Object.entries(compose.services).filter(([, service]) => /npm run bridge|node-bridge\/main\.ts/.test(command(service)));

/** The service's environment as a map; list form ("NAME=value") too. */
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split("=")[0]!, entry.slice(entry.indexOf("=") + 1)]));
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value ?? "")]));
}

/** Compose interpolation: ${VAR:-default} takes the default, ${VAR:?message} / ${VAR} a stand-in (a secret from the shell). */
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) =>
    kind === "-" ? (rest ?? "") : `${name.toLowerCase()}-from-the-shell-0123456789abcdef`,
  );

/** Names in backticks in the README's "Bridge node" configuration table. */
function documentedBridgeNames(): Set<string> {
  const readme = readFileSync(`${root}/README.md`, "utf8");
  const start = readme.indexOf("**Bridge node**");
  const table = readme.slice(start, readme.indexOf("\n## ", start));
  const names = table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
  return new Set(names);
}

describe("docker-compose.yml", () => {
  it("runs two bridge nodes next to RabbitMQ and Redis", () => {
    expect(bridges.map(([name]) => name).sort()).toEqual(["node-a", "node-b"]);
    const images = Object.values(compose.services).map((s) => s.image ?? "");
    expect(images.some((image) => image.startsWith("rabbitmq"))).toBe(true);
    expect(images.some((image) => image.startsWith("redis"))).toBe(true);
    for (const [, service] of bridges) expect(service.image).toBe("node:24");
  });

  it("sets only documented bridge variables, the required ones included, and core mode", () => {
    const documented = documentedBridgeNames();
    // The table documents everything the node reads (so the check below is a real one).
    expect(BRIDGE_ENV_NAMES.filter((name) => !documented.has(name))).toEqual([]);
    for (const [name, service] of bridges) {
      const env = environment(service);
      const unknown = Object.keys(env).filter((key) => !(BRIDGE_ENV_NAMES as string[]).includes(key) || !documented.has(key));
      expect(unknown, `${name}: variables the bridge does not read`).toEqual([]);
      for (const required of [...REQUIRED_BRIDGE_ENV, "NODE_ID", "RABBITMQ_URL", "REDIS_URL"]) {
        expect(env[required], `${name}: ${required}`).toMatch(/\S/);
      }
    }
  });

  it("gives each node valid values, its own id and its own host ports", () => {
    const configs = bridges.map(([name, service]) => {
      const env = Object.fromEntries(Object.entries(environment(service)).map(([key, value]) => [key, interpolate(value)]));
      const config = loadConfig(env);
      expect(config.rabbitmqUrl, name).toBeDefined();
      expect(config.redisUrl, name).toBeDefined();
      // Published: the container's ports are the ones the node listens on.
      const published = (service.ports ?? []).map((port) => port.split(":").at(-1));
      expect(published.sort(), name).toEqual([String(config.port), String(config.internalPort)].sort());
      return { config, hostPorts: (service.ports ?? []).map((port) => port.split(":").at(-2)) };
    });
    expect(new Set(configs.map((c) => c.config.nodeId)).size).toBe(configs.length);
    const hostPorts = configs.flatMap((c) => c.hostPorts);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });
});
