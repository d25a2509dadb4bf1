// The integrations page (/app/integrations), for the workspace's owners and moderators: apps,
// slash commands, event subscriptions with their delivery log, and incoming webhooks. Loaded on
// first visit only (Shell.tsx), so it costs nothing on the app's first load.
import { Icon } from "../components/Icon.tsx";
import { canManageChannels, currentWorkspace } from "../state/directory.ts";
import { sidebarOpen } from "../state/ui.ts";
import { Apps } from "./Apps.tsx";
import { SlashCommands } from "./SlashCommands.tsx";
import { Subscriptions } from "./Subscriptions.tsx";
import { Webhooks } from "./Webhooks.tsx";

export function IntegrationsPage() {
  const ws = currentWorkspace.value;
  return (
    <section class="integrations" aria-labelledby="integ-title">
      <header class="conv-header">
        <button type="button" class="icon-button only-phone" aria-label="Open the sidebar" onClick={() => (sidebarOpen.value = true)}>
          <Icon name="menu" />
        </button>
        <div class="conv-title">
          <h1 id="integ-title">Integrations{ws ? ` · ${ws.name}` : ""}</h1>
        </div>
      </header>
      <div class="integ-scroll">
        {!ws ? null : !canManageChannels.value ? (
          <p class="integ-empty">Only the workspace's owners and moderators manage integrations.</p>
        ) : (
          <div class="integ-body" key={ws.id}>
            <SlashCommands workspaceId={ws.id} />
            <Subscriptions workspaceId={ws.id} />
            <Webhooks workspaceId={ws.id} />
            <Apps workspaceId={ws.id} />
          </div>
        )}
      </div>
    </section>
  );
}
