import type { ChatEvent, StoredEvent } from "./types.ts";

/** An event as clients see it: who it is for (recipients, the DM gate) stays on the server. */
export function publicEvent(e: StoredEvent): ChatEvent {
  const { recipients: _r, direct_conversation_id: _d, ...wire } = e;
  return wire;
}
