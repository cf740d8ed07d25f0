// A new group: its name, an optional announcement, and friends to bring in.
import { useState } from "preact/hooks";
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { createGroup } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { FriendPicker } from "./FriendPicker.js";
import { GroupFields } from "./GroupFields.js";
import { Dialog } from "./ui/Dialog.js";
import { FormError } from "./ui/FormError.js";
import { useAction } from "./ui/use-action.js";

export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const friends = useStore(appState, (s) => s.friends);
  const [name, setName] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      const group = await createGroup({
        name: name.trim(),
        ...(picked.length > 0 ? { memberIds: picked } : {}),
        ...(announcement.trim() ? { announcement: announcement.trim() } : {}),
      });
      onClose();
      openConversationRoute(group.conversationId);
    });
  }

  return (
    <Dialog title="New group" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <GroupFields name={name} announcement={announcement} onName={setName} onAnnouncement={setAnnouncement} rows={2} announcementPlaceholder="optional" />
        <FriendPicker legend="Members" friends={friends} picked={picked} onChange={setPicked} />
        <FormError error={error} />
        <button type="submit" class="primary wide" disabled={busy}>
          Create group
        </button>
      </form>
    </Dialog>
  );
}
