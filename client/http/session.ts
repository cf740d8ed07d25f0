import type { AuthResponse } from "../../protocol/index.js";
import { ApiError } from "./api-error.js";
import type { StoredSession, TokenStore } from "./token-store.js";

/** What an app may see of the session (never the refresh token). */
export interface SessionView {
  userId: string;
  deviceId: string;
  accessToken: string;
  expiresAt: number;
}

type Listener = (session: SessionView | null) => void;

/**
 * The signed-in session: tokens in the TokenStore, and the one refresh in flight that
 * every caller hitting an expired token waits for (a refresh rotates the refresh token,
 * so two at once would sign the device out).
 */
export class Session {
  private refreshing: Promise<SessionView> | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly store: TokenStore,
    private readonly refreshCall: (refreshToken: string) => Promise<AuthResponse>,
  ) {}

  view(): SessionView | null {
    const stored = this.store.load();
    return stored && { userId: stored.userId, deviceId: stored.deviceId, accessToken: stored.accessToken, expiresAt: stored.expiresAt };
  }

  accessToken(): string | undefined {
    return this.store.load()?.accessToken;
  }

  save(auth: AuthResponse): void {
    const stored: StoredSession = {
      userId: auth.user.id,
      deviceId: auth.deviceId,
      accessToken: auth.accessToken,
      refreshToken: auth.refreshToken,
      expiresAt: Date.now() + auth.expiresIn * 1000,
    };
    this.store.save(stored);
    this.notify();
  }

  clear(): void {
    this.store.clear();
    this.notify();
  }

  /** Trades the refresh token for a new pair; concurrent callers share one call. */
  refresh(): Promise<SessionView> {
    this.refreshing ??= this.refreshNow().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** After `expired` was refused: refresh, unless someone already replaced that token. */
  async renew(expired: string): Promise<void> {
    if (this.accessToken() === expired) await this.refresh();
  }

  /**
   * The server refused `token` as `unauthorized` (not expired: its session ended, by a
   * logout or a revocation on another device): sign out, unless a newer pair was stored
   * meanwhile (another tab logged in again).
   */
  ended(token: string): void {
    if (this.accessToken() === token) this.clear();
  }

  /** An access token valid for at least `minValidityMs` more, refreshed first if needed. */
  async validAccessToken(minValidityMs: number): Promise<string> {
    const stored = this.store.load();
    if (!stored) throw notSignedIn();
    if (stored.expiresAt - Date.now() >= minValidityMs) return stored.accessToken;
    return (await this.refresh()).accessToken;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async refreshNow(): Promise<SessionView> {
    const used = this.store.load();
    if (!used) throw notSignedIn();
    try {
      this.save(await this.refreshCall(used.refreshToken));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      // Another tab sharing this store may have rotated the token first: its pair is good,
      // once its answer has arrived and been stored.
      const now = await this.newerPair(used.refreshToken);
      if (!now) {
        this.clear();
        throw error;
      }
      this.notify();
    }
    return this.view()!;
  }

  /**
   * The pair another tab stored in place of `refreshToken`, if any. In a shared store the
   * winner of a refresh race stores its pair once its own answer arrives, which can be after
   * the loser's refusal: wait for it up to RACE_WAIT_MS, checking every RACE_POLL_MS.
   */
  private async newerPair(refreshToken: string): Promise<StoredSession | null> {
    const deadline = Date.now() + (this.store.shared ? RACE_WAIT_MS : 0);
    for (;;) {
      const now = this.store.load();
      if (now && now.refreshToken !== refreshToken) return now;
      if (!now || Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, RACE_POLL_MS));
    }
  }

  private notify(): void {
    const view = this.view();
    for (const listener of this.listeners) listener(view);
  }
}

/** How long a refused refresh waits for another tab's new pair in a shared store, and how often it looks. */
const RACE_WAIT_MS = 2_000;
const RACE_POLL_MS = 25;

export const notSignedIn = () => new ApiError("unauthorized", "not signed in", 401);
