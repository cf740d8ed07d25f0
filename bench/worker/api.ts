// The few HTTP API calls the Worker benchmark makes, as a client would (docs/API.md).
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { AuthResponse, HistoryPage, Message } from "../../protocol/index.js";

type Page = z.infer<typeof HistoryPage>;

export interface BenchUser {
  id: string;
  token: string;
}

export class Api {
  constructor(private readonly baseUrl: string) {}

  async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  private async expect<T>(expected: number[], method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, token, body);
    if (!expected.includes(answer.status)) {
      throw new Error(`${method} ${path}: expected ${expected.join("/")}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  async register(): Promise<BenchUser> {
    const username = `bench_${randomUUID().slice(0, 8)}`;
    const body = await this.expect<AuthResponse>([201], "POST", "/api/auth/register", undefined, {
      username,
      password: "correct horse battery",
      deviceId: "bench",
    });
    return { id: body.user.id, token: body.accessToken };
  }

  async befriend(a: BenchUser, b: BenchUser): Promise<void> {
    const { request } = await this.expect<{ request: { id: string } }>([201], "POST", "/api/friends/requests", a.token, { userId: b.id });
    await this.expect([200], "POST", `/api/friends/requests/${request.id}/accept`, b.token);
  }

  async sendText(from: BenchUser, toUserId: string): Promise<Message> {
    const body = await this.expect<{ message: Message }>([201], "POST", "/api/messages", from.token, {
      to: { userId: toUserId },
      clientMsgId: randomUUID(),
      kind: "text",
      body: { text: "See you at the station at six, bring the tickets please." },
    });
    return body.message;
  }

  syncPage(user: BenchUser, conversationId: string, afterSeq: number, limit: number): Promise<Page> {
    const query = `afterSeq=${afterSeq}&limit=${limit}`;
    return this.expect<Page>([200], "GET", `/api/conversations/${encodeURIComponent(conversationId)}/messages?${query}`, user.token);
  }
}
