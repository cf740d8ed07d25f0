import { ApiError } from "../../../client/index.js";
import { notify } from "./app-state.js";

/** A sentence for the user: the server's own message for API errors, a plain one otherwise. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Cannot reach the server. Check your connection.";
  return error instanceof Error ? error.message : String(error);
}

/** Runs a user action; a failure becomes an error notice instead of an unhandled rejection. */
export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    notify(errorText(error), "error");
    return undefined;
  }
}
