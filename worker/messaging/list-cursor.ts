import { ApiError } from "../http/api-error.js";

// The conversation list's page cursor: the sort key of the last conversation handed out
// (its last activity, then its id), opaque to clients (base64url of a JSON pair).

export interface ListPosition {
  activeAt: number;
  id: string;
}

export function encodeCursor(position: ListPosition): string {
  return btoa(JSON.stringify([position.activeAt, position.id])).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The position a cursor names; anything this endpoint did not hand out is 400 invalid_cursor. */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const pair: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && typeof pair[1] === "string") {
      return { activeAt: pair[0] as number, id: pair[1] };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new ApiError("invalid_cursor", "cursor is not one handed out by this list: start again without it", [
    { path: "cursor", message: "not a cursor of GET /api/conversations" },
  ]);
}
