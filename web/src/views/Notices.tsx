// Short notices (a friend request arrived, an action failed). The region is always present,
// so screen readers announce what is added to it.
import { appState, dismissNotice } from "../state/app-state.js";
import { useStore } from "../state/store.js";
import { Icon } from "./ui/Icon.js";

export function Notices() {
  const notices = useStore(appState, (s) => s.notices);
  return (
    <div class="notices" role="status" aria-label="Notifications" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice ${n.tone}`}>
          <span>{n.text}</span>
          <button type="button" class="icon-button small" aria-label="Dismiss notification" onClick={() => dismissNotice(n.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
