// One friend: my private remark for them, and removing them (asked twice).
import { useState } from "preact/hooks";
import { appState } from "../state/app-state.js";
import { blockUser, removeFriend, setRemark } from "../state/friends.js";
import { useStore } from "../state/store.js";
import { ConfirmButton } from "./ui/ConfirmButton.js";
import { Dialog } from "./ui/Dialog.js";
import { FormError } from "./ui/FormError.js";
import { useAction } from "./ui/use-action.js";

export function FriendDialog({ userId, onClose }: { userId: string; onClose: () => void }) {
  const friend = useStore(appState, (s) => s.friends.find((f) => f.user.id === userId));
  const [remark, setRemarkText] = useState(friend?.remark ?? "");
  const { error, run: runAction } = useAction();

  if (!friend) {
    return (
      <Dialog title="Friend" onClose={onClose}>
        <p>This person is no longer your friend.</p>
      </Dialog>
    );
  }

  async function run(action: () => Promise<void>, closeAfter: boolean) {
    if ((await runAction(action)) && closeAfter) onClose();
  }

  return (
    <Dialog title={friend.user.displayName} onClose={onClose}>
      <p class="muted">@{friend.user.username}</p>
      <form class="inline-form" onSubmit={(e) => (e.preventDefault(), void run(() => setRemark(userId, remark.trim()), true))}>
        <label class="field">
          <span>Remark</span>
          <input maxLength={64} placeholder="A name only you see" value={remark} onInput={(e) => setRemarkText(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Save remark
        </button>
      </form>
      <FormError error={error} />
      <div class="danger-zone">
        <ConfirmButton
          label="Remove friend"
          question={`Remove ${friend.user.displayName}? Your conversation stays.`}
          confirmLabel="Remove"
          onConfirm={() => run(() => removeFriend(userId), true)}
        />
        <ConfirmButton
          label="Block"
          ariaLabel={`Block ${friend.user.displayName}`}
          question={`Block ${friend.user.displayName}? You stop being friends, and they cannot message you, ask to be your friend again or add you to groups. They are not told.`}
          confirmLabel="Block"
          onConfirm={() => run(() => blockUser(userId), true)}
        />
      </div>
    </Dialog>
  );
}
