// The browser tab says what waits for you: "(2) 5 new · #general — Acme" and a badge on the
// favicon (a count for mentions, a dot for unread). Muted channels count only their mentions.
import { computed, effect } from "@preact/signals";
import { route } from "../routes.ts";
import { channels, currentWorkspace, dms, dmTitle, mentions } from "./directory.ts";
import { muted } from "./prefs.ts";

export const tabCounts = computed(() => {
  const mutedIds = muted.value;
  let unread = 0;
  let mentioned = 0;
  for (const c of channels.value) {
    const m = mentions.value[c.id]?.length ?? 0;
    mentioned += m;
    if (!mutedIds.has(c.id)) unread += c.unread_count;
  }
  // Every message in a DM is addressed to you.
  for (const d of dms.value) {
    unread += d.unread_count;
    mentioned += d.unread_count;
  }
  return { unread, mentioned };
});

export function tabTitle(counts: { unread: number; mentioned: number }, place: string | null, workspace: string | null): string {
  const prefix = `${counts.mentioned > 0 ? `(${counts.mentioned}) ` : ""}${counts.unread > 0 ? `${counts.unread} new · ` : ""}`;
  const where = [place, workspace].filter(Boolean).join(" — ");
  return `${prefix}${where ? `${where} — ` : ""}ClickClack`;
}

let icon: HTMLImageElement | null = null;

function drawBadge(counts: { unread: number; mentioned: number }): void {
  const link = document.querySelector<HTMLLinkElement>("link[rel~='icon']");
  if (!link) return;
  if (counts.unread === 0 && counts.mentioned === 0) {
    if (link.dataset.badged) {
      link.href = "/favicon.svg";
      link.type = "image/svg+xml";
      delete link.dataset.badged;
    }
    return;
  }
  const paint = () => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const g = canvas.getContext("2d");
    if (!g) return;
    g.drawImage(icon!, 0, 0, 64, 64);
    // Red with a count for mentions, amber for unread; a white ring parts it from the icon.
    g.fillStyle = counts.mentioned > 0 ? "#d23f3f" : "#f5a524";
    g.strokeStyle = "#fff";
    g.lineWidth = 4;
    g.beginPath();
    g.arc(46, 18, counts.mentioned > 0 ? 17 : 12, 0, Math.PI * 2);
    g.fill();
    g.stroke();
    if (counts.mentioned > 0) {
      g.fillStyle = "#fff";
      g.font = "bold 24px sans-serif";
      g.textAlign = "center";
      g.textBaseline = "middle";
      g.fillText(counts.mentioned > 9 ? "9+" : String(counts.mentioned), 46, 19);
    }
    link.type = "image/png";
    link.href = canvas.toDataURL("image/png");
    link.dataset.badged = counts.mentioned > 0 ? String(counts.mentioned) : "dot";
  };
  if (icon?.complete) return paint();
  icon ??= Object.assign(new Image(), { src: "/favicon.svg" });
  icon.addEventListener("load", paint, { once: true });
}

/** Keeps the title and the favicon in step with the counts; returns the stop function. */
export function watchTab(meId: string): () => void {
  return effect(() => {
    const r = route.value;
    let place: string | null = null;
    if (r.name === "conversation") {
      const c = r.kind === "channel" ? channels.value.find((x) => x.id === r.id) : undefined;
      const d = r.kind === "dm" ? dms.value.find((x) => x.id === r.id) : undefined;
      place = c ? `#${c.name}` : d ? dmTitle(d, meId) : null;
    }
    const counts = tabCounts.value;
    document.title = tabTitle(counts, place, currentWorkspace.value?.name ?? null);
    drawBadge(counts);
  });
}
