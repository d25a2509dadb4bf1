// Creating a channel from anywhere (sidebar, channel browser), with the name the server will make of it.
import { channelNameFrom } from "../../src/chat/rules.ts";
import { api } from "./api.ts";
import { conversationPath, navigate } from "./routes.ts";
import { refreshChannels, workspaceId } from "./state/directory.ts";
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
    async (name) => {
      const ws = workspaceId.peek();
      if (!ws) return;
      const { channel } = await api.createChannel(ws, name);
      await refreshChannels(ws);
      navigate(conversationPath("channel", channel.id));
    },
    { preview: channelNamePreview("Will be created as"), maxLength: 200 },
  );
}

