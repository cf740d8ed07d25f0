import { pino, type Logger } from "pino";

/**
 * Every line names the node it came from. "json" (the default) writes JSON lines for a log
 * collector; "pretty" writes one readable line per entry for a terminal (`npm start` sets
 * LOG_FORMAT=pretty), through pino-pretty in pino's transport thread.
 */
export function createLogger(nodeId: string, level: string, format: "json" | "pretty" = "json"): Logger {
  if (format === "json") return pino({ level, base: { nodeId } });
  return pino({
    level,
    base: { nodeId },
    transport: {
      target: "pino-pretty",
      options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,nodeId", singleLine: true },
    },
  });
}
