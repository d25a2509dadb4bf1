// A windowed list for rows of varying height: only the rows near the viewport are in the DOM, so
// a conversation with thousands of messages scrolls as smoothly as one with ten. Heights are
// measured with a ResizeObserver and estimated until then. The list keeps what you are looking
// at in place when rows above it change (older pages, late-loading images), sticks to the bottom
// while you are there, and scrolls to a row on request (a jump, the unread divider).
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

function windowOf(tops: Float64Array, n: number, top: number, height: number): [number, number] {
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

function Row(props: { id: string; observer: ResizeObserver; children: ComponentChildren; header?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current!;
    props.observer.observe(el);
    // Unobserved on removal, or the observer would keep every row ever shown alive.
    return () => props.observer.unobserve(el);
  }, [props.observer]);
  return (
    <div ref={ref} data-key={props.id} data-header={props.header ? "1" : undefined} class={props.header ? "vlist-header" : "vrow"}>
      {props.children}
    </div>
  );
}

export function VirtualList<T extends ListItem>(props: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const heightsVersion = useRef(0);
  const headerHeight = useRef(0);
  // `top` is measured from the first row (below the header).
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const [, setMeasured] = useState(0);
  // Where the reader is: stuck to the bottom, or a row and its distance from the viewport top.
  const stick = useRef(true);
  const anchor = useRef<{ key: string; offset: number } | null>(null);
  const appliedRequest = useRef(-1);
  const reportedBottom = useRef(true);

  const { items, estimate } = props;
  const n = items.length;
  // Row offsets, recomputed only when the rows or a measured height changed: a render caused by
  // scrolling alone reuses them (and allocates nothing, which keeps the collector quiet).
  const layout = useRef<{ items: T[]; version: number; tops: Float64Array; index: Map<string, number> } | null>(null);
  if (!layout.current || layout.current.items !== items || layout.current.version !== heightsVersion.current) {
    const tops = new Float64Array(n + 1);
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = items[i]!.key;
      index.set(key, i);
      tops[i + 1] = tops[i]! + (heights.current.get(key) ?? estimate(items[i]!));
    }
    layout.current = { items, version: heightsVersion.current, tops, index };
  }
  const { tops, index } = layout.current;
  const total = tops[n]!;
  const [start, end] = windowOf(tops, n, viewport.top, viewport.height);
  const indexOf = (key: string) => index.get(key) ?? -1;

  const latest = useRef({ tops, start, end, items });
  latest.current = { tops, start, end, items };

  const observer = useMemo(
    () =>
      new ResizeObserver((entries) => {
        let changed = false;
        for (const entry of entries) {
          const el = entry.target as HTMLElement;
          if (el === scroller.current) {
            setViewport((v) => (v.height === el.clientHeight ? v : { top: v.top, height: el.clientHeight }));
            continue;
          }
          const h = entry.borderBoxSize?.[0]?.blockSize ?? el.offsetHeight;
          if (el.dataset.header) {
            if (headerHeight.current !== h) {
              headerHeight.current = h;
              changed = true;
            }
            continue;
          }
          const key = el.dataset.key;
          if (key && h > 0 && heights.current.get(key) !== h) {
            heights.current.set(key, h);
            changed = true;
          }
        }
        if (changed) {
          heightsVersion.current++;
          setMeasured((x) => x + 1);
        }
      }),
    [],
  );

  useLayoutEffect(() => {
    observer.observe(scroller.current!);
    return () => observer.disconnect();
  }, [observer]);

  // After every render: apply a new scroll request, stay at the bottom, or hold the anchor still.
  useLayoutEffect(() => {
    const el = scroller.current!;
    const req = props.request;
    if (req.seq !== appliedRequest.current) {
      appliedRequest.current = req.seq;
      const i = req.key ? indexOf(req.key) : -1;
      if (req.at === "bottom" || i < 0) {
        stick.current = true;
        anchor.current = null;
      } else {
        stick.current = false;
        const h = tops[i + 1]! - tops[i]!;
        anchor.current = { key: req.key!, offset: req.at === "top" ? 12 : Math.max(12, (el.clientHeight - h) / 2) };
      }
    }
    if (stick.current) {
      const target = el.scrollHeight - el.clientHeight;
      if (Math.abs(el.scrollTop - target) > 1) el.scrollTop = target;
    } else if (anchor.current) {
      const i = indexOf(anchor.current.key);
      if (i >= 0) {
        const desired = headerHeight.current + tops[i]! - anchor.current.offset;
        if (Math.abs(el.scrollTop - desired) >= 1) el.scrollTop = desired;
      }
    }
    // Tell the owner whether we ended at the bottom (a jump may leave it).
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - BOTTOM_SLACK_PX;
    if (atBottom !== reportedBottom.current) {
      reportedBottom.current = atBottom;
      props.onBottomChange?.(atBottom);
    }
    // A scroll we caused ourselves may need other rows: render them before the next paint.
    const top = el.scrollTop - headerHeight.current;
    const [s, e] = windowOf(tops, n, top, el.clientHeight);
    if (s !== start || e !== end) setViewport({ top, height: el.clientHeight });
    // Still near an end after this render (a page arrived, the list is short): ask for more.
    // The owner ignores the call while a page is loading or when there is nothing more.
    if (el.scrollTop < NEAR_PX) props.onNearTop?.();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_PX) props.onNearBottom?.();
  });

  const onScroll = () => {
    const el = scroller.current!;
    const { tops: t, start: s0, end: e0, items: rows } = latest.current;
    const count = rows.length;
    const height = el.clientHeight;
    const atBottom = el.scrollTop + height >= el.scrollHeight - BOTTOM_SLACK_PX;
    if (atBottom !== reportedBottom.current) {
      reportedBottom.current = atBottom;
      props.onBottomChange?.(atBottom);
    }
    stick.current = atBottom;
    const top = el.scrollTop - headerHeight.current;
    anchor.current = anchorAt(t, rows, top);
    const [s, e] = windowOf(t, count, top, height);
    if (s !== s0 || e !== e0) setViewport({ top, height });
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
        <Row id="header" header observer={observer}>
          {props.header}
        </Row>
      )}
      <div class="vlist-body" style={{ height: `${total}px` }}>
        <div class="vlist-window" style={{ transform: `translateY(${tops[start]}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
