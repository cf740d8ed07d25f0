import * as z from "zod";

/** Every error the API answers with, and the HTTP status it travels with. */
export const ERROR_STATUS = {
  invalid_body: 400,
  invalid_query: 400,
  invalid_json: 400,
  /** A page cursor that no page of this endpoint handed out (GET /api/conversations). */
  invalid_cursor: 400,
  cannot_befriend_self: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  token_expired: 401,
  forbidden: 403,
  /** An administrator disabled this account: login and refresh are refused (docs/API.md, Admin). */
  account_disabled: 403,
  not_found: 404,
  conflict: 409,
  username_taken: 409,
  group_full: 409,
  already_friends: 409,
  request_exists: 409,
  request_pending_from_peer: 409,
  request_not_pending: 409,
  /** A sender may recall their own message only within RECALL_WINDOW_SECONDS. */
  recall_window_expired: 403,
  payload_too_large: 413,
  /** An upload would take the uploader past STORAGE_QUOTA_BYTES (the sum of their files' sizes). */
  quota_exceeded: 413,
  unsupported_media_type: 415,
  /** GET /api/ws without `Upgrade: websocket`. */
  upgrade_required: 426,
  rate_limited: 429,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Field-level problems for invalid_body / invalid_query. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
