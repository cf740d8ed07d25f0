import type { Sender } from "./http-client.js";

export type Progress = (sent: number, total: number) => void;

/** The part of XMLHttpRequest used here, so this file also compiles without the DOM library (Workers). */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  status: number;
  responseText: string;
  getResponseHeader(name: string): string | null;
  send(body: unknown): void;
}

/**
 * A Sender on XMLHttpRequest, for uploads in browsers: fetch reports no upload progress,
 * XHR does. Undefined where there is no XMLHttpRequest (Node, Workers).
 */
export function xhrSender(onProgress: Progress): Sender | undefined {
  const XhrImpl = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
  if (!XhrImpl) return undefined;
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const xhr = new XhrImpl();
      xhr.open(init.method, url);
      for (const [name, value] of Object.entries(init.headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      };
      xhr.onload = () => {
        const retryAfter = xhr.getResponseHeader("Retry-After");
        resolve(new Response(xhr.responseText, { status: xhr.status, headers: retryAfter ? { "Retry-After": retryAfter } : {} }));
      };
      xhr.onerror = () => reject(new Error("upload failed"));
      xhr.onabort = () => reject(new Error("upload aborted"));
      xhr.send(init.body ?? null);
    });
}
