import type { Config } from "../config/config.ts";
import { startCheckpointer } from "../store/sqlite/maintenance.ts";
import { startWalFlusher } from "../store/sqlite/wal-flusher.ts";
import type { SqliteStore } from "../store/sqlite/index.ts";
import type { Store } from "../store/store.ts";
import { backgroundLog } from "../observability/log.ts";

const DAY = 86_400_000;
/**
 * Integration logs (event-subscription deliveries, slash invocations) are for looking back at
 * recent trouble, not an archive: a month of them, and a subscription's newest 1,000 delivery
 * lines. (A month is far past the guest budget's day, which counts invocations.)
 */
export const INTEGRATION_LOG_DAYS = 30;
export const DELIVERIES_KEPT_PER_SUBSCRIPTION = 1_000;

/** Starts the database's background upkeep; returns the function that stops it. */
export function startMaintenance(store: Store, config: Config): () => void {
  let lastPrune = 0;
  async function prune() {
    if (Date.now() - lastPrune < DAY / 24) return;
    lastPrune = Date.now();
    await store.integrations.pruneLogs({ olderThan: new Date(Date.now() - INTEGRATION_LOG_DAYS * DAY).toISOString(), keepDeliveries: DELIVERIES_KEPT_PER_SUBSCRIPTION });
    if (config.eventRetentionDays <= 0) return;
    const olderThan = new Date(Date.now() - config.eventRetentionDays * DAY).toISOString();
    const workspaces = await store.workspaces.listAll();
    // Keep a recent tail per workspace, so a client that was merely asleep can still resume.
    for (const w of workspaces) await store.events.prune(w.id, { olderThan, keepLatest: 10_000 });
  }
  const intervalMs = Number(process.env.CLICKCLACK_CHECKPOINT_MS ?? 10_000);
  if (store.dialect !== "sqlite") {
    // Postgres checkpoints and vacuums itself; retention is all there is to do. (Several
    // processes may prune at once: a prune is an idempotent DELETE.)
    let running = false;
    const timer = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        await prune();
      } catch (err) {
        backgroundLog().error({ err }, "retention failed");
      } finally {
        running = false;
      }
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }
  const sqlite = store as SqliteStore;
  // The WAL reaches the disk as the writer goes, so that checkpoints do not sync it on the event
  // loop. CLICKCLACK_WAL_FLUSHER=0 runs without it, for a benchmark's before-and-after.
  const flusher = process.env.CLICKCLACK_WAL_FLUSHER === "0" ? null : startWalFlusher(sqlite.path, sqlite.writer);
  const stopCheckpoints = startCheckpointer(sqlite.raw, sqlite.path, {
    intervalMs,
    walLimitBytes: Number(process.env.CLICKCLACK_WAL_LIMIT_BYTES ?? 64 * 1024 * 1024),
    onTick: prune,
  });
  return () => {
    stopCheckpoints();
    flusher?.stop();
  };
}
