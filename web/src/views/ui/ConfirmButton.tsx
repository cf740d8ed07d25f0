// A destructive action asked twice, in place: the button turns into a question with
// "confirm" and "Cancel", so nothing irreversible happens on one stray click or key press.
import { useEffect, useRef, useState } from "preact/hooks";

interface Props {
  label: string;
  /** Accessible name of the first button, when the label alone is ambiguous in a list. */
  ariaLabel?: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  small?: boolean;
}

export function ConfirmButton({ label, ariaLabel, question, confirmLabel, onConfirm, small }: Props) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" class={small ? "danger small" : "danger"} aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span class="confirm-question">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        class={small ? "danger small" : "danger"}
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class={small ? "small" : undefined} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
