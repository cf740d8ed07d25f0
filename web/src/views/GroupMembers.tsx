// The member list with roles, the actions my role allows on each member (the owner promotes,
// demotes, hands over and removes; an admin removes plain members), and inviting friends.
import { useState } from "preact/hooks";
import type { GroupMember, GroupView } from "../../../protocol/index.js";
import { appState } from "../state/app-state.js";
import { errorText } from "../state/errors.js";
import { invite, kick, setAdmin, transferOwner } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { FriendPicker } from "./FriendPicker.js";
import { Avatar } from "./ui/Avatar.js";
import { ConfirmButton } from "./ui/ConfirmButton.js";

const ROLE_LABEL = { owner: "Owner", admin: "Admin", member: "" } as const;

export function GroupMembers({ group, onError }: { group: GroupView; onError: (text: string | null) => void }) {
  const members = useStore(appState, (s) => s.members[group.id]);
  const friends = useStore(appState, (s) => s.friends);
  const presence = useStore(appState, (s) => s.presence);
  const myId = useStore(appState, (s) => s.me?.id);
  const [picked, setPicked] = useState<string[]>([]);
  const myRole = group.me?.role ?? "member";

  async function run(action: () => Promise<void>) {
    onError(null);
    try {
      await action();
    } catch (failure) {
      onError(errorText(failure));
    }
  }

  const memberIds = new Set(members?.map((m) => m.user.id));
  const invitable = friends.filter((f) => !memberIds.has(f.user.id));

  return (
    <>
      <section aria-labelledby="members-title">
        <h3 id="members-title">Members ({group.memberCount})</h3>
        {!members ? (
          <p class="muted">Loading members…</p>
        ) : (
          <ul class="list" aria-label="Members">
            {members.map((m) => {
              const name = m.nickname || m.user.displayName;
              return (
                <li key={m.user.id} class="row static member">
                  <Avatar name={name} size="small" online={m.user.id === myId ? undefined : presence[m.user.id]} />
                  <span class="row-main">
                    <span class="row-title">
                      {name}
                      {m.user.id === myId && <small> (you)</small>}
                    </span>
                    {m.role !== "member" && <span class={`role ${m.role}`}>{ROLE_LABEL[m.role]}</span>}
                  </span>
                  <span class="row-actions wrap">{m.user.id !== myId && <MemberActions group={group} member={m} name={name} myRole={myRole} run={run} />}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <form
        class="stack"
        aria-label="Invite friends"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await invite(group.id, picked);
            setPicked([]);
          });
        }}
      >
        <FriendPicker legend="Invite friends" friends={invitable} picked={picked} onChange={setPicked} />
        {invitable.length > 0 && (
          <button type="submit" class="primary" disabled={picked.length === 0}>
            Invite
          </button>
        )}
      </form>
    </>
  );
}

interface ActionProps {
  group: GroupView;
  member: GroupMember;
  name: string;
  myRole: GroupMember["role"];
  run: (action: () => Promise<void>) => Promise<void>;
}

function MemberActions({ group, member, name, myRole, run }: ActionProps) {
  const canKick = member.role !== "owner" && (myRole === "owner" || (myRole === "admin" && member.role === "member"));
  return (
    <>
      {myRole === "owner" && member.role === "member" && (
        <button type="button" class="small" aria-label={`Make ${name} admin`} onClick={() => void run(() => setAdmin(group.id, member.user.id, true))}>
          Make admin
        </button>
      )}
      {myRole === "owner" && member.role === "admin" && (
        <button type="button" class="small" aria-label={`Remove ${name} as admin`} onClick={() => void run(() => setAdmin(group.id, member.user.id, false))}>
          Remove admin
        </button>
      )}
      {myRole === "owner" && (
        <ConfirmButton
          small
          label="Make owner"
          ariaLabel={`Make ${name} owner`}
          question={`Hand the group to ${name}? You become an admin.`}
          confirmLabel="Transfer"
          onConfirm={() => run(() => transferOwner(group.id, member.user.id))}
        />
      )}
      {canKick && (
        <ConfirmButton
          small
          label="Remove"
          ariaLabel={`Remove ${name} from the group`}
          question={`Remove ${name} from the group?`}
          confirmLabel="Remove"
          onConfirm={() => run(() => kick(group.id, member.user.id))}
        />
      )}
    </>
  );
}
