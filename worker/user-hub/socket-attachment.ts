// What a socket remembers across hibernation: only cloneable data, written once at
// accept and read on every event (the object's memory is gone after hibernation).

export interface SocketAttachment {
  userId: string;
  deviceId: string;
  /** The session of the token that opened it (absent on sockets opened before sessions were tracked). */
  sessionId?: string;
  connectedAt: number;
}

export function writeAttachment(ws: WebSocket, attachment: SocketAttachment): void {
  ws.serializeAttachment(attachment);
}

/** Undefined for a socket accepted without one (never, unless a future version changes it). */
export function readAttachment(ws: WebSocket): SocketAttachment | undefined {
  const value = ws.deserializeAttachment() as SocketAttachment | null;
  return value ?? undefined;
}

/** WebSocket.OPEN; sockets closing or closed are not connected devices. */
const OPEN = 1;

/** The distinct devices with an open socket, leaving out one that is closing. */
export function connectedDevices(sockets: WebSocket[], closing?: WebSocket): string[] {
  const devices = new Set<string>();
  for (const ws of sockets) {
    if (ws === closing || ws.readyState !== OPEN) continue;
    const attachment = readAttachment(ws);
    if (attachment) devices.add(attachment.deviceId);
  }
  return [...devices].sort();
}
