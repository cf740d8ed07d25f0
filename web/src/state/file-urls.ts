// Media in messages: GET /api/files/:id needs the Authorization header, which <img>, <audio>
// and <video> cannot send. So each file is downloaded once through the SDK and shown through
// an object URL, cached for the session and released at sign-out.
import { session } from "./session-handle.js";

const urls = new Map<string, Promise<string>>();

export function fileUrl(fileId: string): Promise<string> {
  let url = urls.get(fileId);
  if (!url) {
    url = session
      .api()
      .files.download(fileId)
      .then((blob) => URL.createObjectURL(blob));
    // A failed download may be retried later (the user asks again).
    url.catch(() => urls.delete(fileId));
    urls.set(fileId, url);
  }
  return url;
}

/** Saves a file to the user's disk under its own name. */
export async function saveFile(fileId: string, name: string): Promise<void> {
  const link = document.createElement("a");
  link.href = await fileUrl(fileId);
  link.download = name;
  link.click();
}

export function releaseFileUrls(): void {
  for (const url of urls.values()) url.then((u) => URL.revokeObjectURL(u)).catch(() => undefined);
  urls.clear();
}
