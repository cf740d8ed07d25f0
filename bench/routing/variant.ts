// What the routing benchmark needs from each way of moving a chat message to the nodes:
// the project's targeted routing (targeted.ts) and the broadcast baseline (broadcast.ts).
import type { ChatDelivery } from "./scenario.js";

export interface ServiceUrls {
  rabbitmq: string;
  redis: string;
}

export interface RoutingVariant {
  /** Hands one chat message to the broker; resolves when the broker confirmed every publish. */
  send(delivery: ChatDelivery): Promise<void>;
  /**
   * Broker publishes so far, the queue deliveries they cause (a fanout copies each
   * publish to every queue), and the bytes those deliveries carry (while measured).
   */
  counters(): { publishes: number; queueDeliveries: number; bytes: number };
  /** Sizes are measured during the warm-up only: serializing twice would slow the timed run. */
  stopMeasuringBytes(): void;
  close(): Promise<void>;
}
