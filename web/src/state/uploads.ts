// Files waiting in a composer: uploaded as soon as they are picked, dropped or pasted (with a
// nonce, so a retried upload is stored once), then sent with the next message.
import { signal } from "@preact/signals";
import { api, routeMissing } from "../api.ts";
import type { Upload } from "../types.ts";
import { newNonce } from "./outbox.ts";
import { showToast } from "./ui.ts";

export interface Staged {
  localId: string;
  file: File;
  /** An object URL for image previews before the upload finishes. */
  preview: string | null;
  status: "uploading" | "ready" | "failed";
  /** Share of the bytes sent so far, 0..1, while uploading. */
  progress: number;
  upload?: Upload;
  error?: string;
}

/** Per composer key. */
export const staged = signal<Record<string, Staged[]>>({});
/** False once the server answered 404: it has no upload endpoint. */
export const uploadsAvailable = signal(true);

function setFor(key: string, fn: (list: Staged[]) => Staged[]): void {
  staged.value = { ...staged.peek(), [key]: fn(staged.peek()[key] ?? []) };
}

export function stageFiles(key: string, workspaceId: string, files: File[]): void {
  if (!uploadsAvailable.peek()) {
    showToast("This server does not accept uploads.", "error");
    return;
  }
  for (const file of files) {
    const item: Staged = { localId: newNonce(), file, preview: file.type.startsWith("image/") ? URL.createObjectURL(file) : null, status: "uploading", progress: 0 };
    setFor(key, (l) => [...l, item]);
    const onProgress = (progress: number) => setFor(key, (l) => l.map((s) => (s.localId === item.localId && s.status === "uploading" ? { ...s, progress } : s)));
    api.upload(workspaceId, file, item.localId, onProgress).then(
      ({ upload }) => setFor(key, (l) => l.map((s) => (s.localId === item.localId ? { ...s, status: "ready", upload } : s))),
      (err: Error) => {
        if (routeMissing(err)) {
          uploadsAvailable.value = false;
          showToast("This server does not accept uploads.", "error");
          unstage(key, item.localId);
          return;
        }
        setFor(key, (l) => l.map((s) => (s.localId === item.localId ? { ...s, status: "failed", error: err.message } : s)));
      },
    );
  }
}

export function unstage(key: string, localId: string): void {
  const item = staged.peek()[key]?.find((s) => s.localId === localId);
  if (item?.preview) URL.revokeObjectURL(item.preview);
  setFor(key, (l) => l.filter((s) => s.localId !== localId));
}

/** Takes the ready uploads out of a composer for sending. */
export function takeReady(key: string): Upload[] {
  const list = staged.peek()[key] ?? [];
  const ready = list.filter((s) => s.status === "ready" && s.upload);
  for (const s of ready) if (s.preview) URL.revokeObjectURL(s.preview);
  setFor(key, (l) => l.filter((s) => s.status !== "ready"));
  return ready.map((s) => s.upload!);
}
