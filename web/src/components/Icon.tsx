// Inline SVG icons (no icon font, no CDN). Stroke icons on a 20px grid, coloured by currentColor.
const PATHS = {
  hash: "M7.5 3 6 17M14 3l-1.5 14M3.5 7.5h14M2.5 12.5h14",
  plus: "M10 4v12M4 10h12",
  search: "M9 15a6 6 0 1 0 0-12 6 6 0 0 0 0 12zm4.5-1.5L17 17",
  thread: "M4 5.5A2.5 2.5 0 0 1 6.5 3h7A2.5 2.5 0 0 1 16 5.5v5a2.5 2.5 0 0 1-2.5 2.5H9l-4 3.5V13h0a1 1 0 0 1-1-1z",
  smile: "M10 17a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM7 11.5s1 1.5 3 1.5 3-1.5 3-1.5M7.5 8h.01M12.5 8h.01",
  edit: "M12.5 4.5l3 3L8 15H5v-3zM11 6l3 3",
  trash: "M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10",
  quote: "M8 5 3.5 9.5 8 14M3.5 9.5H12a4.5 4.5 0 0 1 4.5 4.5v1.5",
  pin: "M7.5 3h5l-.8 5 2.8 3H5.5l2.8-3zM10 11v6",
  link: "M8.5 11.5a3 3 0 0 0 4.2 0l2.5-2.5a3 3 0 0 0-4.2-4.2L10 5.8M11.5 8.5a3 3 0 0 0-4.2 0L4.8 11a3 3 0 0 0 4.2 4.2l1-1",
  close: "M5 5l10 10M15 5 5 15",
  menu: "M3 6h14M3 10h14M3 14h14",
  send: "M3.5 10 16.5 3.5 13 16.5l-3-5.5zM10 11 16.5 3.5",
  attach: "M15 9.5 9.8 14.7a3.5 3.5 0 0 1-5-5L10.5 4a2.3 2.3 0 0 1 3.3 3.3l-5.6 5.6a1.1 1.1 0 0 1-1.6-1.6L11.5 6.4",
  chevron: "M6 8l4 4 4-4",
  at: "M13 10a3 3 0 1 1-6 0 3 3 0 0 1 6 0zm0 0v1.2a2 2 0 0 0 4 0V10a7 7 0 1 0-3 5.7",
  message: "M4 4h12v9H8l-4 3z",
  logout: "M8 4H4v12h4M13 7l3 3-3 3M16 10H8",
  spark: "M10 3v3M10 14v3M3 10h3M14 10h3M5 5l2 2M13 13l2 2M5 15l2-2M13 7l2-2",
  check: "M4 10.5 8 14l8-8",
  down: "M10 4v12M5 11l5 5 5-5",
  file: "M6 3h5l4 4v10H6zM11 3v4h4",
  star: "M10 3l2.1 4.4 4.9.6-3.6 3.3.9 4.8L10 13.8 5.7 16.1l.9-4.8L3 8l4.9-.6z",
  bell: "M6 13V9a4 4 0 0 1 8 0v4l1.5 2h-11zM8.5 17h3",
  mute: "M6 13V9a4 4 0 0 1 6.5-3.1M14 9v4l1.5 2h-11M8.5 17h3M3 3l14 14",
  people: "M7.5 9a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM2.5 16a5 5 0 0 1 10 0M13 4.3a2.5 2.5 0 0 1 0 4.4M15 11.5a5 5 0 0 1 2.5 4.5",
  settings: "M10 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM10 2.5v2M10 15.5v2M2.5 10h2M15.5 10h2M4.7 4.7l1.4 1.4M13.9 13.9l1.4 1.4M4.7 15.3l1.4-1.4M13.9 6.1l1.4-1.4",
  archive: "M3 4h14v3H3zM4.5 7v9h11V7M8 10h4",
  eye: "M2.5 10S5 4.5 10 4.5 17.5 10 17.5 10 15 15.5 10 15.5 2.5 10 2.5 10zM10 12a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  plug: "M7 3v4M13 3v4M5 7h10v3a5 5 0 0 1-10 0zM10 15v2.5",
  copy: "M7 7h9v9H7zM4 13V4h9",
  refresh: "M15.5 8A6 6 0 0 0 4.6 6.5M4.5 12a6 6 0 0 0 10.9 1.5M4 3.5v3h3M16 16.5v-3h-3",
  lock: "M6.5 9V6.5a3.5 3.5 0 0 1 7 0V9M4.5 9h11v8h-11zM10 12.5v1.5",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18, label }: { name: IconName; size?: number; label?: string }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      stroke-width="1.6"
      stroke-linecap="round"
      stroke-linejoin="round"
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : "true"}
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

/** A channel's sign before its name: a lock for a private channel, else "#". Decorative: say "private" in the label. */
export function ChannelSign({ channel, size = 15 }: { channel: { private?: boolean }; size?: number }) {
  return channel.private ? <Icon name="lock" size={size} /> : <>#</>;
}
