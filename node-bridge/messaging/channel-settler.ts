// Acks of one consume channel, sent once per event-loop turn instead of one frame per
// message: the longest run of deliveries handled in order is acked with one
// `ack(last, allUpTo = true)`. A delivery is acked only once its push is done: a node that
// dies with acks still owed gets those messages again from the broker (at least once;
// devices drop the copies by id), never loses one.
//
// `allUpTo` acks every unacked delivery of the CHANNEL up to that tag, whichever consumer got
// it, so every delivery of the channel goes through its one settler (settlerOf), which keeps
// them all in delivery order, and the run stops at the first one still being handled (a
// slow edge forward, say). Deliveries done behind it are acked one by one in the same turn
// rather than wait for it: they would hold prefetch slots meanwhile.
import type { Channel, ConsumeMessage } from "amqplib";

export class ChannelSettler {
  /** Every delivery of the channel not acked or nacked yet, in delivery (tag) order. */
  private readonly unsettled: ConsumeMessage[] = [];
  /** Tags of those whose push is done: to ack at the next flush. */
  private readonly done = new Set<number>();
  private flushScheduled = false;

  constructor(
    private readonly channel: Channel,
    /** Settling on a channel that closed meanwhile throws; the broker redelivers anyway. */
    private readonly onSettleError: (error: unknown) => void,
  ) {}

  /** A delivery arrived (called before its handler runs). */
  received(message: ConsumeMessage): void {
    this.unsettled.push(message);
  }

  /** Its push is done: acked at the end of this turn, with the others done by then. */
  ack(message: ConsumeMessage): void {
    this.done.add(message.fields.deliveryTag);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Nacked at once, alone (`requeue` or dropped): never folded into an `allUpTo`. */
  nack(message: ConsumeMessage, requeue: boolean): void {
    this.forget(message.fields.deliveryTag);
    this.settle(() => this.channel.nack(message, false, requeue));
  }

  /** Sends the acks owed (also called by the tests' shutdown paths; safe at any time). */
  flush(): void {
    this.flushScheduled = false;
    let run = 0;
    while (run < this.unsettled.length && this.done.has(this.unsettled[run]!.fields.deliveryTag)) run++;
    if (run > 0) {
      const last = this.unsettled[run - 1]!;
      for (let i = 0; i < run; i++) this.done.delete(this.unsettled[i]!.fields.deliveryTag);
      this.unsettled.splice(0, run);
      this.settle(() => this.channel.ack(last, run > 1));
    }
    if (this.done.size === 0) return;
    for (const message of this.unsettled.filter((m) => this.done.has(m.fields.deliveryTag))) {
      this.forget(message.fields.deliveryTag);
      this.settle(() => this.channel.ack(message));
    }
  }

  private forget(tag: number): void {
    this.done.delete(tag);
    const at = this.unsettled.findIndex((m) => m.fields.deliveryTag === tag);
    if (at >= 0) this.unsettled.splice(at, 1);
  }

  private settle(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.onSettleError(error);
    }
  }
}

const settlers = new WeakMap<Channel, ChannelSettler>();

/** The one settler of a channel, shared by all its consumers. */
export function settlerOf(channel: Channel, onSettleError: (error: unknown) => void): ChannelSettler {
  let settler = settlers.get(channel);
  if (!settler) {
    settler = new ChannelSettler(channel, onSettleError);
    settlers.set(channel, settler);
  }
  return settler;
}
