// Push notifications on this device (Web Push), switched from the sidebar: on, messages reach the
// person while no tab is open; the browser asks for permission when it is switched on.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { disableWebPush, enableWebPush, webPushEnabled, webPushSupported } from "../state/push.ts";
import { showToast } from "../state/ui.ts";
import { Icon } from "./Icon.tsx";

export function PushToggle() {
  const on = useSignal(false);
  const busy = useSignal(false);
  useEffect(() => {
    void webPushEnabled().then((v) => (on.value = v), () => {});
  }, []);
  if (!webPushSupported()) return null;
  const label = on.value ? "Turn off push notifications on this device" : "Turn on push notifications on this device";
  return (
    <button
      type="button"
      class={`icon-button${on.value ? " active" : ""}`}
      aria-label={label}
      aria-pressed={on.value}
      title={label}
      disabled={busy.value}
      onClick={async () => {
        busy.value = true;
        try {
          if (on.value) await disableWebPush();
          else await enableWebPush();
          on.value = !on.value;
          showToast(on.value ? "Push notifications are on for this device" : "Push notifications are off for this device");
        } catch (err) {
          showToast((err as Error).message, "error");
        } finally {
          busy.value = false;
        }
      }}
    >
      <Icon name="bell" />
    </button>
  );
}
