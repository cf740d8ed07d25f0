// The connection state, always visible: connecting, syncing, live, offline (retrying by
// itself), or replaced (another window took this device's socket: reconnect on request).
import { appState, type ConnectionStatus } from "../state/app-state.js";
import { reconnect } from "../state/session.js";
import { useStore } from "../state/store.js";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  syncing: "Syncing…",
  live: "Live",
  offline: "Offline, retrying…",
  replaced: "Opened elsewhere",
  closed: "Disconnected",
};

export function ConnectionPill() {
  const status = useStore(appState, (s) => s.status);
  const transport = useStore(appState, (s) => s.transport);
  const via = transport.kind === "edge" ? "edge" : "Socket.IO";
  return (
    <div class="connection">
      <span class={`pill ${status}`} role="status" aria-label="Connection" title={`Connected through ${via}`}>
        <span class="dot" aria-hidden="true" />
        {LABELS[status]}
        <span class="via"> · {via}</span>
      </span>
      {(status === "replaced" || status === "closed") && (
        <button type="button" class="link small" onClick={reconnect}>
          Reconnect
        </button>
      )}
    </div>
  );
}
