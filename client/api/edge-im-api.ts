import { AuthResponse } from "../../protocol/index.js";
import { HttpClient } from "../http/http-client.js";
import { Session, type SessionView } from "../http/session.js";
import { MemoryTokenStore, type TokenStore } from "../http/token-store.js";
import { authApi } from "./auth.js";
import { blocksApi } from "./blocks.js";
import { clientConfigApi } from "./client-config.js";
import { conversationsApi } from "./conversations.js";
import { filesApi } from "./files.js";
import { friendsApi } from "./friends.js";
import { healthApi } from "./health.js";
import { groupsApi } from "./groups.js";
import { meApi } from "./me.js";
import { messagesApi } from "./messages.js";
import { noticesApi } from "./notices.js";
import { usersApi } from "./users.js";

export interface EdgeImApiOptions {
  /** The Worker, e.g. "http://127.0.0.1:8787" (no trailing /api). */
  baseUrl: string;
  /** Where the session is kept; default: memory only. */
  tokens?: TokenStore;
  fetch?: typeof fetch;
  /** Sent with register and login: one session per device id (else the server makes one up). */
  deviceId?: string;
}

/** Every route of the HTTP API (docs/API.md) as a typed method, grouped by resource. */
export class EdgeImApi {
  readonly baseUrl: string;
  readonly http: HttpClient;
  private readonly sessionState: Session;

  readonly auth: ReturnType<typeof authApi>;
  readonly me: ReturnType<typeof meApi>;
  readonly users: ReturnType<typeof usersApi>;
  readonly friends: ReturnType<typeof friendsApi>;
  readonly blocks: ReturnType<typeof blocksApi>;
  readonly groups: ReturnType<typeof groupsApi>;
  readonly messages: ReturnType<typeof messagesApi>;
  readonly conversations: ReturnType<typeof conversationsApi>;
  readonly files: ReturnType<typeof filesApi>;
  /** GET /api/client-config: the Socket.IO gateway address and the recall window. */
  readonly clientConfig: ReturnType<typeof clientConfigApi>;
  /** GET /api/health: the Worker is up and reaches D1. */
  readonly health: ReturnType<typeof healthApi>;
  /** GET /api/notices: the administrators' notices to everyone. */
  readonly notices: ReturnType<typeof noticesApi>;

  constructor(options: EdgeImApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    // Looked up at call time, not bound once: a wrapped or patched fetch still applies.
    const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sessionState = new Session(options.tokens ?? new MemoryTokenStore(), (refreshToken) =>
      this.http.json("POST", "/api/auth/refresh", AuthResponse, { json: { refreshToken }, auth: false }),
    );
    this.http = new HttpClient(this.baseUrl, fetchFn, this.sessionState);
    this.auth = authApi(this.http, this.sessionState, options.deviceId);
    this.me = meApi(this.http);
    this.users = usersApi(this.http);
    this.friends = friendsApi(this.http);
    this.blocks = blocksApi(this.http);
    this.groups = groupsApi(this.http);
    this.messages = messagesApi(this.http);
    this.conversations = conversationsApi(this.http);
    this.files = filesApi(this.http);
    this.clientConfig = clientConfigApi(this.http);
    this.health = healthApi(this.http);
    this.notices = noticesApi(this.http);
  }

  isSignedIn(): boolean {
    return this.sessionState.view() !== null;
  }

  session(): SessionView | null {
    return this.sessionState.view();
  }

  /** Called with the new session after every sign-in and refresh, and with null on sign-out. */
  onSessionChange(listener: (session: SessionView | null) => void): () => void {
    return this.sessionState.onChange(listener);
  }

  /** An access token valid for at least `minValidityMs` more (refreshed first if needed). */
  validAccessToken(minValidityMs = 30_000): Promise<string> {
    return this.sessionState.validAccessToken(minValidityMs);
  }
}
