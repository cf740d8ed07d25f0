// The SDK objects of this window: one API client for the page's life, one chat client per
// sign-in (replaced when the user switches gateway). Kept out of the store: they are not state
// to render, and the views reach them only through the actions in state/.
import type { ChatClient, EdgeImApi } from "../../../client/index.js";

let api: EdgeImApi | null = null;
let chat: ChatClient | null = null;

export const session = {
  api(): EdgeImApi {
    if (!api) throw new Error("the API client is not created yet");
    return api;
  },
  chat(): ChatClient | null {
    return chat;
  },
  setApi(value: EdgeImApi): void {
    api = value;
  },
  setChat(value: ChatClient | null): void {
    chat = value;
  },
};
