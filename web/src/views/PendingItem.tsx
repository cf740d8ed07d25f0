// A message on its way: greyed, with the upload's progress, or the reason it failed and a retry.
import type { PendingSend } from "../state/app-state.js";
import { discardPending } from "../state/send.js";
import { Icon } from "./ui/Icon.js";

export function PendingItem({ pending }: { pending: PendingSend }) {
  return (
    <li class="message mine pending" aria-label="You, sending">
      <div class="bubble">
        <p class="text">
          {pending.kind !== "text" && <Icon name="attach" size={16} />}
          {pending.preview}
        </p>
        {pending.progress !== null && (
          <progress max={1} value={pending.progress} aria-label={`Uploading ${pending.preview}`}>
            {Math.round(pending.progress * 100)}%
          </progress>
        )}
      </div>
      <div class="meta">
        {pending.failed ? (
          <>
            <span class="failed" role="alert">
              Not sent: {pending.failed}
            </span>
            <button type="button" class="link small" onClick={pending.retry}>
              Retry
            </button>
            <button type="button" class="link small" onClick={() => discardPending(pending.localId)}>
              Discard
            </button>
          </>
        ) : (
          <span>{pending.progress !== null ? `Uploading ${Math.round(pending.progress * 100)}%` : "Sending…"}</span>
        )}
      </div>
    </li>
  );
}
