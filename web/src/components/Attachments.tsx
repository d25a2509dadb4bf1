// Files attached to a message: images as previews (sized before they load, so the list does not
// jump) that open in a viewer, files the server shows inline (PDF, text, video) in a new tab, and
// everything else as a download. The bytes come from /api/uploads/{id}, which checks access on
// every request.
import { servingOf } from "../../../src/uploads/http.ts";
import { fileSize } from "../format.ts";
import type { Upload } from "../types.ts";
import { Icon } from "./Icon.tsx";
import { Modal } from "./Modal.tsx";
import { viewingImage } from "../state/ui.ts";

/** Attachments are typed loosely on the wire: accept an upload or `{upload}`. */
export function uploadsOf(attachments: unknown[] | undefined): Upload[] {
  const out: Upload[] = [];
  for (const a of attachments ?? []) {
    const u = (a && typeof a === "object" && "upload" in a ? (a as { upload: unknown }).upload : a) as Partial<Upload> | null;
    if (u && typeof u.id === "string") out.push({ filename: "file", content_type: "application/octet-stream", byte_size: 0, workspace_id: "", ...u } as Upload);
  }
  return out;
}

/** A file sent alone carries its name as the body (the server wants one): not worth repeating. */
export function bodyIsJustTheFile(body: string, attachments: unknown[] | undefined): boolean {
  const uploads = uploadsOf(attachments);
  return uploads.length === 1 && body.trim() === uploads[0]!.filename;
}

const MAX_W = 360;
const MAX_H = 260;

function previewSize(u: Upload): { width: number; height: number } | null {
  if (!u.width || !u.height) return null;
  const scale = Math.min(1, MAX_W / u.width, MAX_H / u.height);
  return { width: Math.round(u.width * scale), height: Math.round(u.height * scale) };
}

const hrefOf = (u: Upload) => `/api/uploads/${encodeURIComponent(u.id)}`;

/** The image being looked at, over everything (rendered by the shell, so scrolling cannot close it). */
export function ImageViewer() {
  const upload = viewingImage.value as Upload | null;
  if (!upload) return null;
  const onClose = () => (viewingImage.value = null);
  const href = hrefOf(upload);
  return (
    <Modal label={upload.filename} onClose={onClose} class="image-viewer">
      <header class="viewer-bar">
        <span class="viewer-name">{upload.filename}</span>
        {upload.byte_size > 0 && <span class="viewer-size">{fileSize(upload.byte_size)}</span>}
        <a class="button" href={href} target="_blank" rel="noopener noreferrer">
          Open original
        </a>
        <a class="button" href={href} download={upload.filename}>
          Download
        </a>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <img class="viewer-image" src={href} alt={upload.filename} />
    </Modal>
  );
}

export function Attachments({ attachments }: { attachments: unknown[] | undefined }) {
  const uploads = uploadsOf(attachments);
  if (uploads.length === 0) return null;
  return (
    <div class="attachments">
      {uploads.map((u) => {
        const href = hrefOf(u);
        if (u.content_type.startsWith("image/")) {
          const size = previewSize(u);
          return (
            <a
              class="attachment-image"
              href={href}
              target="_blank"
              rel="noopener noreferrer"
              title={u.filename}
              aria-label={`View ${u.filename}`}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                e.preventDefault();
                viewingImage.value = u;
              }}
            >
              <img src={href} alt={u.filename} loading="lazy" width={size?.width} height={size?.height} style={size ? undefined : { maxWidth: `${MAX_W}px`, maxHeight: `${MAX_H}px` }} />
            </a>
          );
        }
        // What the server serves inline opens in a tab; the rest downloads.
        const inline = servingOf(u.content_type).disposition === "inline";
        return (
          <a class="attachment-file" href={href} target="_blank" rel="noopener noreferrer" download={inline ? undefined : u.filename}>
            <Icon name="file" />
            <span class="attachment-name">{u.filename}</span>
            {u.byte_size > 0 && <span class="attachment-size">{fileSize(u.byte_size)}</span>}
          </a>
        );
      })}
    </div>
  );
}
