// Rules of channels, shared by every store.
import { conflict } from "./errors.ts";

/** Channel names are unique among the live channels of a workspace. */
export function assertChannelNameFree(name: string, taken: boolean): void {
  if (taken) throw conflict(`#${name} already exists`, "channel_exists");
}

/**
 * How a channel presents itself, beside its name: integrations that mirror an outside place
 * (an issue tracker, another chat) mark the channel managed and say where it lives.
 */
export interface ChannelPresentation {
  displayTitle?: string | null;
  externalManaged?: boolean;
  externalRef?: string | null;
  externalUrl?: string | null;
  sidebarSection?: string | null;
}

type PresentationColumns = { displayTitle: string | null; externalManaged: boolean; externalRef: string | null; externalUrl: string | null; sidebarSection: string | null };

/** The stored columns after a create (no current row) or a patch (undefined keeps the current value). */
export function presentationColumns(p: ChannelPresentation, current?: PresentationColumns): PresentationColumns {
  const pick = <K extends keyof PresentationColumns>(k: K, fallback: PresentationColumns[K]) => (p[k] !== undefined ? (p[k] as PresentationColumns[K]) : current ? current[k] : fallback);
  return {
    displayTitle: pick("displayTitle", null),
    externalManaged: pick("externalManaged", false),
    externalRef: pick("externalRef", null),
    externalUrl: pick("externalUrl", null),
    sidebarSection: pick("sidebarSection", null),
  };
}
