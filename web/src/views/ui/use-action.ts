// A user action started from a form or dialog: while it runs the view shows it busy, and a
// failure becomes the sentence shown in that view's alert (FormError), not a lost rejection.
import { useState } from "preact/hooks";
import { errorText } from "../../state/errors.js";

export interface ActionState {
  busy: boolean;
  error: string | null;
  /** Runs the action; resolves true when it succeeded. Never rejects. */
  run(action: () => Promise<unknown>): Promise<boolean>;
  /** Shows a failure reported by a child view, or clears the alert (null). */
  setError(error: string | null): void;
}

export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run, setError };
}
