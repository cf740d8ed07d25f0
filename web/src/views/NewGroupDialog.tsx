// A new group: its name, an optional announcement, and friends to bring in.
import { useState } from "preact/hooks";
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { errorText } from "../state/errors.js";
import { createGroup } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { FriendPicker } from "./FriendPicker.js";
import { Dialog } from "./ui/Dialog.js";

export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const friends = useStore(appState, (s) => s.friends);
  const [name, setName] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const group = await createGroup({
        name: name.trim(),
        ...(picked.length > 0 ? { memberIds: picked } : {}),
        ...(announcement.trim() ? { announcement: announcement.trim() } : {}),
      });
      onClose();
      openConversationRoute(group.conversationId);
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <Dialog title="New group" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Group name</span>
          <input required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Announcement</span>
          <textarea rows={2} maxLength={2000} placeholder="optional" value={announcement} onInput={(e) => setAnnouncement(e.currentTarget.value)} />
        </label>
        <FriendPicker legend="Members" friends={friends} picked={picked} onChange={setPicked} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary wide" disabled={busy}>
          Create group
        </button>
      </form>
    </Dialog>
  );
}
