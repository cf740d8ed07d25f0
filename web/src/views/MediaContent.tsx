// Images, voice, video and files inside a bubble. Bytes come through the SDK (the API wants
// the Authorization header) and show through object URLs. Images and voice load at once
// (small); a video or a file loads only when asked for (up to 50 MB).
import { useEffect, useState } from "preact/hooks";
import type { MediaBody, MessageKind } from "../../../protocol/index.js";
import { errorText } from "../state/errors.js";
import { fileUrl, saveFile } from "../state/file-urls.js";
import { Dialog } from "./ui/Dialog.js";
import { Icon } from "./ui/Icon.js";
import { duration, fileSize } from "./ui/format.js";

/** The object URL of a file once `wanted`; an error text when the download failed. */
function useFileUrl(fileId: string, wanted: boolean): { url: string | null; error: string | null } {
  const [state, setState] = useState<{ url: string | null; error: string | null }>({ url: null, error: null });
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    fileUrl(fileId).then(
      (url) => live && setState({ url, error: null }),
      (error: unknown) => live && setState({ url: null, error: errorText(error) }),
    );
    return () => {
      live = false;
    };
  }, [fileId, wanted]);
  return state;
}

export function MediaContent({ kind, body }: { kind: MessageKind; body: MediaBody }) {
  return (
    <>
      {kind === "image" && <ImageContent body={body} />}
      {kind === "voice" && <VoiceContent body={body} />}
      {kind === "video" && <VideoContent body={body} />}
      {kind === "file" && <FileContent body={body} />}
      {body.caption && <p class="caption">{body.caption}</p>}
    </>
  );
}

function ImageContent({ body }: { body: MediaBody }) {
  const { url, error } = useFileUrl(body.fileId, true);
  const [zoomed, setZoomed] = useState(false);
  const ratio = body.width && body.height ? `${body.width} / ${body.height}` : "4 / 3";
  const alt = body.caption || `Photo ${body.name}`;
  if (error) return <p class="media-error">Image unavailable: {error}</p>;
  return (
    <>
      <button type="button" class="image-button" style={{ aspectRatio: ratio }} aria-label={`Open photo ${body.name}`} onClick={() => setZoomed(true)} disabled={!url}>
        {url ? <img src={url} alt={alt} width={body.width} height={body.height} /> : <span class="media-loading">Loading image…</span>}
      </button>
      {zoomed && url && (
        <Dialog title={body.name} onClose={() => setZoomed(false)} wide>
          <img class="zoomed" src={url} alt={alt} />
        </Dialog>
      )}
    </>
  );
}

function VoiceContent({ body }: { body: MediaBody }) {
  const { url, error } = useFileUrl(body.fileId, true);
  const label = `Voice message, ${duration(body.durationMs ?? 0)}`;
  if (error) return <p class="media-error">Voice message unavailable: {error}</p>;
  return url ? <audio class="voice" controls preload="metadata" src={url} aria-label={label} /> : <span class="media-loading">{label}</span>;
}

function VideoContent({ body }: { body: MediaBody }) {
  const [wanted, setWanted] = useState(false);
  const { url, error } = useFileUrl(body.fileId, wanted);
  const ratio = body.width && body.height ? `${body.width} / ${body.height}` : "16 / 9";
  if (error) return <p class="media-error">Video unavailable: {error}</p>;
  if (url) return <video class="video" controls autoPlay playsInline src={url} style={{ aspectRatio: ratio }} aria-label={`Video ${body.name}`} />;
  return (
    <button type="button" class="video-placeholder" style={{ aspectRatio: ratio }} aria-label={`Play video ${body.name}`} onClick={() => setWanted(true)} disabled={wanted}>
      <Icon name="play" size={32} />
      <span>
        {wanted ? "Loading…" : body.durationMs ? duration(body.durationMs) : "Video"} · {fileSize(body.size)}
      </span>
    </button>
  );
}

function FileContent({ body }: { body: MediaBody }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="file-card">
      <Icon name="file" size={28} />
      <span class="file-info">
        <span class="file-name">{body.name}</span>
        <span class="file-size">{fileSize(body.size)}</span>
        {error && <span class="media-error">{error}</span>}
      </span>
      <button
        type="button"
        class="icon-button"
        aria-label={`Download ${body.name}`}
        onClick={() => saveFile(body.fileId, body.name).catch((failure: unknown) => setError(errorText(failure)))}
      >
        <Icon name="download" />
      </button>
    </div>
  );
}
