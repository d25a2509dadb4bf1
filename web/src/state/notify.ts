// Desktop notifications while the tab is in the background: a mention (or a direct message)
// shows the author and the first line, and clicking it brings the conversation back. Permission
// is asked once, when the person first sends a message: a moment they are engaged, and a user
// gesture, never on first load.
import { api } from "../api.ts";
import { plainText } from "../markdown.ts";
import { conversationPath, navigate } from "../routes.ts";
import { authorName } from "./directory.ts";
import { load, save } from "./storage.ts";

const supported = () => typeof Notification !== "undefined";

export function askForNotificationsOnce(): void {
  if (!supported() || Notification.permission !== "default" || load("notifications-asked", false)) return;
  save("notifications-asked", true);
  void Notification.requestPermission().catch(() => {});
}

const shown = new Set<string>();

/** Events replayed after a long disconnect are old news: only recent ones notify. */
const FRESH_MS = 2 * 60_000;

export function notifyInBackground(messageId: string, scope: { kind: "channel" | "dm"; id: string }, threadId: string | null, createdAt: string | undefined): void {
  if (!supported() || Notification.permission !== "granted" || document.visibilityState === "visible" || shown.has(messageId)) return;
  if (createdAt && Date.now() - Date.parse(createdAt) > FRESH_MS) return;
  shown.add(messageId);
  void api.message(messageId).then(({ message }) => {
    const n = new Notification(authorName(message), { body: plainText(message.body, 160), tag: messageId });
    n.onclick = () => {
      window.focus();
      navigate(conversationPath(scope.kind, scope.id, { threadId: threadId ?? null, messageId: threadId ? null : messageId }));
      n.close();
    };
  }, () => {});
}
