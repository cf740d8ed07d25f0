import { FileResponse, type MediaKind } from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";
import { xhrSender, type Progress } from "../http/xhr-sender.js";

export interface UploadOptions {
  /** Defaults to the Blob's own type, else application/octet-stream. */
  contentType?: string;
  /** Bytes sent so far. Browsers report as the upload goes; elsewhere (fetch) once, at the end. */
  onProgress?: Progress;
}

export function filesApi(http: HttpClient) {
  return {
    /** Uploads a file to send in a message (`body.fileId`). */
    async upload(kind: MediaKind, name: string, data: Blob | ArrayBuffer | Uint8Array, options: UploadOptions = {}) {
      const isBytes = data instanceof ArrayBuffer || ArrayBuffer.isView(data);
      const total = isBytes ? data.byteLength : data.size;
      const contentType = options.contentType ?? ((!isBytes && data.type) || "application/octet-stream");
      const progress = options.onProgress;
      const send = progress && xhrSender(progress);
      const { file } = await http.json("POST", "/api/files", FileResponse, {
        query: { kind, name },
        raw: { body: data as BodyInit, contentType },
        ...(send ? { send } : {}),
      });
      if (progress && !send) progress(total, total);
      return file;
    },
    /** The file's bytes (with the bearer token, which an <img src> could not send). */
    download: async (fileId: string) => (await http.request("GET", `/api/files/${seg(fileId)}`)).blob(),
    /** The file's path under the API's base URL. */
    url: (fileId: string) => `/api/files/${seg(fileId)}`,
  };
}
