// The connection, always visible: a dot in the sidebar, and a banner when messages cannot flow.
import { useEffect, useState } from "preact/hooks";
import { connection } from "../realtime.ts";
import { outbox } from "../state/outbox.ts";

const LABEL = { connecting: "Connecting…", live: "Connected", reconnecting: "Reconnecting…", offline: "Offline", stopped: "Disconnected" } as const;

export function ConnectionDot() {
  const state = connection.value.state;
  return (
    <span class={`conn conn-${state}`} role="status" aria-label={`Connection: ${LABEL[state]}`} title={LABEL[state]} data-state={state}>
      <span class="conn-dot" aria-hidden="true" />
      <span class="conn-label">{LABEL[state]}</span>
    </span>
  );
}

function useSecondsUntil(at: number | undefined): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!at) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [at]);
  return at ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

export function ConnectionBanner() {
  const { state, retryAt } = connection.value;
  const waiting = outbox.value.filter((p) => p.status !== "failed").length;
  const seconds = useSecondsUntil(retryAt);
  if (state === "live" || state === "connecting" || state === "stopped") return null;
  const text =
    state === "offline"
      ? "You are offline."
      : seconds
        ? `Connection lost. Reconnecting in ${seconds}s…`
        : "Connection lost. Reconnecting…";
  return (
    <div class={`banner banner-${state}`} role="status">
      <span>{text}</span>
      {waiting > 0 && <span class="banner-note">{waiting === 1 ? "1 message will be sent when you are back." : `${waiting} messages will be sent when you are back.`}</span>}
    </div>
  );
}
