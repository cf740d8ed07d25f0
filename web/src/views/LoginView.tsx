// Log in or create an account, and pick the gateway this window connects through.
import { useState } from "preact/hooks";
import type { TransportChoice } from "../app/preferences.js";
import { appState } from "../state/app-state.js";
import { chooseTransport, signIn } from "../state/session.js";
import { useStore } from "../state/store.js";
import { TransportFields } from "./TransportFields.js";
import { FormError } from "./ui/FormError.js";
import { useAction } from "./ui/use-action.js";

export function LoginView() {
  const transport = useStore(appState, (s) => s.transport);
  const config = useStore(appState, (s) => s.config);
  const [mode, setMode] = useState<"login" | "register">("login");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [choice, setChoice] = useState<TransportChoice>(transport);
  const { busy, error, run, setError } = useAction();
  const registering = mode === "register";

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      chooseTransport(choice);
      await signIn(mode, { username: username.trim(), password, displayName: displayName.trim() || undefined });
    });
  }

  return (
    <main class="login">
      <div class="login-card">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          <h1>edge-im</h1>
        </div>
        <form onSubmit={submit} aria-labelledby="login-title">
          <h2 id="login-title">{registering ? "Create account" : "Log in"}</h2>
          <label class="field">
            <span>Username</span>
            <input
              name="username"
              autoComplete="username"
              required
              minLength={registering ? 3 : 1}
              maxLength={registering ? 32 : 64}
              pattern={registering ? "[A-Za-z0-9_.\\-]+" : undefined}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Password</span>
            <input
              name="password"
              type="password"
              autoComplete={registering ? "new-password" : "current-password"}
              required
              minLength={registering ? 8 : 1}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          {registering && (
            <label class="field">
              <span>Display name</span>
              <input name="displayName" autoComplete="nickname" maxLength={64} placeholder="optional" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
            </label>
          )}
          <TransportFields value={choice} defaultUrl={config.socketIoUrl} onChange={setChoice} />
          <FormError error={error} />
          <button type="submit" class="primary wide" disabled={busy}>
            {registering ? "Create account" : "Log in"}
          </button>
        </form>
        <p class="switch-mode">
          {registering ? "Already have an account?" : "New here?"}{" "}
          <button type="button" class="link" onClick={() => (setMode(registering ? "login" : "register"), setError(null))}>
            {registering ? "Log in instead" : "Create an account"}
          </button>
        </p>
      </div>
    </main>
  );
}
