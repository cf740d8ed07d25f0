// Signing in and out, and the chat connection: one ChatClient per sign-in, over the edge
// WebSocket or a Socket.IO gateway as the user chose (remembered per browser).
import { ChatClient, EdgeImApi, isTransient } from "../../../client/index.js";
import type { Me } from "../../../protocol/index.js";
import { loadTransport, saveTransport, windowDeviceId, type TransportChoice } from "../app/preferences.js";
import { windowTokenStore } from "../app/token-store.js";
import { appState, clearUserState, notify } from "./app-state.js";
import { errorText } from "./errors.js";
import { releaseFileUrls } from "./file-urls.js";
import { bindLiveEvents } from "./live-events.js";
import { session } from "./session-handle.js";
import { rememberUsers } from "./users.js";

let unbind: (() => void) | null = null;
const RESTORE_ATTEMPTS = 5;

/** Page start: the deployment's settings, then the session this window still has, if any. */
export async function startSession(): Promise<void> {
  const api = new EdgeImApi({ baseUrl: location.origin, tokens: windowTokenStore(), deviceId: windowDeviceId() });
  session.setApi(api);
  appState.set({ transport: loadTransport() ?? { kind: "edge" } });
  void loadClientConfig();
  // The session ended on the server (logged out, ended from another device, a newer login on
  // this device: the socket's `session.ended`), or the refresh token was refused: back to the
  // login screen, saying why.
  api.onSessionChange((current) => {
    if (current === null && appState.get().phase === "signed-in") {
      void signOut("You were signed out: this device's session ended (logged out or ended from another device). Please log in again.");
    }
  });
  if (!api.isSignedIn()) {
    appState.set({ phase: "signed-out" });
    return;
  }
  // The stored session may be gone (expired, logged out): then sign in again. A network
  // failure is not a verdict: try again for a while.
  for (let attempt = 1; ; attempt++) {
    try {
      enter(await api.me.get());
      return;
    } catch (error) {
      if (!isTransient(error) || attempt >= RESTORE_ATTEMPTS) {
        appState.set({ phase: "signed-out" });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

async function loadClientConfig(): Promise<void> {
  try {
    appState.set({ config: await session.api().clientConfig() });
  } catch {
    // Offline at start: the defaults hold (edge only, a 120 s recall window).
  }
}

export interface Credentials {
  username: string;
  password: string;
  displayName?: string;
}

export async function signIn(mode: "login" | "register", credentials: Credentials): Promise<void> {
  const api = session.api();
  const auth =
    mode === "register"
      ? await api.auth.register({ username: credentials.username, password: credentials.password, ...(credentials.displayName ? { displayName: credentials.displayName } : {}) })
      : await api.auth.login({ username: credentials.username, password: credentials.password });
  enter(auth.user);
}

function enter(me: Me): void {
  rememberUsers([me]);
  appState.set({ me, phase: "signed-in" });
  connect();
}

function connect(): void {
  unbind?.();
  session.chat()?.close();
  const choice = appState.get().transport;
  const chat = new ChatClient({
    api: session.api(),
    transport: choice.kind === "edge" ? { kind: "edge" } : { kind: "socket.io", url: choice.url },
  });
  session.setChat(chat);
  unbind = bindLiveEvents(chat);
  chat.connect().catch((error: unknown) => console.warn("chat connect failed; the client retries by itself", errorText(error)));
}

/** Remembers the choice; a signed-in window reconnects through the new gateway at once. */
export function chooseTransport(choice: TransportChoice): void {
  saveTransport(choice);
  appState.set({ transport: choice });
  if (appState.get().phase === "signed-in") connect();
}

/** Reconnect after this window was replaced by another socket of the same device. */
export function reconnect(): void {
  if (appState.get().phase === "signed-in") connect();
}

export async function signOut(reason?: string): Promise<void> {
  if (appState.get().phase !== "signed-in") return;
  appState.set({ phase: "signed-out" });
  unbind?.();
  unbind = null;
  session.chat()?.close();
  session.setChat(null);
  try {
    await session.api().auth.logout();
  } catch {
    // Ending the session on the server is a courtesy; the tokens are dropped here regardless.
  }
  releaseFileUrls();
  clearUserState();
  history.replaceState(null, "", location.pathname);
  appState.set({ activeId: null });
  if (reason) notify(reason, "error");
}
