// Users and clients made through the SDK itself, against the shared local Worker.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { EdgeImApi, MemoryTokenStore, type ChatClient, type ChatEventMap } from "../../../client/index.js";
import { directConversationId, type AuthResponse } from "../../../protocol/index.js";

const WAIT_MS = 10_000;

/** A fetch that records "METHOD /path" of every request, for counting refreshes and covered routes. */
export function recordingFetch(log: string[] = []): { fetch: typeof fetch; log: string[] } {
  return {
    log,
    fetch: (input, init) => {
      log.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  };
}

export interface SignedUp {
  api: EdgeImApi;
  tokens: MemoryTokenStore;
  user: AuthResponse["user"];
  password: string;
  /** Every request this api made. */
  requests: string[];
}

export async function signUp(prefix: string, options: { deviceId?: string; baseUrl?: string; log?: string[] } = {}): Promise<SignedUp> {
  const tokens = new MemoryTokenStore();
  const { fetch, log } = recordingFetch(options.log);
  const api = new EdgeImApi({ baseUrl: options.baseUrl ?? inject("workerUrl"), tokens, fetch, deviceId: options.deviceId ?? "d1" });
  const password = "correct horse battery";
  const { user } = await api.auth.register({ username: `${prefix}_${randomUUID().slice(0, 8)}`, password });
  return { api, tokens, user, password, requests: log };
}

/** Makes them friends; returns their 1:1 conversation id. */
export async function befriend(a: SignedUp, b: SignedUp): Promise<string> {
  const request = await a.api.friends.request({ userId: b.user.id });
  await b.api.friends.accept(request.id);
  return directConversationId(a.user.id, b.user.id);
}

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
