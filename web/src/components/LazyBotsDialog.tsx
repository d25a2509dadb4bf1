// The Bots dialog is for managers, now and then: its code loads when it is first opened, so the
// first load of the app stays as small as it was (its styles are small and come with the app's).
import { useEffect, useState } from "preact/hooks";
import { showToast } from "../state/ui.ts";
import type { BotsDialog } from "./BotsDialog.tsx";
import "../styles/bots.css";

let loaded: Promise<typeof BotsDialog> | null = null;

export function LazyBotsDialog(props: { workspaceId: string }) {
  const [Dialog, setDialog] = useState<typeof BotsDialog | null>(null);
  useEffect(() => {
    loaded ??= import("./BotsDialog.tsx").then((m) => m.BotsDialog);
    let live = true;
    loaded.then((c) => live && setDialog(() => c), () => {
      // Offline or a new build: the next opening tries again.
      loaded = null;
      showToast("Could not load the Bots screen; try again.");
    });
    return () => void (live = false);
  }, []);
  return Dialog ? <Dialog {...props} /> : null;
}
