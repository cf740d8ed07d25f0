// This window's session (token pair) lives in sessionStorage, beside its device id: a second
// window signs in as its own device (maybe as another user) without touching this one, and a
// reload keeps both. Closing the window ends what it remembered.
import { LocalStorageTokenStore, type TokenStore } from "../../../client/index.js";

export function windowTokenStore(): TokenStore {
  return new LocalStorageTokenStore("edge-im.window", sessionStorage);
}
