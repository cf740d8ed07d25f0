import { HealthStatus } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";

/** `GET /api/health` (no auth): the Worker is up and reaches D1 (a 503 rejects as an ApiError). */
export const healthApi = (http: HttpClient) => () => http.json("GET", "/api/health", HealthStatus, { auth: false });
