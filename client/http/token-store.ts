/** What a signed-in device keeps between runs: its token pair and who it is. */
export interface StoredSession {
  userId: string;
  deviceId: string;
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (Unix ms, by this device's clock). */
  expiresAt: number;
}

/**
 * Where the SDK keeps the session. Synchronous like localStorage, so `api.isSignedIn()`
 * can answer at once; an app with asynchronous storage keeps a memory copy and writes
 * through. The SDK reads it before each refresh, so tabs sharing one store also share
 * each other's refreshed tokens.
 */
export interface TokenStore {
  load(): StoredSession | null;
  save(session: StoredSession): void;
  clear(): void;
  /**
   * Other tabs or clients may write it too (localStorage). A refresh refused there may have
   * lost a race to one of them, whose new pair lands a moment later: the SDK waits for it
   * before signing out (session.ts).
   */
  readonly shared?: boolean;
}

export class MemoryTokenStore implements TokenStore {
  private session: StoredSession | null = null;
  load(): StoredSession | null {
    return this.session;
  }
  save(session: StoredSession): void {
    this.session = session;
  }
  clear(): void {
    this.session = null;
  }
}

/** The part of the Web Storage API the SDK uses (localStorage, sessionStorage, or a stand-in). */
export interface StringStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Browsers: the session survives reloads, under `<prefix>.session`. */
export class LocalStorageTokenStore implements TokenStore {
  readonly shared = true;
  private readonly key: string;
  private readonly storage: StringStorage;

  constructor(prefix = "edge-im", storage?: StringStorage) {
    const fallback = (globalThis as { localStorage?: StringStorage }).localStorage;
    if (!storage && !fallback) throw new Error("LocalStorageTokenStore: no localStorage here; pass a storage or use MemoryTokenStore");
    this.storage = storage ?? fallback!;
    this.key = `${prefix}.session`;
  }

  load(): StoredSession | null {
    const text = this.storage.getItem(this.key);
    if (!text) return null;
    try {
      const session = JSON.parse(text) as Partial<StoredSession>;
      // Written by an older or foreign version: treat as signed out rather than fail later.
      return typeof session.accessToken === "string" && typeof session.refreshToken === "string" ? (session as StoredSession) : null;
    } catch {
      return null;
    }
  }
  save(session: StoredSession): void {
    this.storage.setItem(this.key, JSON.stringify(session));
  }
  clear(): void {
    this.storage.removeItem(this.key);
  }
}
