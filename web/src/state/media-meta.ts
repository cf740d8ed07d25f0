// What a media message states about its file (size in pixels, duration), read in the browser
// before the upload. Each probe gives up after a few seconds: a file the browser cannot
// decode is still sent, just without these fields (or as a plain file, for voice).

const PROBE_TIMEOUT_MS = 5000;

export interface MediaMeta {
  width?: number;
  height?: number;
  durationMs?: number;
}

export async function probeImage(file: Blob): Promise<MediaMeta> {
  try {
    const bitmap = await createImageBitmap(file);
    const meta = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return meta;
  } catch {
    return {};
  }
}

/** Duration (and, for video, the frame size) from the element's metadata. */
export function probeMedia(file: Blob, element: "audio" | "video"): Promise<MediaMeta> {
  return new Promise((resolve) => {
    const media = document.createElement(element);
    const url = URL.createObjectURL(file);
    const done = (meta: MediaMeta) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      media.removeAttribute("src");
      resolve(meta);
    };
    const timer = setTimeout(() => done({}), PROBE_TIMEOUT_MS);
    media.preload = "metadata";
    media.onerror = () => done({});
    media.onloadedmetadata = () => {
      const meta: MediaMeta = {};
      // Recorded WebM often reports Infinity until played through: leave it out then.
      if (Number.isFinite(media.duration) && media.duration > 0) meta.durationMs = Math.max(1, Math.round(media.duration * 1000));
      if (media instanceof HTMLVideoElement && media.videoWidth > 0) {
        meta.width = media.videoWidth;
        meta.height = media.videoHeight;
      }
      done(meta);
    };
    media.src = url;
  });
}
