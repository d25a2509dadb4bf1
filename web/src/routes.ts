// Client-side routes. Every screen has a shareable URL:
//   /app/c/<channel id>              a channel       /app/d/<dm id>              a DM
//   /app/c/<channel id>/t/<root id>  with a thread   /app/c/<channel id>/m/<id>  jump to a message
//   /app/login#token=mgt_…           magic-link sign-in (the token stays out of server logs)
//   /app/integrations                the workspace's integrations (owners and moderators)
//   /app/invite#token=inv_…          an invite link (&magic=mgt_… when it came by mail)
//   /embed/channel/<T…>/<C…>         a compact live channel for other sites' pages (Embed.tsx)
//   /embed/thread/<T…>/<M…>          the same for a thread
import { signal } from "@preact/signals";

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "integrations" }
  | { name: "invite" }
  | { name: "conversation"; kind: "channel" | "dm"; id: string; threadId: string | null; messageId: string | null }
  | { name: "embed"; kind: "channel" | "thread"; workspace: string; target: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.replace(/\/+$/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "embed" && (parts[1] === "channel" || parts[1] === "thread") && parts[2] && parts[3]) return { name: "embed", kind: parts[1], workspace: parts[2], target: parts[3] };
  if (parts[0] !== "app") return { name: "home" };
  if (parts[1] === "login") return { name: "login" };
  if (parts[1] === "integrations") return { name: "integrations" };
  if (parts[1] === "invite") return { name: "invite" };
  if ((parts[1] === "c" || parts[1] === "d") && parts[2]) {
    return {
      name: "conversation",
      kind: parts[1] === "c" ? "channel" : "dm",
      id: parts[2],
      threadId: parts[3] === "t" ? (parts[4] ?? null) : null,
      messageId: parts[3] === "m" ? (parts[4] ?? null) : null,
    };
  }
  return { name: "home" };
}

export const route = signal<Route>(parseRoute(location.pathname));

export function conversationPath(kind: "channel" | "dm", id: string, extra?: { threadId?: string | null; messageId?: string | null }): string {
  const base = `/app/${kind === "channel" ? "c" : "d"}/${encodeURIComponent(id)}`;
  if (extra?.threadId) return `${base}/t/${encodeURIComponent(extra.threadId)}`;
  if (extra?.messageId) return `${base}/m/${encodeURIComponent(extra.messageId)}`;
  return base;
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  // An embed stays what it is: a way into the app (a thread, a linked message) opens the app in a
  // tab of its own, where the session cookie is sent even when the embed's page is another site.
  if (route.peek().name === "embed") {
    window.open(path, "_blank", "noopener");
    return;
  }
  if (path === location.pathname && !location.hash) return;
  if (opts.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route.value = parseRoute(location.pathname);
}

addEventListener("popstate", () => {
  route.value = parseRoute(location.pathname);
});
