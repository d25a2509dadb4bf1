// Rules of channels, shared by every store.
import { conflict } from "./errors.ts";

/** Channel names are unique among the live channels of a workspace. */
export function assertChannelNameFree(name: string, taken: boolean): void {
  if (taken) throw conflict(`#${name} already exists`, "channel_exists");
}

/** A workspace keeps at least one public channel: deleting the last one is refused. */
export function assertNotLastChannel(kind: string, livePublicChannels: number): void {
  if (kind === "public" && livePublicChannels <= 1) throw conflict("a workspace must keep at least one channel", "last_channel");
}
