// A group's details: name and announcement (owner and admins edit them), my nickname, the
// members with their roles, and leaving or dismissing the group.
import { useEffect, useState } from "preact/hooks";
import { closeConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { attempt } from "../state/errors.js";
import { dismissGroup, leaveGroup, loadMembers, setMyNickname, updateGroup } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { GroupFields } from "./GroupFields.js";
import { GroupMembers } from "./GroupMembers.js";
import { ConfirmButton } from "./ui/ConfirmButton.js";
import { Dialog } from "./ui/Dialog.js";
import { FormError } from "./ui/FormError.js";
import { useAction } from "./ui/use-action.js";

export function GroupDialog({ groupId, onClose }: { groupId: string; onClose: () => void }) {
  const group = useStore(appState, (s) => s.groups.find((g) => g.id === groupId));
  const { error, run, setError } = useAction();

  useEffect(() => {
    void attempt(() => loadMembers(groupId));
  }, [groupId]);

  if (!group?.me) {
    return (
      <Dialog title="Group" onClose={onClose}>
        <p>You are no longer in this group.</p>
      </Dialog>
    );
  }
  const role = group.me.role;
  const canEdit = role === "owner" || role === "admin";

  async function leave(action: (id: string) => Promise<void>) {
    await run(async () => {
      await action(groupId);
      onClose();
      if (appState.get().activeId === group!.conversationId) closeConversationRoute();
    });
  }

  return (
    <Dialog title={group.name} onClose={onClose} wide>
      <FormError error={error} />
      {canEdit ? (
        <AboutForm key={group.updatedAt} name={group.name} announcement={group.announcement} onSave={(body) => run(() => updateGroup(groupId, body))} />
      ) : (
        <section aria-labelledby="announcement-title">
          <h3 id="announcement-title">Announcement</h3>
          <p class="announcement">{group.announcement || "No announcement."}</p>
        </section>
      )}
      <NicknameForm key={group.me.nickname} nickname={group.me.nickname} onSave={(nickname) => run(() => setMyNickname(groupId, nickname))} />
      <GroupMembers group={group} onError={setError} />
      <div class="danger-zone">
        {role === "owner" ? (
          <ConfirmButton label="Dismiss group" question="Dismiss the group for everyone? Its messages are deleted." confirmLabel="Dismiss" onConfirm={() => leave(dismissGroup)} />
        ) : null}{" "}
        <ConfirmButton label="Leave group" question="Leave this group?" confirmLabel="Leave" onConfirm={() => leave(leaveGroup)} />
      </div>
    </Dialog>
  );
}

function AboutForm(props: { name: string; announcement: string; onSave: (body: { name?: string; announcement?: string }) => Promise<unknown> }) {
  const [name, setName] = useState(props.name);
  const [announcement, setAnnouncement] = useState(props.announcement);
  const changed = name.trim() !== props.name || announcement !== props.announcement;
  return (
    <form
      class="stack"
      aria-label="Group profile"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave({
          ...(name.trim() !== props.name ? { name: name.trim() } : {}),
          ...(announcement !== props.announcement ? { announcement } : {}),
        });
      }}
    >
      <GroupFields name={name} announcement={announcement} onName={setName} onAnnouncement={setAnnouncement} rows={3} />
      <button type="submit" class="primary" disabled={!changed}>
        Save changes
      </button>
    </form>
  );
}

function NicknameForm(props: { nickname: string; onSave: (nickname: string) => Promise<unknown> }) {
  const [nickname, setNickname] = useState(props.nickname);
  return (
    <form class="inline-form" aria-label="My nickname" onSubmit={(e) => (e.preventDefault(), void props.onSave(nickname.trim()))}>
      <label class="field">
        <span>My nickname in this group</span>
        <input maxLength={64} placeholder="Shown to the members" value={nickname} onInput={(e) => setNickname(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={nickname.trim() === props.nickname}>
        Save nickname
      </button>
    </form>
  );
}
