// My groups: open one's chat, see its details, or create a new one.
import { useState } from "preact/hooks";
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { acceptInvitation, declineInvitation } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { GroupDialog } from "./GroupDialog.js";
import { NewGroupDialog } from "./NewGroupDialog.js";
import { Avatar } from "./ui/Avatar.js";
import { FormError } from "./ui/FormError.js";
import { Icon } from "./ui/Icon.js";
import { useAction } from "./ui/use-action.js";

export function GroupsPanel() {
  const groups = useStore(appState, (s) => s.groups);
  const invitations = useStore(appState, (s) => s.invitations);
  const { error, run } = useAction();
  const [creating, setCreating] = useState(false);
  const [details, setDetails] = useState<string | null>(null);

  return (
    <div class="groups">
      <div class="panel-actions">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          <Icon name="plus" size={16} /> New group
        </button>
      </div>
      {invitations.length > 0 && (
        <section aria-labelledby="invitations-title">
          <h3 id="invitations-title">Invitations</h3>
          <ul class="list" aria-label="Group invitations">
            {invitations.map((invitation) => (
              <li key={invitation.id} class="row static">
                <Avatar name={invitation.group.name} group />
                <span class="row-main">
                  <span class="row-title">{invitation.group.name}</span>
                  <span class="row-preview">
                    from {invitation.inviter.displayName} · {invitation.group.memberCount}{" "}
                    {invitation.group.memberCount === 1 ? "member" : "members"}
                  </span>
                </span>
                <span class="row-actions">
                  <button
                    type="button"
                    class="primary small"
                    aria-label={`Accept invitation to ${invitation.group.name}`}
                    onClick={() => void run(() => acceptInvitation(invitation))}
                  >
                    Accept
                  </button>
                  <button
                    type="button"
                    class="small"
                    aria-label={`Decline invitation to ${invitation.group.name}`}
                    onClick={() => void run(() => declineInvitation(invitation))}
                  >
                    Decline
                  </button>
                </span>
              </li>
            ))}
          </ul>
          <FormError error={error} />
        </section>
      )}
      {groups.length === 0 ? (
        <p class="empty">You are in no group yet.</p>
      ) : (
        <ul class="list" aria-label="Groups">
          {groups.map((g) => {
            const name = g.me?.remark || g.name;
            return (
              <li key={g.id} class="row static">
                <Avatar name={name} group />
                <span class="row-main">
                  <span class="row-title">{name}</span>
                  <span class="row-preview">
                    {g.memberCount} {g.memberCount === 1 ? "member" : "members"}
                    {g.me && g.me.role !== "member" ? ` · ${g.me.role === "owner" ? "Owner" : "Admin"}` : ""}
                  </span>
                </span>
                <span class="row-actions">
                  <button type="button" class="icon-button" aria-label={`Open ${name}`} onClick={() => openConversationRoute(g.conversationId)}>
                    <Icon name="chat" />
                  </button>
                  <button type="button" class="icon-button" aria-label={`Details of ${name}`} onClick={() => setDetails(g.id)}>
                    <Icon name="info" />
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {creating && <NewGroupDialog onClose={() => setCreating(false)} />}
      {details && <GroupDialog groupId={details} onClose={() => setDetails(null)} />}
    </div>
  );
}
