import { ClientConfig } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";

/** The deployment's settings a client reads before signing in (no auth). */
export const clientConfigApi = (http: HttpClient) => () => http.json("GET", "/api/client-config", ClientConfig, { auth: false });
