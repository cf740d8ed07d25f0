import { pino, type Logger } from "pino";

/** JSON lines on stdout; every line names the node it came from. */
export function createLogger(nodeId: string, level: string): Logger {
  return pino({ level, base: { nodeId } });
}
