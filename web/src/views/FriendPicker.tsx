// Checkboxes of friends (creating a group, inviting to one), each labelled with the name.
import type { Friend } from "../../../protocol/index.js";

interface Props {
  legend: string;
  friends: Friend[];
  picked: string[];
  onChange: (ids: string[]) => void;
}

export function FriendPicker({ legend, friends, picked, onChange }: Props) {
  return (
    <fieldset class="picker">
      <legend>{legend}</legend>
      {friends.length === 0 ? (
        <p class="empty">No friends to add.</p>
      ) : (
        friends.map((f) => (
          <label key={f.user.id} class="check">
            <input
              type="checkbox"
              checked={picked.includes(f.user.id)}
              onChange={(e) => onChange(e.currentTarget.checked ? [...picked, f.user.id] : picked.filter((id) => id !== f.user.id))}
            />
            <span>{f.remark || f.user.displayName}</span>
          </label>
        ))
      )}
    </fieldset>
  );
}
