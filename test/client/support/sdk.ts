// What the SDK's tests watch: everything a ChatClient emits. Users (registerUser,
// befriend, recordingFetch) come from test/e2e/support/api.ts, shared by every node test.
import type { ChatClient, ChatEventMap } from "../../../client/index.js";

const WAIT_MS = 10_000;

type Recorded = { [K in keyof ChatEventMap]: { type: K; data: ChatEventMap[K]; at: number } }[keyof ChatEventMap];

/** Everything a ChatClient emits, with a way to wait for what a user would see. */
export class Watch {
  readonly log: Recorded[] = [];
  private waiters: Array<{ check(): boolean; done(): void }> = [];

  constructor(chat: ChatClient) {
    const types: Array<keyof ChatEventMap> = ["status", "message", "recalled", "read", "typing", "presence", "event", "conversations", "error"];
    for (const type of types) {
      chat.on(type, (data) => {
        this.log.push({ type, data, at: Date.now() } as Recorded);
        this.waiters = this.waiters.filter((w) => (w.check() ? (w.done(), false) : true));
      });
    }
  }

  of<K extends keyof ChatEventMap>(type: K): Array<ChatEventMap[K]> {
    return this.log.filter((e) => e.type === type).map((e) => e.data as ChatEventMap[K]);
  }

  statuses(): string[] {
    return this.of("status");
  }

  /** The "message" events of one message id. */
  copies(messageId: string): number {
    return this.of("message").filter((m) => m.id === messageId).length;
  }

  /** Resolves once `check` holds (checked now and after every event). */
  until(label: string, check: () => boolean, ms = WAIT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${label}; saw ${JSON.stringify(this.log.map((e) => (e.type === "status" ? e.data : e.type)))}`));
      }, ms);
      this.waiters.push({ check, done: () => (clearTimeout(timer), resolve()) });
    });
  }

  status(status: string, ms?: number): Promise<void> {
    return this.until(`status ${status}`, () => this.statuses().at(-1) === status, ms);
  }

  message(label: string, match: (m: ChatEventMap["message"]) => boolean, ms?: number): Promise<ChatEventMap["message"]> {
    return this.until(label, () => this.of("message").some(match), ms).then(() => this.of("message").find(match)!);
  }
}
