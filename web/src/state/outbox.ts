// Optimistic sending. A message is shown at once as pending, with a nonce chosen before the first
// attempt. After a network error the same nonce is retried: first GET /api/messages/by-nonce (did
// the lost attempt land?), then the POST again, which the server answers with the stored message
// for a known nonce. So a message is never lost and never posted twice, even across a reload:
// the queue is kept in localStorage.
import { signal } from "@preact/signals";
import { api, ApiError, NetworkError } from "../api.ts";
import type { Message } from "../types.ts";
import { load, save } from "./storage.ts";
import { existingTimeline } from "./timeline.ts";
import { openThread } from "./thread.ts";

export type SendTarget = { kind: "channel" | "dm"; id: string } | { kind: "thread"; rootId: string; scopeId: string };

export interface Pending {
  nonce: string;
  workspaceId: string;
  target: SendTarget;
  body: string;
  quotedMessageId: string | null;
  uploadId: string | null;
  /** Shown next to the pending message (the upload's name). */
  attachmentName?: string;
  status: "sending" | "waiting" | "failed";
  error?: string;
  /** The server refused the message itself (4xx): sending it again cannot work. */
  refused?: boolean;
  createdAt: string;
  attempts: number;
}

export const outbox = signal<Pending[]>([]);

let storageKey = "";
const inFlight = new Set<string>();
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let backoff = 1000;

function persist(): void {
  if (storageKey) save(storageKey, outbox.peek().map((p) => ({ ...p, status: p.status === "sending" ? "waiting" : p.status })));
}

function update(nonce: string, change: Partial<Pending> | null): void {
  outbox.value = change === null ? outbox.peek().filter((p) => p.nonce !== nonce) : outbox.peek().map((p) => (p.nonce === nonce ? { ...p, ...change } : p));
  persist();
}

/** Restores the queue of this user (messages typed before a reload) and sends it. */
export function restoreOutbox(userId: string): void {
  storageKey = `outbox:${userId}`;
  outbox.value = load<Pending[]>(storageKey, []);
  flushOutbox();
}

export function newNonce(): string {
  return `web-${crypto.randomUUID()}`;
}

export function send(input: Omit<Pending, "status" | "createdAt" | "attempts" | "nonce"> & { nonce?: string }): void {
  const pending: Pending = { ...input, nonce: input.nonce ?? newNonce(), status: "sending", createdAt: new Date().toISOString(), attempts: 0 };
  outbox.value = [...outbox.peek(), pending];
  persist();
  void deliver(pending.nonce);
}

/** Put a delivered message where it belongs; the pending copy disappears in the same step. */
function settle(nonce: string, target: SendTarget, message: Message): void {
  if (target.kind === "thread") {
    const view = openThread.peek();
    if (view?.rootId === target.rootId) view.upsert([message]);
  } else {
    const t = existingTimeline(target.id);
    if (t && !t.hasNewer.peek()) t.upsert([message]);
  }
  update(nonce, null);
  backoff = 1000;
}

async function attempt(p: Pending): Promise<Message> {
  if (p.attempts > 0) {
    // The previous attempt may have landed with its answer lost.
    try {
      return (await api.byNonce(p.workspaceId, p.nonce)).message;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  const input = { body: p.body, nonce: p.nonce, quoted_message_id: p.quotedMessageId, upload_id: p.uploadId ?? undefined };
  if (p.target.kind === "thread") return (await api.reply(p.target.rootId, input)).message;
  return (await api.post(p.target.kind, p.target.id, input)).message;
}

async function deliver(nonce: string): Promise<void> {
  const p = outbox.peek().find((x) => x.nonce === nonce);
  if (!p || inFlight.has(nonce)) return;
  inFlight.add(nonce);
  update(nonce, { status: "sending", attempts: p.attempts + 1 });
  try {
    settle(nonce, p.target, await attempt(p));
  } catch (err) {
    if (err instanceof NetworkError || (err instanceof ApiError && err.status === 401)) {
      update(nonce, { status: "waiting", error: undefined });
      scheduleRetry();
    } else {
      const refused = err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
      update(nonce, { status: "failed", error: err instanceof Error ? err.message : String(err), refused });
    }
  } finally {
    inFlight.delete(nonce);
  }
}

function scheduleRetry(): void {
  clearTimeout(retryTimer);
  if (navigator.onLine === false) return; // the `online` event (or the socket reopening) flushes
  retryTimer = setTimeout(flushOutbox, backoff);
  backoff = Math.min(backoff * 2, 30_000);
}

/** Sends everything waiting, oldest first (order matters in a conversation). */
export function flushOutbox(): void {
  clearTimeout(retryTimer);
  void (async () => {
    for (const p of [...outbox.peek()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (p.status === "waiting" || (p.status === "sending" && !inFlight.has(p.nonce))) await deliver(p.nonce);
    }
  })();
}

export function retry(nonce: string): void {
  update(nonce, { status: "waiting", error: undefined });
  void deliver(nonce);
}

export function discard(nonce: string): void {
  update(nonce, null);
}

/** Pending messages for one place, oldest first. */
export function pendingFor(target: SendTarget, list: Pending[]): Pending[] {
  return list.filter((p) => (target.kind === "thread" ? p.target.kind === "thread" && p.target.rootId === target.rootId : p.target.kind === target.kind && "id" in p.target && p.target.id === target.id));
}

addEventListener("online", () => {
  backoff = 1000;
  flushOutbox();
});
