// What the browser remembers between visits. The gateway choice and the theme are the
// user's (localStorage, shared by every window); the device id and the session belong to
// one window (sessionStorage), so two windows of one browser are two devices and never
// replace each other's socket (the server keeps one socket per device).

export type TransportChoice = { kind: "edge" } | { kind: "socket.io"; url: string };
export type Theme = "system" | "light" | "dark";

const TRANSPORT_KEY = "edge-im.transport";
const THEME_KEY = "edge-im.theme";
const DEVICE_KEY = "edge-im.device-id";

export function loadTransport(): TransportChoice | null {
  try {
    const saved = JSON.parse(localStorage.getItem(TRANSPORT_KEY) ?? "null") as TransportChoice | null;
    if (saved?.kind === "edge") return saved;
    if (saved?.kind === "socket.io" && typeof saved.url === "string") return saved;
  } catch {
    // unreadable: fall back to the default
  }
  return null;
}

export function saveTransport(choice: TransportChoice): void {
  localStorage.setItem(TRANSPORT_KEY, JSON.stringify(choice));
}

export function loadTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  return saved === "light" || saved === "dark" ? saved : "system";
}

export function applyTheme(theme: Theme): void {
  if (theme === "system") {
    localStorage.removeItem(THEME_KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(THEME_KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}

/** This window's device id: made once per window, kept across reloads. */
export function windowDeviceId(): string {
  let id = sessionStorage.getItem(DEVICE_KEY);
  if (!id) {
    const random = crypto.getRandomValues(new Uint8Array(6));
    id = `web-${Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    sessionStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}
