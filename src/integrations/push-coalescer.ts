// At most one push per device per window, as chat apps do: the first message after a quiet spell
// goes out at once, the ones that follow within the window fold into a single "3 new messages in
// #general" sent when the window ends (which opens the next window). A busy channel then costs a
// device one encryption and one request per window instead of one per message.
//
// The fold lives in memory only: a crash drops a pending summary (the messages are still in the
// app, as unreads and mention badges) but can never repeat a push already sent, because the
// worker's log position has moved past the messages that were folded.

/** What one push says, and where a click on it leads (the service worker's payload). */
export interface PushNote {
  title: string;
  body: string;
  /** "#general" or "a direct message": the summary names it when all folded messages share it. */
  place: string;
  /** Who wrote it: a summary shows the latest author beside the latest body. */
  author: string;
  target: { message_id: string; workspace_id: string; channel_id: string | null; direct_conversation_id: string | null; thread_root_id: string | null };
}

interface Window<D> {
  device: D;
  folded: number;
  places: Set<string>;
  latest: PushNote | null;
  timer: ReturnType<typeof setTimeout>;
}

export interface PushCoalescer<D> {
  /**
   * Offers `count` messages for a device, from `first` to `last` (the worker folds a page of the
   * log at once): as if offered one by one, the first goes now (the send is returned) unless a
   * window is open, and the rest fold into the window. Without a window, `count` must be 1.
   */
  offer(key: string, device: D, first: PushNote, count?: number, last?: PushNote): Promise<void> | null;
  /** Ends every window without sending what they hold. */
  stop(): void;
}

/** The note a window's folded messages become. */
export function summarize(folded: number, places: Set<string>, latest: PushNote): PushNote {
  if (folded === 1) return latest;
  const where = places.size === 1 ? ` in ${latest.place}` : "";
  return { ...latest, title: `${folded} new messages${where}`, body: `${latest.author}: ${latest.body}` };
}

export function pushCoalescer<D>(windowMs: number, send: (device: D, note: PushNote) => Promise<void>): PushCoalescer<D> {
  const open = new Map<string, Window<D>>();

  function startWindow(key: string, device: D): void {
    const timer = setTimeout(() => {
      const w = open.get(key);
      open.delete(key);
      if (!w?.latest) return;
      // What was folded goes now, and opens a window of its own: a steady stream stays at one per window.
      startWindow(key, w.device);
      void send(w.device, summarize(w.folded, w.places, w.latest));
    }, windowMs);
    timer.unref?.();
    open.set(key, { device, folded: 0, places: new Set(), latest: null, timer });
  }

  return {
    offer(key, device, first, count = 1, last = first) {
      if (windowMs <= 0) return send(device, first);
      const fold = (w: Window<D>, n: number) => {
        w.folded += n;
        w.places.add(first.place).add(last.place);
        w.latest = last;
      };
      const w = open.get(key);
      if (w) {
        fold(w, count);
        return null;
      }
      startWindow(key, device);
      if (count > 1) fold(open.get(key)!, count - 1);
      return send(device, first);
    },
    stop() {
      for (const w of open.values()) clearTimeout(w.timer);
      open.clear();
    },
  };
}
