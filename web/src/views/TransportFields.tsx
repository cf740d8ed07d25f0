// The gateway switch, on the login screen and in settings: the edge WebSocket (the Worker's
// Durable Object) or a Socket.IO gateway node. Both reach the same users and messages.
import type { TransportChoice } from "../app/preferences.js";

interface Props {
  value: TransportChoice;
  /** The deployment's gateway address (GET /api/client-config), the URL field's default. */
  defaultUrl: string | null;
  onChange: (choice: TransportChoice) => void;
}

export function TransportFields({ value, defaultUrl, onChange }: Props) {
  const url = value.kind === "socket.io" ? value.url : (defaultUrl ?? "");
  return (
    <fieldset class="transport">
      <legend>Connection</legend>
      <label class="radio">
        <input type="radio" name="transport" checked={value.kind === "edge"} onChange={() => onChange({ kind: "edge" })} />
        <span>
          Edge <small>WebSocket to the Worker</small>
        </span>
      </label>
      <label class="radio">
        <input type="radio" name="transport" checked={value.kind === "socket.io"} onChange={() => onChange({ kind: "socket.io", url })} />
        <span>
          Socket.IO <small>a gateway node</small>
        </span>
      </label>
      {value.kind === "socket.io" && (
        <label class="field">
          <span>Socket.IO URL</span>
          <input
            type="url"
            required
            placeholder="http://127.0.0.1:3000"
            value={value.url}
            onInput={(event) => onChange({ kind: "socket.io", url: event.currentTarget.value.trim() })}
          />
        </label>
      )}
    </fieldset>
  );
}
