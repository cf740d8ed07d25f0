// The user's live session ids, held by the user's Durable Object: the one place every
// request's session check asks (requireAuth, through worker/auth/session-check.ts), so an
// ended session stops working at once without a D1 query per request. D1 stays the
// record: every login, refresh-token reuse and logout writes D1 first, then tells the
// object; the set is (re)loaded from D1 when the object starts and at most once every
// RELOAD_AFTER_MS while it is asked, so a change made to D1 behind its back (a user row
// deleted by hand, say) is noticed within that time.
export const RELOAD_AFTER_MS = 60_000;

export class LiveSessions {
  private loaded: Promise<Set<string>> | undefined;
  private loadedAt = 0;

  /** `load(userId)` reads the user's live session ids from D1. */
  constructor(private readonly load: (userId: string) => Promise<string[]>) {}

  /** The set, loaded once (then refreshed). Changes wait for a load, so none made meanwhile is lost. */
  private ids(userId: string): Promise<Set<string>> {
    const now = Date.now();
    if (!this.loaded || now - this.loadedAt > RELOAD_AFTER_MS) {
      this.loadedAt = now;
      this.loaded = this.load(userId).then(
        (ids) => new Set(ids),
        (error: unknown) => {
          this.loaded = undefined; // try again on the next call
          throw error;
        },
      );
    }
    return this.loaded;
  }

  async isLive(userId: string, sessionId: string): Promise<boolean> {
    return (await this.ids(userId)).has(sessionId);
  }

  async opened(userId: string, sessionId: string): Promise<void> {
    (await this.ids(userId)).add(sessionId);
  }

  async ended(userId: string, sessionIds: string[]): Promise<void> {
    const ids = await this.ids(userId);
    for (const id of sessionIds) ids.delete(id);
  }
}
