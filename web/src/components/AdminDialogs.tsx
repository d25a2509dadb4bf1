// The administration dialogs, loaded on first use (src/components/Shell.tsx): few people open
// them, so they stay out of the first load.
import type { Dialog } from "../state/ui.ts";
import type { User } from "../types.ts";
import { AuditLog } from "./AuditLog.tsx";
import { DeleteChannel } from "./DeleteChannel.tsx";
import { WorkspaceSettings } from "./WorkspaceSettings.tsx";

export type AdminDialog = Extract<Dialog, { kind: "workspace-settings" | "audit-log" | "delete-channel" }>;

export function AdminDialogs({ d, me }: { d: AdminDialog; me: User }) {
  switch (d.kind) {
    case "workspace-settings":
      return <WorkspaceSettings me={me} />;
    case "audit-log":
      return <AuditLog />;
    case "delete-channel":
      return <DeleteChannel key={d.channelId} channelId={d.channelId} />;
  }
}
