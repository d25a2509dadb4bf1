// The signed-in app: sidebar, the conversation (or a starting point), the side pane, dialogs and
// the global keys: Ctrl/Cmd+K to switch, Esc to close panes.
import type { FunctionComponent } from "preact";
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { conversationPath, navigate, route } from "../routes.ts";
import { channels, dms, loadWorkspaces, workspaceId, workspaces } from "../state/directory.ts";
import { lastWorkspace, startWorkspace, workspaceStatus } from "../state/sync.ts";
import { load, save } from "../state/storage.ts";
import { dialog, dmPickerOpen, panel, quickSwitcherOpen, showToast, sidebarOpen } from "../state/ui.ts";
import { ChannelBrowser, ChannelSettings } from "./ChannelDialogs.tsx";
import { ChannelMembers } from "./ChannelMembers.tsx";
import { PeopleDialog, ProfileCard } from "./PeopleDialogs.tsx";
import { SettingsDialog } from "./SettingsDialog.tsx";
import { LazyBotsDialog } from "./LazyBotsDialog.tsx";
import { InvitesDialog } from "./InvitesDialog.tsx";
import type { AdminDialog } from "./AdminDialogs.tsx";
import type { User } from "../types.ts";
import { signOut } from "../session.ts";
import { Avatar } from "./Avatar.tsx";
import { watchTab } from "../state/tab.ts";
import { ImageViewer } from "./Attachments.tsx";
import { ConfirmDialog } from "./ConfirmDialog.tsx";
import { ConnectionBanner } from "./ConnectionStatus.tsx";
import { Conversation } from "./Conversation.tsx";
import { DmPicker } from "./DmPicker.tsx";
import { NameDialog } from "./NameDialog.tsx";
import { QuickSwitcher } from "./QuickSwitcher.tsx";
import { Sidebar } from "./Sidebar.tsx";
import { Toast } from "./Toast.tsx";

// Managers only, and rarely: its code loads on the first visit (a plain dynamic import; compat's
// lazy/Suspense would cost more on first load than the page saves).
let integrationsPage: FunctionComponent | null = null;
function Integrations() {
  const [, loaded] = useState(0);
  useEffect(() => {
    if (!integrationsPage)
      void import("../integrations/IntegrationsPage.tsx").then(
        (m) => {
          integrationsPage = m.IntegrationsPage;
          loaded(1);
        },
        () => showToast("Could not load the integrations page. Reload to try again.", "error"),
      );
  }, []);
  const Page = integrationsPage;
  return Page ? <Page /> : <div class="empty-state main-empty" aria-busy="true" />;
}

const lastPlaceKey = (userId: string, ws: string) => `place:${userId}:${ws}`;

function onGlobalKey(e: KeyboardEvent): void {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    quickSwitcherOpen.value = !quickSwitcherOpen.peek();
    return;
  }
  if (e.key !== "Escape" || e.defaultPrevented) return;
  const r = route.peek();
  if (sidebarOpen.peek()) sidebarOpen.value = false;
  else if (r.name === "conversation" && r.threadId) navigate(conversationPath(r.kind, r.id));
  else if (panel.peek()) panel.value = null;
}

function NoWorkspace({ me }: { me: User }) {
  const create = async () => {
    try {
      const { workspace } = await api.createWorkspace(`${me.display_name}'s team`);
      await loadWorkspaces();
      await startWorkspace(workspace.id, me);
    } catch (err) {
      showToast(`Could not create a workspace: ${(err as Error).message}`, "error");
    }
  };
  return (
    <div class="empty-state full no-workspace">
      <div class="who-am-i">
        <Avatar id={me.id} user={me} size={40} />
        <span>
          Signed in as <strong>{me.display_name}</strong>
          <span class="who-handle">@{me.handle}</span>
        </span>
      </div>
      <h1>You are not in a workspace yet</h1>
      <p>Ask someone to add you to theirs (they need your handle or email address), or start your own.</p>
      <div class="empty-actions">
        <button type="button" class="button primary" onClick={() => void create()}>
          Create a workspace
        </button>
        <button type="button" class="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </div>
  );
}

// The administration dialogs are a chunk of their own, fetched the first time one opens.
const adminDialogs = signal<typeof import("./AdminDialogs.tsx") | null>(null);
let loadingAdmin: Promise<void> | null = null;

function LazyAdmin({ d, me }: { d: AdminDialog; me: User }) {
  const mod = adminDialogs.value;
  if (mod) return <mod.AdminDialogs d={d} me={me} />;
  loadingAdmin ??= import("./AdminDialogs.tsx").then((m) => void (adminDialogs.value = m), () => void (loadingAdmin = null));
  return null;
}

