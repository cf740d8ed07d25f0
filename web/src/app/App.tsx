// The page: the login screen or the chat, and the notices in the corner.
import { appState } from "../state/app-state.js";
import { useStore } from "../state/store.js";
import { LoginView } from "../views/LoginView.js";
import { Notices } from "../views/Notices.js";
import { Shell } from "../views/Shell.js";

export function App() {
  const phase = useStore(appState, (s) => s.phase);
  return (
    <>
      {phase === "restoring" && <p class="boot">Loading edge-im…</p>}
      {phase === "signed-out" && <LoginView />}
      {phase === "signed-in" && <Shell />}
      <Notices />
    </>
  );
}
