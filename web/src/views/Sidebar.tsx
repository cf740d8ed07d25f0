// Who I am, the connection, settings, and three tabs: chats, friends, groups.
import { useState } from "preact/hooks";
import { appState, type Tab } from "../state/app-state.js";
import { useStore } from "../state/store.js";
import { ConnectionPill } from "./ConnectionPill.js";
import { ConversationList } from "./ConversationList.js";
import { FriendsPanel } from "./FriendsPanel.js";
import { GroupsPanel } from "./GroupsPanel.js";
import { SettingsDialog } from "./SettingsDialog.js";
import { Avatar } from "./ui/Avatar.js";
import { Icon } from "./ui/Icon.js";

const TABS: { id: Tab; label: string }[] = [
  { id: "chats", label: "Chats" },
  { id: "friends", label: "Friends" },
  { id: "groups", label: "Groups" },
];

export function Sidebar() {
  const me = useStore(appState, (s) => s.me);
  const tab = useStore(appState, (s) => s.tab);
  const conversations = useStore(appState, (s) => s.conversations);
  const incoming = useStore(appState, (s) => s.incoming);
  const invitations = useStore(appState, (s) => s.invitations);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const unread = conversations.reduce((sum, c) => sum + c.unread, 0);
  const badges: Record<Tab, number> = { chats: unread, friends: incoming.length, groups: invitations.length };

  function onTabKey(event: KeyboardEvent) {
    // Arrow keys move between tabs, as the tabs pattern asks.
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const index = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(index + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length]!;
    appState.set({ tab: next.id });
    document.getElementById(`tab-${next.id}`)?.focus();
  }

  return (
    <aside class="sidebar" aria-label="Navigation">
      <header class="sidebar-head">
        <Avatar name={me?.displayName ?? "?"} />
        <div class="who">
          <strong>{me?.displayName}</strong>
          <ConnectionPill />
        </div>
        <button type="button" class="icon-button" aria-label="Settings" onClick={() => setSettingsOpen(true)}>
          <Icon name="settings" />
        </button>
      </header>
      <div class="tabs" role="tablist" aria-label="Sections" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => appState.set({ tab: t.id })}
          >
            {t.label}
            {badges[t.id] > 0 && (
              <span class="badge">
                <span class="visually-hidden">, </span>
                {badges[t.id]}
                <span class="visually-hidden">{t.id === "friends" ? " requests" : t.id === "groups" ? " invitations" : " unread"}</span>
              </span>
            )}
          </button>
        ))}
      </div>
      <div class="panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "chats" && <ConversationList />}
        {tab === "friends" && <FriendsPanel />}
        {tab === "groups" && <GroupsPanel />}
      </div>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
    </aside>
  );
}
