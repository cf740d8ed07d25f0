import * as z from "zod";
import { DeviceId, Line, Ok, Timestamp } from "./common.js";
import { Me, Username } from "./users.js";

export const Password = z.string().min(8).max(256);

export const RegisterBody = z.object({
  username: Username,
  password: Password,
  displayName: Line(64).min(1).optional(),
  deviceId: DeviceId.optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /** One session per device: logging in again on a device replaces its old session. */
  deviceId: DeviceId.optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.object({ refreshToken: z.string().min(16).max(256) });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const AuthResponse = z.object({
  user: Me,
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  deviceId: z.string(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;

export const LogoutResponse = Ok;

/** One signed-in device of mine (GET /api/me/sessions). */
export const DeviceSession = z.object({
  deviceId: z.string(),
  /** When this device logged in. */
  createdAt: Timestamp,
  /** The last login or refresh of this session. */
  lastRefreshedAt: Timestamp,
  /** True for the session of the token that asked. */
  current: z.boolean(),
});
export type DeviceSession = z.infer<typeof DeviceSession>;
export const SessionsResponse = z.object({ sessions: z.array(DeviceSession) });
export type SessionsResponse = z.infer<typeof SessionsResponse>;

/**
 * The claims of an access token (JWT, HS256, key AUTH_SECRET). The Worker issues them;
 * the Worker and every bridge node verify them locally with the same key.
 */
export const AccessTokenClaims = z.object({
  sub: z.string(), // user id
  did: DeviceId, // device id
  sid: z.string(), // session id
  iat: z.number(),
  exp: z.number(),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;
