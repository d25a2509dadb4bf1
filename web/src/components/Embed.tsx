// /embed/channel/<T…>/<C…> and /embed/thread/<T…>/<M…>: one channel or thread, compact and live,
// for other sites' pages (the server lets only --embed-frame-ancestors frame it). No sidebar and
// no composer: the same timeline, thread view and realtime socket as the app, read-only.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { dmTitle, dms, findChannel } from "../state/directory.ts";
import { startWorkspace, workspaceStatus } from "../state/sync.ts";
import { openThread, showThread } from "../state/thread.ts";
import { loadSession } from "../session.ts";
import type { RouteTarget, User } from "../types.ts";
import { ConversationView } from "./ConversationView.tsx";
import { ThreadPane } from "./ThreadPane.tsx";

/**
 * Signed out, or the browser did not send the session cookie: it is SameSite=Lax, so a page on
 * another site never gets it in a frame. Signing in happens in a tab of its own; coming back here
 * checks again.
 */
export function EmbedSignIn() {
  useEffect(() => {
    // A frame seldom gets focus itself; coming back to the tab makes it visible again.
    const again = () => document.visibilityState === "visible" && void loadSession();
    addEventListener("focus", again);
    document.addEventListener("visibilitychange", again);
    return () => {
      removeEventListener("focus", again);
      document.removeEventListener("visibilitychange", again);
    };
  }, []);
  return (
    <div class="embed-gate">
      <p>Sign in to see this conversation.</p>
      <a class="button primary" href="/app" target="_blank" rel="noopener">
        Sign in to ClickClack
      </a>
    </div>
  );
}

/** Unknown and forbidden look the same: the link tells nothing about what lies behind it. */
const NotAvailable = () => (
  <div class="embed-gate" role="status">
    <p>This conversation is not available. It may not exist, or you may not have access to it.</p>
  </div>
);

export function Embed({ me, kind, workspace, target }: { me: User; kind: "channel" | "thread"; workspace: string; target: string }) {
  const [route, setRoute] = useState<RouteTarget | "missing" | null>(null);
  useEffect(() => {
    api.route(workspace, target).then(
      ({ route }) => {
        if (route.target_type !== kind) return setRoute("missing");
        setRoute(route);
        void startWorkspace(route.workspace_id, me);
      },
      () => setRoute("missing"),
    );
  }, [workspace, target]);
  const ready = workspaceStatus.value.state === "ready";
  useEffect(() => showThread(ready && route && route !== "missing" && kind === "thread" ? route.target_id : null), [ready, route]);

  if (route === "missing") return <NotAvailable />;
  if (!route || !ready) return <div class="boot" role="status">Loading…</div>;
  const channelId = kind === "channel" ? route.target_id : route.parent_type === "channel" ? route.parent_id! : null;
  const channel = channelId ? findChannel(channelId) : undefined;
  const dm = kind === "thread" && route.parent_type === "direct" ? dms.value.find((d) => d.id === route.parent_id) : undefined;
  if (!channel && !dm) return <NotAvailable />;
  const where = channel ? `#${channel.name}` : dmTitle(dm!, me.id);
  const view = openThread.value;
  return (
    <div class="embed">
      <header class="embed-bar">
        <h1>{kind === "thread" ? `Thread in ${where}` : where}</h1>
        <a href={route.canonical_path} target="_blank" rel="noopener">
          Open in ClickClack
        </a>
      </header>
      {kind === "channel" ? (
        <ConversationView me={me} channel={channel} messageId={null} embedded />
      ) : view ? (
        <ThreadPane view={view} me={me} scope={{ kind: channel ? "channel" : "dm", id: (channel ?? dm)!.id, workspaceId: route.workspace_id }} title={where} canWrite={false} embedded />
      ) : null}
    </div>
  );
}
