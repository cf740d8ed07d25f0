// Settings: my display name, the gateway (switching reconnects at once), who may add me to groups, the theme, log out.
import { useState } from "preact/hooks";
import { applyTheme, loadTheme, type Theme, type TransportChoice } from "../app/preferences.js";
import { appState, notify } from "../state/app-state.js";
import { updateMyProfile } from "../state/profile.js";
import { chooseTransport, signOut } from "../state/session.js";
import { useStore } from "../state/store.js";
import { TransportFields } from "./TransportFields.js";
import { Dialog } from "./ui/Dialog.js";
import { FormError } from "./ui/FormError.js";
import { useAction } from "./ui/use-action.js";

export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const me = useStore(appState, (s) => s.me);
  const transport = useStore(appState, (s) => s.transport);
  const config = useStore(appState, (s) => s.config);
  const [displayName, setDisplayName] = useState(me?.displayName ?? "");
  const [choice, setChoice] = useState<TransportChoice>(transport);
  const [theme, setTheme] = useState<Theme>(loadTheme());
  const { error, run } = useAction();
  const transportChanged = JSON.stringify(choice) !== JSON.stringify(transport);

  async function saveName(event: Event) {
    event.preventDefault();
    await run(async () => {
      await updateMyProfile({ displayName: displayName.trim() });
      notify("Display name saved");
    });
  }

  return (
    <Dialog title="Settings" onClose={onClose}>
      <FormError error={error} />
      <form class="inline-form" aria-label="Profile" onSubmit={saveName}>
        <label class="field">
          <span>Display name</span>
          <input required maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={displayName.trim() === me?.displayName}>
          Save name
        </button>
      </form>
      <form
        class="stack"
        aria-label="Connection settings"
        onSubmit={(e) => {
          e.preventDefault();
          chooseTransport(choice);
          notify(choice.kind === "edge" ? "Connecting through the edge" : `Connecting through ${choice.url}`);
        }}
      >
        <TransportFields value={choice} defaultUrl={config.socketIoUrl} onChange={setChoice} />
        <button type="submit" class="primary" disabled={!transportChanged}>
          Apply connection
        </button>
      </form>
      <label class="field">
        <span>Who can add me to groups</span>
        <select
          value={me?.groupAddPolicy ?? "friends"}
          onChange={(e) => {
            const groupAddPolicy = e.currentTarget.value === "anyone" ? "anyone" : "friends";
            void run(async () => {
              await updateMyProfile({ groupAddPolicy });
              notify(groupAddPolicy === "anyone" ? "Anyone can add you to groups" : "Only friends can add you; others invite you");
            });
          }}
        >
          <option value="friends">Friends only (others send an invitation)</option>
          <option value="anyone">Anyone</option>
        </select>
      </label>
      <label class="field">
        <span>Theme</span>
        <select
          value={theme}
          onChange={(e) => {
            const next = e.currentTarget.value as Theme;
            setTheme(next);
            applyTheme(next);
          }}
        >
          <option value="system">Same as the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <div class="danger-zone">
        <button type="button" class="danger" onClick={() => void signOut()}>
          Log out
        </button>
      </div>
    </Dialog>
  );
}
