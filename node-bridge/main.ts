// The bridge node process: `npm run bridge`. Configuration from the environment
// (config.ts), a graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startBridgeNode } from "./node.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.nodeId, config.logLevel, config.logFormat);
  const node = await startBridgeNode(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, "could not start the bridge node (are RabbitMQ and Redis reachable?)");
    process.exit(1);
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, "signal received");
    // A second signal, or a drain that hangs, must still end the process.
    setTimeout(() => process.exit(1), 15_000).unref();
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

void main();
