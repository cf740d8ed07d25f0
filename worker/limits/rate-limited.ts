import { ApiError } from "../http/api-error.js";

/** 429 rate_limited with Retry-After; a socket's error frame carries the same seconds as `retryAfter`. */
export function rateLimited(what: string, retryAfterSeconds: number): ApiError {
  return new ApiError("rate_limited", `too many ${what}; try again in ${retryAfterSeconds} s`, undefined, {
    "Retry-After": String(retryAfterSeconds),
  });
}

/** The Retry-After seconds of a rate_limited ApiError (for error frames), else undefined. */
export function retryAfterOf(error: ApiError): number | undefined {
  const value = error.headers?.["Retry-After"];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
