import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./api-error.js";

/** JSON bodies are small; uploads have their own per-kind limits (routes/files.ts). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `request body exceeds ${MAX_JSON_BODY_BYTES} bytes`);
  },
});
