// Friends: ask someone by username, answer requests, and the list with presence dots.
import { useState } from "preact/hooks";
import { directConversationId, type Friend } from "../../../protocol/index.js";
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { attempt, errorText } from "../state/errors.js";
import { acceptRequest, declineRequest, sendFriendRequest } from "../state/friends.js";
import { session } from "../state/session-handle.js";
import { useStore } from "../state/store.js";
import { FriendDialog } from "./FriendDialog.js";
import { Avatar } from "./ui/Avatar.js";
import { FormError } from "./ui/FormError.js";
import { Icon } from "./ui/Icon.js";
import { useAction } from "./ui/use-action.js";

export function FriendsPanel() {
  const friends = useStore(appState, (s) => s.friends);
  const incoming = useStore(appState, (s) => s.incoming);
  const outgoing = useStore(appState, (s) => s.outgoing);
  const presence = useStore(appState, (s) => s.presence);
  const me = useStore(appState, (s) => s.me);
  const [editing, setEditing] = useState<Friend | null>(null);

  function chatWith(friend: Friend) {
    if (!me) return;
    void session.chat()?.sync();
    openConversationRoute(directConversationId(me.id, friend.user.id));
  }

  return (
    <div class="friends">
      <AddFriendForm />
      {incoming.length > 0 && (
        <section aria-labelledby="incoming-title">
          <h3 id="incoming-title">Friend requests</h3>
          <ul class="list" aria-label="Friend requests">
            {incoming.map((r) => (
              <li key={r.id} class="row static">
                <Avatar name={r.from.displayName} />
                <span class="row-main">
                  <span class="row-title">
                    {r.from.displayName} <small>@{r.from.username}</small>
                  </span>
                  {r.message && <span class="row-preview">“{r.message}”</span>}
                </span>
                <span class="row-actions">
                  <button type="button" class="primary small" aria-label={`Accept ${r.from.displayName}`} onClick={() => void attempt(() => acceptRequest(r))}>
                    Accept
                  </button>
                  <button type="button" class="small" aria-label={`Decline ${r.from.displayName}`} onClick={() => void attempt(() => declineRequest(r))}>
                    Decline
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {outgoing.length > 0 && (
        <section aria-labelledby="outgoing-title">
          <h3 id="outgoing-title">Sent requests</h3>
          <ul class="list" aria-label="Sent requests">
            {outgoing.map((r) => (
              <li key={r.id} class="row static">
                <Avatar name={r.to.displayName} />
                <span class="row-main">
                  <span class="row-title">
                    {r.to.displayName} <small>@{r.to.username}</small>
                  </span>
                  <span class="row-preview">Waiting for an answer</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="friends-title">
        <h3 id="friends-title">Friends</h3>
        {friends.length === 0 ? (
          <p class="empty">No friends yet. Ask someone by their username above.</p>
        ) : (
          <ul class="list" aria-label="Friends">
            {friends.map((f) => {
              const name = f.remark || f.user.displayName;
              const online = presence[f.user.id] ?? f.user.online ?? false;
              return (
                <li key={f.user.id} class="row static">
                  <Avatar name={name} online={online} />
                  <span class="row-main">
                    <span class="row-title">
                      {name} <small>@{f.user.username}</small>
                    </span>
                    <span class="row-preview">{online ? "Online" : "Offline"}{f.remark ? ` · ${f.user.displayName}` : ""}</span>
                  </span>
                  <span class="row-actions">
                    <button type="button" class="icon-button" aria-label={`Chat with ${name}`} onClick={() => chatWith(f)}>
                      <Icon name="chat" />
                    </button>
                    <button type="button" class="icon-button" aria-label={`Edit ${name}`} onClick={() => setEditing(f)}>
                      <Icon name="info" />
                    </button>
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {editing && <FriendDialog userId={editing.user.id} onClose={() => setEditing(null)} />}
    </div>
  );
}

function AddFriendForm() {
  const [username, setUsername] = useState("");
  const [message, setMessage] = useState("");
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    const sent = await run(() => sendFriendRequest(username.trim(), message.trim()));
    if (sent) {
      setUsername("");
      setMessage("");
    }
  }

  return (
    <form class="add-friend" onSubmit={submit} aria-labelledby="add-friend-title">
      <h3 id="add-friend-title">Add a friend</h3>
      <label class="field">
        <span>Friend's username</span>
        <input required minLength={3} maxLength={32} autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Note to them</span>
        <input maxLength={200} placeholder="optional" value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
      </label>
      <FormError error={error} />
      <button type="submit" class="primary" disabled={busy}>
        <Icon name="plus" size={16} /> Send request
      </button>
    </form>
  );
}
