import type { UpdateMeBody } from "../../../protocol/index.js";
import { appState } from "./app-state.js";
import { session } from "./session-handle.js";
import { rememberUsers } from "./users.js";

export async function updateMyProfile(body: UpdateMeBody): Promise<void> {
  const me = await session.api().me.update(body);
  rememberUsers([me]);
  appState.set({ me });
}
