// Starting conversations from anywhere: a channel (sidebar, channel browser), with the name the
// server will make of it, and a direct message (the DM picker, a profile card).
import { channelNameFrom } from "../../src/chat/rules.ts";
import { api } from "./api.ts";
import { conversationPath, navigate } from "./routes.ts";
import { refreshChannels, refreshDms, workspaceId } from "./state/directory.ts";
import { askName } from "./state/ui.ts";

/** "Will be created as #release-plans": the server turns names into slugs and cuts them. */
export function channelNamePreview(verb: string) {
  return (raw: string): string => {
    const name = channelNameFrom(raw);
    return name === null ? `"${raw.trim()}" is reserved; choose another name.` : `${verb} #${name}`;
  };
}

export function newChannel(): void {
  askName(
    "Create a channel",
    "e.g. release-planning",
    "Create channel",
    async (name, isPrivate) => {
      const ws = workspaceId.peek();
      if (!ws) return;
      const { channel } = await api.createChannel(ws, name, { private: isPrivate });
      await refreshChannels(ws);
      navigate(conversationPath("channel", channel.id));
    },
    {
      preview: channelNamePreview("Will be created as"),
      maxLength: 200,
      toggle: { label: "Private", hint: "Only the people in it see it, in lists and in search; you add them from its member list. It stays private." },
    },
  );
}


/** Opens (or finds) the DM with these people and goes there. */
export async function startDm(memberIds: string[]): Promise<void> {
  const ws = workspaceId.peek();
  if (!ws) return;
  const { conversation } = await api.openDm(ws, memberIds);
  await refreshDms(ws);
  navigate(conversationPath("dm", conversation.id));
}
