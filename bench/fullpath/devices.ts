// One device's socket for the benchmarks, through the SDK's own transports (client/realtime):
// the edge WebSocket (held by the user's Durable Object) or a Socket.IO bridge node. Frames
// go to a callback as they arrive (no bookkeeping here: the benchmarks time them).
import { EdgeImApi, edgeTransport, socketIoTransport, type Connection } from "../../client/index.js";
import type { ClientFrame } from "../../protocol/index.js";

export type TransportKind = "socket.io" | "edge";

export interface Device {
  kind: TransportKind;
  send(frame: ClientFrame): boolean;
  close(): void;
}

const READY_MS = 20_000;

/** Opens the socket and resolves on `ready`; `onFrame` sees every frame after that. */
export async function openDevice(
  kind: TransportKind,
  where: { workerUrl: string; socketUrl?: string },
  token: string,
  onFrame: (frame: { type: string; [key: string]: unknown }) => void,
): Promise<Device> {
  const transport = kind === "edge" ? edgeTransport(new EdgeImApi({ baseUrl: where.workerUrl })) : socketIoTransport(where.socketUrl!);
  let ready!: () => void;
  let failed!: (error: Error) => void;
  const readied = new Promise<void>((resolve, reject) => ((ready = resolve), (failed = reject)));
  let connection: Connection | undefined;
  connection = await transport.open(token, {
    frame: (raw) => {
      const frame = raw as { type: string };
      if (frame.type === "ready") ready();
      else onFrame(frame);
    },
    closed: (disconnect) => failed(new Error(`${kind} device closed: ${JSON.stringify(disconnect)}`)),
  });
  const timer = setTimeout(() => failed(new Error(`${kind} device: no ready in ${READY_MS / 1000} s`)), READY_MS);
  try {
    await readied;
  } catch (error) {
    connection.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { kind, send: (frame) => connection!.send(frame), close: () => connection?.close() };
}