function Dialogs({ me }: { me: User }) {
  const d = dialog.value;
  if (!d) return null;
  switch (d.kind) {
    case "channels":
      return <ChannelBrowser />;
    case "channel-settings":
      return <ChannelSettings key={d.channelId} channelId={d.channelId} />;
    case "channel-members":
      return <ChannelMembers key={d.channelId} channelId={d.channelId} meId={me.id} />;
    case "people":
      return <PeopleDialog title={d.title} />;
    case "profile":
      return <ProfileCard key={d.userId} userId={d.userId} meId={me.id} />;
    case "settings":
      return <SettingsDialog me={me} />;
    case "bots":
      return <LazyBotsDialog key={d.workspaceId} workspaceId={d.workspaceId} />;
    case "invites":
      return <InvitesDialog />;
    case "workspace-settings":
    case "audit-log":
    case "delete-channel":
      return <LazyAdmin d={d} me={me} />;
  }
}

export function Shell({ me }: { me: User }) {
  const r = route.value;
  const status = workspaceStatus.value;

  useEffect(() => {
    addEventListener("keydown", onGlobalKey);
    const stopTab = watchTab(me.id);
    void loadWorkspaces().then((list) => {
      // A conversation link picks its own workspace (Conversation.tsx); otherwise the last one.
      if (route.peek().name === "conversation" && workspaceId.peek()) return;
      const remembered = lastWorkspace(me.id);
      const ws = list.find((w) => w.id === remembered) ?? list[0];
      if (ws) void startWorkspace(ws.id, me);
      else workspaceStatus.value = { state: "ready" };
    }, () => (workspaceStatus.value = { state: "error", message: "Could not reach the server." }));
    return () => {
      removeEventListener("keydown", onGlobalKey);
      stopTab();
      document.title = "ClickClack";
    };
  }, []);

  // Remember where you were; /app alone goes back there (or to the first channel).
  useEffect(() => {
    const ws = workspaceId.value;
    if (!ws || status.state !== "ready") return;
    if (r.name === "conversation") save(lastPlaceKey(me.id, ws), { kind: r.kind, id: r.id });
    else if (r.name === "home") {
      const last = load<{ kind: "channel" | "dm"; id: string } | null>(lastPlaceKey(me.id, ws), null);
      const known = last && (last.kind === "channel" ? channels.value.some((c) => c.id === last.id) : dms.value.some((d) => d.id === last.id));
      const first = channels.value.find((c) => c.name === "general") ?? channels.value[0];
      if (known) navigate(conversationPath(last.kind, last.id), { replace: true });
      else if (first) navigate(conversationPath("channel", first.id), { replace: true });
    }
  }, [r, workspaceId.value, status.state, channels.value.length]);

  // A conversation link from another workspace resolves there; start somewhere first.
  useEffect(() => {
    if (r.name === "conversation" && !workspaceId.value && workspaces.value.length) void startWorkspace(workspaces.value[0]!.id, me);
  }, [r, workspaces.value]);

  const noWorkspace = status.state === "ready" && workspaces.value.length === 0;
  return (
    <div class={`shell${noWorkspace ? " no-sidebar" : ""}${r.name === "conversation" && r.threadId ? " with-thread" : ""}${panel.value ? " with-panel" : ""}`}>
      {!noWorkspace && <Sidebar me={me} />}
      {sidebarOpen.value && <div class="scrim only-phone" onClick={() => (sidebarOpen.value = false)} />}
      <main class="main">
        <ConnectionBanner />
        {noWorkspace ? (
          <NoWorkspace me={me} />
        ) : status.state === "error" ? (
          <div class="empty-state main-empty">
            <p>{status.message}</p>
            <button type="button" class="button" onClick={() => workspaceId.peek() && void startWorkspace(workspaceId.peek()!, me)}>
              Try again
            </button>
          </div>
        ) : r.name === "integrations" ? (
          <Integrations />
        ) : r.name === "conversation" ? (
          <div class="main-split">
            <Conversation me={me} kind={r.kind} id={r.id} threadId={r.threadId} messageId={r.messageId} />
          </div>
        ) : (
          <div class="empty-state main-empty" aria-busy="true" />
        )}
      </main>
      <QuickSwitcher meId={me.id} />
      {dmPickerOpen.value && <DmPicker meId={me.id} />}
      <ConfirmDialog />
      <NameDialog />
      <Dialogs me={me} />
      <ImageViewer />
      <Toast />
    </div>
  );
}
