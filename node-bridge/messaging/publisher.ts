// Publishing on a confirm channel: the promise resolves when the broker has taken
// responsibility for the envelope, and rejects if it refused it or the channel died.
import { once } from "node:events";
import type { ConfirmChannel } from "amqplib";
import type { Envelope } from "../../protocol/index.js";
import { EXCHANGE } from "./topology.js";

export async function publishConfirmed(channel: ConfirmChannel, routingKey: string, envelope: Envelope): Promise<void> {
  const content = Buffer.from(JSON.stringify(envelope));
  let accepted = true;
  const confirmed = new Promise<void>((resolve, reject) => {
    accepted = channel.publish(
      EXCHANGE,
      routingKey,
      content,
      {
        contentType: "application/json",
        messageId: envelope.id,
        // Transient: a push is a fast path; the message itself is already stored in D1.
        persistent: false,
        // Returned (see amqp-bus.ts) if no queue is bound to the key: the node is gone.
        mandatory: true,
      },
      (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
  });
  // The channel's write buffer is full: hold this caller back until it drains.
  if (!accepted) await once(channel, "drain");
  await confirmed;
}
