// A windowed list for rows of varying height: only the rows near the viewport are in the DOM, so
// a conversation with thousands of messages scrolls as smoothly as one with ten. The list keeps
// what you are looking at in place when rows above it change (older pages, late-loading images),
// sticks to the bottom while you are there, and scrolls to a row on request (a jump, the unread
// divider).
//
// It converges by construction. The scrollable height comes from the model alone (measured
// heights, estimates for rows never shown) and the body clips whatever the rendered rows would
// add, so the browser never clamps a scroll position against a height the model does not know.
// Rendered rows are measured synchronously after each render, before the window is chosen again;
// a row's height is only re-read when it is rendered or resized. Each pass either learns the height
// of a row it had not measured or changes nothing, and at most one self-correction runs per frame
// (the rest wait for the next one), so a row far taller than its estimate cannot starve the page.
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";

export interface ListItem {
  key: string;
  /** Never used as the scroll anchor (day separators, the unread divider). */
  floating?: boolean;
}

export interface ScrollRequest {
  key: string | null;
  at: "top" | "center" | "bottom";
  seq: number;
}

interface Props<T extends ListItem> {
  items: T[];
  render: (item: T) => ComponentChildren;
  estimate: (item: T) => number;
  request: ScrollRequest;
  onNearTop?: () => void;
  onNearBottom?: () => void;
  onBottomChange?: (atBottom: boolean) => void;
  /** Above the first row (the conversation's start, "loading older…"). */
  header?: ComponentChildren;
  label: string;
  class?: string;
}

const OVERSCAN_PX = 600;
const NEAR_PX = 1500;
const BOTTOM_SLACK_PX = 24;
/** The body's bottom padding in app.css (.vlist-body): part of the scrollable height. */
const BODY_PADDING_PX = 8;

/** The index of the row that contains `y` (the first row whose bottom is below it). */
function rowAt(tops: Float64Array, n: number, y: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid + 1]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function windowOf(tops: Float64Array, n: number, top: number, height: number): [number, number] {
  return [Math.max(0, rowAt(tops, n, top - OVERSCAN_PX) - 1), Math.min(n, rowAt(tops, n, top + height + OVERSCAN_PX) + 1)];
}

/**
 * The row to hold still: the first one at the viewport's top that belongs to the content. Rows
 * marked `floating` (separators whose key follows whatever is first) would move with a prepend.
 */
function anchorAt<T extends ListItem>(tops: Float64Array, rows: T[], top: number): { key: string; offset: number } | null {
  const n = rows.length;
  for (let i = Math.min(n - 1, rowAt(tops, n, Math.max(0, top))); i >= 0 && i < n; i++) {
    if (!rows[i]!.floating) return { key: rows[i]!.key, offset: tops[i]! - top };
  }
  return null;
}

function Row(props: { id: string; observer: ResizeObserver; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current!;
    props.observer.observe(el);
    // Unobserved on removal, or the observer would keep every row ever shown alive.
    return () => props.observer.unobserve(el);
  }, [props.observer]);
  return (
    <div ref={ref} data-key={props.id} class="vrow">
      {props.children}
    </div>
  );
}

interface Layout<T> {
  items: T[];
  version: number;
  tops: Float64Array;
  index: Map<string, number>;
}

function layoutOf<T extends ListItem>(items: T[], version: number, heights: Map<string, number>, estimate: (item: T) => number): Layout<T> {
  const n = items.length;
  const tops = new Float64Array(n + 1);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = items[i]!.key;
    index.set(key, i);
    tops[i + 1] = tops[i]! + (heights.get(key) ?? estimate(items[i]!));
  }
  return { items, version, tops, index };
}

