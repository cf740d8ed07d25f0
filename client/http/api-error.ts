import { ERROR_STATUS, ErrorBody, type ErrorCode, type ErrorFrame } from "../../protocol/index.js";

/**
 * Codes the SDK itself uses for failures that never got an error answer from the server:
 * the server could not be reached, or answered something that is not the contract.
 * `unavailable` is a gateway's frame code (the Worker could not be reached from it).
 */
export type ClientErrorCode = "network_error" | "invalid_response" | "unavailable";
export type ApiErrorCode = ErrorCode | ClientErrorCode | (string & {});
export type ApiIssue = NonNullable<ErrorBody["error"]["issues"]>[number];

/**
 * Every failure of an API call, over HTTP or as a socket's error frame. `status` is the
 * HTTP status (0 when no answer arrived); `issues` lists field problems of
 * invalid_body / invalid_query.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number,
    readonly issues?: ApiIssue[],
    /** Seconds to wait before trying again (a `Retry-After` header, e.g. with rate_limited). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  /** A non-2xx answer. A body that is not the API's error shape (a proxy's page, say) still gives a typed error. */
  static fromAnswer(status: number, text: string, retryAfter?: string | null): ApiError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const wait = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    const parsed = ErrorBody.safeParse(body);
    if (!parsed.success) return new ApiError("invalid_response", `the server answered ${status} without an error body`, status, undefined, wait);
    const { code, message, issues } = parsed.data.error;
    return new ApiError(code, message, status, issues, wait);
  }

  /** A socket's error frame, with the status the same refusal has over HTTP (and its retryAfter, e.g. with rate_limited). */
  static fromFrame(frame: ErrorFrame): ApiError {
    const status = frame.code === "unavailable" ? 503 : (ERROR_STATUS[frame.code as ErrorCode] ?? 400);
    return new ApiError(frame.code, frame.message, status, undefined, frame.retryAfter);
  }

  static network(cause: unknown): ApiError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new ApiError("network_error", `the server could not be reached: ${detail}`, 0);
  }

  /** Worth trying again later, unchanged: nothing answered, or the server failed on its side. */
  get isTransient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** True for failures worth retrying later (any non-ApiError is a bug or an abort: not retried). */
export const isTransient = (error: unknown): boolean => error instanceof ApiError && error.isTransient;
