// A private Redis and a private RabbitMQ for fault tests: they restart their own broker and
// cache, never the shared ones on 5672/6379 that every other test uses. Each runs as a child
// of the test process on ports of its own (docs/OPERATIONS.md "Recovery" has the figures).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deadPort as freePort } from "./ports.js";

/** Resolves once something accepts TCP connections on the port (polled every 20 ms). */
export async function portAccepting(port: number, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: "127.0.0.1", port }, () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing accepted on port ${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a server binary; a missing one fails at once, naming the package that brings it. */
function startServer(command: string, args: string[], env: NodeJS.ProcessEnv | undefined, install: string): ChildProcess {
  const child = spawn(command, args, { env, stdio: "ignore" });
  child.once("error", (error) => {
    throw new Error(`fault tests run a private ${command} and cannot start it (${error.message}): ${install}`);
  });
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once("exit", resolve));
}

/** redis-server on a port of its own; `restart` comes back empty, or with its data (RDB). */
export class PrivateRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), "faults-redis-"));

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.run();
    return redis;
  }

  private async run(): Promise<void> {
    // No automatic snapshots and no AOF; `shutdown save` writes the one RDB a restart "with data" loads.
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir];
    this.child = startServer("redis-server", args, undefined, "apt-get install redis-server");
    await portAccepting(this.port);
  }

  /** Stops the server (saving its data or not). */
  async stop(keepData: boolean): Promise<void> {
    if (!keepData) rmSync(join(this.dir, "dump.rdb"), { force: true });
    spawnSync("redis-cli", ["-p", String(this.port), "shutdown", keepData ? "save" : "nosave"]);
    if (this.child) await exited(this.child);
  }

  /** Starts it again; resolves when its port accepts (it may still be loading its data). */
  start(): Promise<void> {
    return this.run();
  }

  async close(): Promise<void> {
    await this.stop(false);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * rabbitmq-server run directly (we are root in CI; the /usr/sbin wrapper would switch to the
 * rabbitmq user) with its own node name, ports, config, plugins, data and Erlang cookie.
 */
export class PrivateRabbit {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), "faults-rabbit-"));
  private readonly nodeName = `faults-${process.pid}-${Math.random().toString(36).slice(2, 8)}@localhost`;

  private constructor(
    readonly port: number,
    private readonly distPort: number,
  ) {}

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRabbit> {
    const rabbit = new PrivateRabbit(await freePort(), await freePort());
    await rabbit.run();
    return rabbit;
  }

  private env(): NodeJS.ProcessEnv {
    const home = join(this.dir, "home");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(this.dir, "rabbitmq.conf"), `listeners.tcp.default = 127.0.0.1:${this.port}\n`);
    writeFileSync(join(this.dir, "rabbitmq-env.conf"), "");
    writeFileSync(join(this.dir, "enabled_plugins"), "[].\n");
    return {
      ...process.env,
      HOME: home,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, "rabbitmq-env.conf"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
    };
  }

  private async run(): Promise<void> {
    this.child = startServer("/usr/lib/rabbitmq/bin/rabbitmq-server", [], this.env(), "apt-get install rabbitmq-server");
    await portAccepting(this.port, 90_000);
  }

  async stop(): Promise<void> {
    spawnSync("/usr/lib/rabbitmq/bin/rabbitmqctl", ["-n", this.nodeName, "stop"], { env: this.env(), stdio: "ignore", timeout: 60_000 });
    if (this.child) await exited(this.child);
  }

  /** Starts it again; resolves when its port accepts connections. */
  start(): Promise<void> {
    return this.run();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
