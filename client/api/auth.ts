import type { z } from "zod";
import { AuthResponse, LogoutResponse, type LoginBody, type RegisterBody } from "../../protocol/index.js";
import type { HttpClient } from "../http/http-client.js";
import type { Session } from "../http/session.js";

/** Sign-up, sign-in and sign-out; the answers' tokens go to the TokenStore. */
export function authApi(http: HttpClient, session: Session, deviceId: string | undefined) {
  const signIn = async (path: string, body: { deviceId?: string }) => {
    const withDevice = body.deviceId === undefined && deviceId !== undefined ? { ...body, deviceId } : body;
    const auth = await http.json("POST", path, AuthResponse, { json: withDevice, auth: false });
    session.save(auth);
    return auth;
  };
  return {
    register: (body: z.input<typeof RegisterBody>) => signIn("/api/auth/register", body),
    login: (body: z.input<typeof LoginBody>) => signIn("/api/auth/login", body),
    /** A new token pair now (the SDK also refreshes by itself on `token_expired`). */
    refresh: () => session.refresh(),
    /** The server ended this session (a `session.ended` frame): drop the tokens here, no call. */
    forget: () => session.clear(),
    /** Ends this device's session on the server; the tokens are cleared here even if that call fails. */
    async logout(): Promise<void> {
      try {
        if (session.view()) await http.json("POST", "/api/auth/logout", LogoutResponse);
      } finally {
        session.clear();
      }
    },
  };
}
