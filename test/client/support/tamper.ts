// A transport around a real one that lets a test lose, repeat or watch frames: what a
// flaky network or a retrying server does, on demand.
import type { ClientFrame } from "../../../protocol/index.js";
import type { Transport } from "../../../client/index.js";

export interface Tampering {
  /** The frames to deliver instead of this one: [] drops it, [f, f] repeats it. */
  inbound?(frame: { type?: string } & Record<string, unknown>): unknown[];
  /** False: the frame never leaves (the send looks lost on the way). */
  outbound?(frame: ClientFrame): boolean;
}

export interface TamperedTransport extends Transport {
  sent: ClientFrame[];
  /** Tokens the gateway accepted through `token.refresh`. */
  handOvers: string[];
  opened: number;
}

export function tamper(inner: Transport, rules: Tampering = {}): TamperedTransport {
  const tampered: TamperedTransport = {
    sent: [],
    handOvers: [],
    opened: 0,
    async open(token, handlers) {
      tampered.opened += 1;
      const connection = await inner.open(token, {
        frame: (frame) => {
          for (const out of rules.inbound ? rules.inbound(frame as { type?: string }) : [frame]) handlers.frame(out);
        },
        closed: (disconnect) => handlers.closed(disconnect),
      });
      return {
        send(frame) {
          tampered.sent.push(frame);
          return rules.outbound && !rules.outbound(frame) ? true : connection.send(frame);
        },
        ...(connection.handOverToken
          ? {
              handOverToken: async (accessToken: string) => {
                await connection.handOverToken!(accessToken);
                tampered.handOvers.push(accessToken); // accepted by the gateway
              },
            }
          : {}),
        close: () => connection.close(),
      };
    },
  };
  return tampered;
}
