import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "../../protocol/index.js";

/** Thrown anywhere in a request; app.ts turns it into `{ error: { code, message } }`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);
export const forbidden = (why: string) => new ApiError("forbidden", why);
export const conflict = (why: string) => new ApiError("conflict", why);
export const accountDisabled = () => new ApiError("account_disabled", "this account is disabled: ask the administrators");