export function VirtualList<T extends ListItem>(props: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const windowEl = useRef<HTMLDivElement>(null);
  const headerEl = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const version = useRef(0);
  const width = useRef(-1);
  // Where the viewport is, relative to the first row; rendering reads it, the effect and scrolling write it.
  const viewport = useRef({ top: 0, height: 800 });
  const [, rerender] = useState(0);
  // Where the reader is: stuck to the bottom, or a row and its distance from the viewport top.
  const stick = useRef(true);
  const anchor = useRef<{ key: string; offset: number } | null>(null);
  const appliedRequest = useRef(-1);
  const reportedBottom = useRef(true);
  const budget = useRef({ used: false, waiting: false });

  const { items, estimate } = props;
  const n = items.length;
  // Row offsets, recomputed only when the rows or a measured height changed: a render caused by
  // scrolling alone reuses them (and allocates nothing, which keeps the collector quiet).
  const layout = useRef<Layout<T> | null>(null);
  if (!layout.current || layout.current.items !== items || layout.current.version !== version.current) {
    layout.current = layoutOf(items, version.current, heights.current, estimate);
  }
  const [start, end] = windowOf(layout.current.tops, n, viewport.current.top, viewport.current.height);
  const rendered = useRef({ start, end });
  rendered.current = { start, end };

  /** A self-correction: the first in a frame renders now, later ones in the next frame. */
  const correct = useRef(() => {});
  correct.current = () => {
    const b = budget.current;
    if (!b.used) {
      b.used = true;
      requestAnimationFrame(() => (b.used = false));
      rerender((x) => x + 1);
    } else if (!b.waiting) {
      b.waiting = true;
      // Registered after the reset above, so it runs after it in the next frame.
      requestAnimationFrame(() => {
        b.waiting = false;
        correct.current();
      });
    }
  };

  // Only says "something changed size"; the heights are read in the layout effect it causes.
  const observer = useMemo(
    () =>
      new ResizeObserver((entries) => {
        for (const entry of entries) {
          const el = entry.target as HTMLElement;
          const key = el.dataset.key;
          const h = entry.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
          if (el === scroller.current || el === headerEl.current || (key && h > 0 && heights.current.get(key) !== h)) {
            correct.current();
            return;
          }
        }
      }),
    [],
  );

  useLayoutEffect(() => {
    observer.observe(scroller.current!);
    return () => observer.disconnect();
  }, [observer]);

  // After every render: measure what is rendered, then place the scroll position from the model.
  // All reads come first (one layout), then the writes; nothing is read back after a write, so a
  // pass costs one layout however many rows it measured.
  useLayoutEffect(() => {
    const el = scroller.current!;
    const rows = windowEl.current!.children;
    if (headerEl.current) observer.observe(headerEl.current);
    const clientWidth = el.clientWidth;
    const clientHeight = el.clientHeight;
    const scrollTop = el.scrollTop;
    const origin = body.current!.offsetTop;
    // A new width re-wraps every row: forget heights of rows that are not on screen.
    let changed = false;
    if (clientWidth !== width.current) {
      if (width.current >= 0 && heights.current.size > 0) {
        heights.current.clear();
        changed = true;
      }
      width.current = clientWidth;
    }
    // The first row whose height changed: offsets above it stay as they are.
    let from = changed ? 0 : n;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as HTMLElement;
      const key = row.dataset.key!;
      const h = row.getBoundingClientRect().height;
      if (h > 0 && heights.current.get(key) !== h) {
        heights.current.set(key, h);
        changed = true;
        from = Math.min(from, rendered.current.start + i);
      }
    }
    if (changed) {
      version.current++;
      const l = layout.current!;
      // In place, from the first change down: a scroll that measures a few new rows must not
      // rebuild (and allocate) the offsets of thousands.
      if (l.items === items) {
        for (let i = from; i < n; i++) l.tops[i + 1] = l.tops[i]! + (heights.current.get(items[i]!.key) ?? estimate(items[i]!));
        l.version = version.current;
      } else layout.current = layoutOf(items, version.current, heights.current, estimate);
    }
    const { tops, index } = layout.current!;
    const total = tops[n]!;
    // The scrollable height is the model's: the body's padding, the rows, and the header above.
    const scrollHeight = Math.max(clientHeight, origin + total + BODY_PADDING_PX);
    const maxTop = scrollHeight - clientHeight;

    const req = props.request;
    if (req.seq !== appliedRequest.current) {
      appliedRequest.current = req.seq;
      const i = req.key ? (index.get(req.key) ?? -1) : -1;
      if (req.at === "bottom" || i < 0) {
        stick.current = true;
        anchor.current = null;
      } else {
        stick.current = false;
        const h = tops[i + 1]! - tops[i]!;
        anchor.current = { key: req.key!, offset: req.at === "top" ? 12 : Math.max(12, (clientHeight - h) / 2) };
      }
    }
    let desired = Math.min(scrollTop, maxTop);
    if (stick.current) desired = maxTop;
    else if (anchor.current) {
      const i = index.get(anchor.current.key) ?? -1;
      if (i >= 0) desired = Math.min(maxTop, Math.max(0, origin + tops[i]! - anchor.current.offset));
    }

    // Writes: the model's height first, so the position below is clamped against it.
    const height = `${total}px`;
    if (body.current!.style.height !== height) body.current!.style.height = height;
    const shift = `translateY(${tops[rendered.current.start]}px)`;
    if (windowEl.current!.style.transform !== shift) windowEl.current!.style.transform = shift;
    if (Math.abs(scrollTop - desired) >= 1) el.scrollTop = desired;

    // Tell the owner whether we ended at the bottom (a jump may leave it).
    const atBottom = desired + clientHeight >= scrollHeight - BOTTOM_SLACK_PX;
    if (atBottom !== reportedBottom.current) {
      reportedBottom.current = atBottom;
      props.onBottomChange?.(atBottom);
    }
    viewport.current = { top: desired - origin, height: clientHeight };
    const [s, e] = windowOf(tops, n, viewport.current.top, clientHeight);
    if (s !== rendered.current.start || e !== rendered.current.end) correct.current();
    // Still near an end after this render (a page arrived, the list is short): ask for more.
    // The owner ignores the call while a page is loading or when there is nothing more.
    if (desired < NEAR_PX) props.onNearTop?.();
    if (scrollHeight - desired - clientHeight < NEAR_PX) props.onNearBottom?.();
  });

  const onScroll = () => {
    const el = scroller.current!;
    const { tops, items: rows } = layout.current!;
    const height = el.clientHeight;
    const atBottom = el.scrollTop + height >= el.scrollHeight - BOTTOM_SLACK_PX;
    if (atBottom !== reportedBottom.current) {
      reportedBottom.current = atBottom;
      props.onBottomChange?.(atBottom);
    }
    stick.current = atBottom;
    const top = el.scrollTop - body.current!.offsetTop;
    anchor.current = anchorAt(tops, rows, top);
    viewport.current = { top, height };
    const [s, e] = windowOf(tops, rows.length, top, height);
    if (s !== rendered.current.start || e !== rendered.current.end) rerender((x) => x + 1);
    if (el.scrollTop < NEAR_PX) props.onNearTop?.();
    if (el.scrollHeight - el.scrollTop - height < NEAR_PX) props.onNearBottom?.();
  };

  const rows = [];
  for (let i = start; i < end; i++) {
    const item = items[i]!;
    rows.push(
      <Row key={item.key} id={item.key} observer={observer}>
        {props.render(item)}
      </Row>,
    );
  }

  return (
    <div ref={scroller} class={`vlist ${props.class ?? ""}`} onScroll={onScroll} role="log" aria-label={props.label} tabIndex={0}>
      {props.header !== undefined && (
        <div ref={headerEl} class="vlist-header">
          {props.header}
        </div>
      )}
      <div ref={body} class="vlist-body">
        <div ref={windowEl} class="vlist-window">
          {rows}
        </div>
      </div>
    </div>
  );
}
