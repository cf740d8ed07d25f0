// My groups: open one's chat, see its details, or create a new one.
import { useState } from "preact/hooks";
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { useStore } from "../state/store.js";
import { GroupDialog } from "./GroupDialog.js";
import { NewGroupDialog } from "./NewGroupDialog.js";
import { Avatar } from "./ui/Avatar.js";
import { Icon } from "./ui/Icon.js";

export function GroupsPanel() {
  const groups = useStore(appState, (s) => s.groups);
  const [creating, setCreating] = useState(false);
  const [details, setDetails] = useState<string | null>(null);

  return (
    <div class="groups">
      <div class="panel-actions">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          <Icon name="plus" size={16} /> New group
        </button>
      </div>
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
