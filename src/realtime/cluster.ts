// Several `serve` processes on one Postgres: how their hubs hear each other. Postgres is the bus
// (LISTEN/NOTIFY on one channel); nothing here is a protocol of our own beyond the payloads.
//
// - Every committed batch NOTIFYs (workspace, last cursor) once per workspace it wrote, never per
//   event, inside its transaction (src/store/postgres/commit-hints.ts). Every process's log
//   follower then reads the events after its last dispatched cursor. A notification is only a
//   hint: one missed while the LISTEN connection was down is made good by the catch-up read done
//   when LISTEN comes back, and by the follower's periodic sweep.
// - Ephemeral events and socket re-checks (after a sign-out, a revoked token, a removal) have no
//   log: they travel in the notification itself (split in ordered chunks above NOTIFY's
//   8000-byte limit; chunks of one NOTIFY transaction arrive together and in order). A process
//   ignores its own. A moderation change needs no relay: it is an event, which every process
//   dispatches, re-checking its own sockets.
import postgres from "postgres";
import { type CommitHint, MAX_NOTIFY_BYTES, REALTIME_CHANNEL } from "../store/postgres/commit-hints.ts";
import type { EphemeralEvent, Hub, SocketMatch } from "./hub.ts";
import type { LogFollower } from "./log-follower.ts";
import { backgroundLog } from "../observability/log.ts";

export const CLUSTER_CHANNEL = REALTIME_CHANNEL;
const CHUNK_BYTES = 5000;
const RELISTEN_MAX_MS = 5_000;

type Message =
  | CommitHint
  | { k: "ephemeral"; o: string; e: EphemeralEvent }
  | { k: "recheck"; o: string; m: SocketMatch }
  | { k: "chunk"; o: string; id: string; i: number; n: number; d: string };

type Sql = postgres.Sql;

const connect = (url: string, extra: postgres.Options<{}> = {}): Sql =>
  postgres(url, { max: 1, idle_timeout: 0, max_lifetime: null, fetch_types: false, onnotice: () => {}, ...extra });

/** Sends notifications in order on one connection; a failure is logged, never thrown at a request. */
class Notifier {
  private sql: Sql;
  constructor(url: string) {
    this.sql = connect(url);
  }

  send(payloads: string[]): Promise<void> {
    if (payloads.length === 0) return Promise.resolve();
    // One statement, one transaction: the payloads are delivered together and in this order.
    return this.sql`select pg_notify(${CLUSTER_CHANNEL}, p) from json_array_elements_text((${JSON.stringify(payloads)}::text)::json) with ordinality as t(p, i) order by i`
      .then(() => undefined)
      // Lost: typing or progress the other processes will not show, a re-check their periodic pass redoes.
      .catch((err) => backgroundLog().error({ err }, "realtime: NOTIFY to the other processes failed"));
  }

  end(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}

/** A message as NOTIFY payloads: itself when small, else ordered base64 chunks of its UTF-8. */
export function framePayloads(message: Message, origin: string): string[] {
  const json = JSON.stringify(message);
  const bytes = Buffer.from(json, "utf8");
  if (bytes.length <= MAX_NOTIFY_BYTES) return [json];
  const id = crypto.randomUUID();
  const n = Math.ceil(bytes.length / CHUNK_BYTES);
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ k: "chunk", o: origin, id, i, n, d: bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES).toString("base64") } satisfies Message),
  );
}

export interface Cluster {
  /** This process's id on the bus. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * Joins the hub to the other processes on this Postgres: LISTENs (on a connection of its own,
 * re-established with backoff when it drops, followed by a full catch-up), follows the log of
 * the workspaces with sockets here, and relays ephemeral events and socket re-checks both ways.
 */
export async function startCluster(url: string, hub: Hub): Promise<Cluster> {
  const origin = crypto.randomUUID();
  const notifier = new Notifier(url);
  const follower: LogFollower = hub.joinCluster({
    ephemeral: (e) => void notifier.send(framePayloads({ k: "ephemeral", o: origin, e }, origin)),
    recheck: (m) => void notifier.send(framePayloads({ k: "recheck", o: origin, m }, origin)),
  });
  const partial = new Map<string, { parts: string[]; got: number; at: number }>();
  let stopped = false;

  const apply = (msg: Message): void => {
    switch (msg.k) {
      case "commit":
        for (const [workspaceId, cursor] of msg.w) follower.nudge(workspaceId, cursor);
        return;
      case "ephemeral":
        if (msg.o !== origin) hub.deliverEphemeral(msg.e);
        return;
      case "recheck":
        if (msg.o !== origin) void hub.recheckLocal(msg.m);
        return;
      case "chunk": {
        if (msg.o === origin) return;
        const now = Date.now();
        for (const [id, p] of partial) if (now - p.at > 30_000) partial.delete(id);
        let p = partial.get(msg.id);
        if (!p) partial.set(msg.id, (p = { parts: new Array(msg.n), got: 0, at: now }));
        if (p.parts[msg.i] === undefined) p.got++;
        p.parts[msg.i] = msg.d;
        if (p.got < msg.n) return;
        partial.delete(msg.id);
        const whole = Buffer.concat(p.parts.map((d) => Buffer.from(d, "base64"))).toString("utf8");
        return apply(JSON.parse(whole) as Message);
      }
    }
  };

  const receive = (payload: string): void => {
    try {
      apply(JSON.parse(payload) as Message);
    } catch (err) {
      backgroundLog().error({ err }, "realtime: unreadable cluster notification");
    }
  };

  let listener: Sql;
  let relistening = false;
  const listen = async () => {
    await listener`listen ${listener(CLUSTER_CHANNEL)}`;
  };
  // The connection dropped (server restart, pg_terminate_backend, network): whatever was
  // notified meanwhile is lost, so once LISTEN is back every followed workspace is read again.
  const relisten = async () => {
    if (relistening || stopped) return;
    relistening = true;
    for (let delay = 100; !stopped; delay = Math.min(delay * 2, RELISTEN_MAX_MS)) {
      try {
        await listen();
        break;
      } catch {
        await Bun.sleep(delay);
      }
    }
    relistening = false;
    if (!stopped) follower.nudgeAll();
  };
  listener = connect(url, { onnotify: (_channel: string, payload: string) => receive(payload), onclose: () => void relisten() } as postgres.Options<{}>);
  await listen();
  follower.start();

  return {
    origin,
    async stop() {
      stopped = true;
      follower.stop();
      await Promise.all([listener.end({ timeout: 5 }), notifier.end()]);
    },
  };
}
