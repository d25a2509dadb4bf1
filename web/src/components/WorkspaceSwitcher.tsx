// The workspace name at the top of the sidebar; a menu lists the others and creates a new one.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { navigate } from "../routes.ts";
import { canManageChannels, currentWorkspace, loadWorkspaces, workspaces } from "../state/directory.ts";
import { startWorkspace } from "../state/sync.ts";
import { askName, openDialog, sidebarOpen } from "../state/ui.ts";
import type { User, Workspace } from "../types.ts";
import { Icon } from "./Icon.tsx";

function WorkspaceIcon({ ws }: { ws: Workspace }) {
  return (
    <span class="ws-icon" aria-hidden="true">
      {ws.name.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function WorkspaceSwitcher({ me }: { me: User }) {
  const [open, setOpen] = useState(false);
  const current = currentWorkspace.value;
  const choose = (ws: Workspace) => {
    setOpen(false);
    navigate("/app");
    void startWorkspace(ws.id, me);
  };
  const create = () => {
    setOpen(false);
    askName("Create a workspace", "e.g. Acme", "Create workspace", async (name) => {
      const { workspace } = await api.createWorkspace(name);
      await loadWorkspaces();
      choose(workspace);
    });
  };
  return (
    <div class="ws-switcher">
      <button type="button" class="ws-current" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {current && <WorkspaceIcon ws={current} />}
        <span class="ws-name">{current?.name ?? "Workspaces"}</span>
        <Icon name="chevron" size={16} />
      </button>
      {open && (
        <div
          class="ws-menu popover"
          role="menu"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          {workspaces.value.map((ws) => (
            <button type="button" role="menuitemradio" aria-checked={ws.id === current?.id} class="ws-item" onClick={() => choose(ws)}>
              <WorkspaceIcon ws={ws} />
              <span>{ws.name}</span>
              {ws.id === current?.id && <Icon name="check" size={16} />}
            </button>
          ))}
          {current && canManageChannels.value && (
            <button type="button" role="menuitem" class="ws-item ws-new" onClick={() => (setOpen(false), openDialog({ kind: "bots", workspaceId: current.id }))}>
              <Icon name="spark" size={16} /> Bots
            </button>
          )}
          {(current?.role === "owner" || current?.role === "moderator") && (
            <button
              type="button"
              role="menuitem"
              class="ws-item ws-new"
              onClick={() => {
                setOpen(false);
                openDialog({ kind: "workspace-settings" });
              }}
            >
              <Icon name="settings" size={16} /> Workspace settings
            </button>
          )}
          <button type="button" role="menuitem" class="ws-item ws-new" onClick={create}>
            <Icon name="plus" size={16} /> New workspace
          </button>
          {canManageChannels.value && (
            <button
              type="button"
              role="menuitem"
              class="ws-item"
              onClick={() => {
                setOpen(false);
                sidebarOpen.value = false;
                navigate("/app/integrations");
              }}
            >
              <Icon name="plug" size={16} /> Integrations
            </button>
          )}
        </div>
      )}
    </div>
  );
}
