// Test harness: a real server on a random port over a real SQLite file in a temp directory (or a
// fresh Postgres database, see src/testing/stores.ts), plus small HTTP and WebSocket clients. Fixtures (users, workspaces) are created through the store;
// everything under test goes over the wire.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/config.ts";
import { type RunningServer, startServer } from "../server/serve.ts";
import type { ChatEvent, User, Workspace } from "../chat/types.ts";
import { createTestDatabase, testStoreKind } from "./postgres.ts";
import type { StoreKind } from "./stores.ts";

export interface TestServer extends RunningServer {
  dir: string;
  /** The SQLite file (sqlite only; prefer src/testing/db-inspect.ts, which works on both). */
  dbPath: string;
  storeKind: StoreKind;
  /** Arguments that point a CLI subprocess at this server's database (either store). */
  dbArgs: string[];
  close(): Promise<void>;
}

/**
 * `store` picks the database (suites over both stores pass it from forEachStore); without it,
 * SQLite, or Postgres when CLICKCLACK_TEST_DB=postgres. An explicit `--db` argument wins.
 */
export async function startTestServer(extraArgs: string[] = [], opts: { dev?: boolean; store?: StoreKind; logTo?: { write(line: string): void }; traceDelayMs?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-test-"));
  const kind = opts.store ?? testStoreKind();
  const pg = kind === "postgres" && !extraArgs.includes("--db") ? await createTestDatabase() : null;
  const dbArgs = pg ? ["--db", pg.url] : [];
  const { config } = loadConfig(["--data", dir, "--addr", "127.0.0.1:0", ...(opts.dev === false ? [] : ["--dev"]), ...dbArgs, ...extraArgs], {});
  let running: RunningServer;
  try {
    running = await startServer(config, { quiet: true, logTo: opts.logTo, traceDelayMs: opts.traceDelayMs });
  } catch (err) {
    await pg?.drop();
    throw err;
  }
  return {
    ...running,
    dir,
    dbPath: join(dir, "clickclack.db"),
    storeKind: running.store.dialect,
    dbArgs: pg ? ["--db", pg.url] : extraArgs.includes("--db") ? extraArgs.slice(extraArgs.indexOf("--db"), extraArgs.indexOf("--db") + 2) : ["--data", dir],
    async close() {
      await running.stop();
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** An HTTP client acting as one user (dev-mode header) or with explicit headers. */
export function client(baseUrl: string, as?: { userId?: string; token?: string; cookie?: string; headers?: Record<string, string> }) {
  async function call<T = any>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { ...as?.headers, ...extra };
    if (as?.userId) headers["x-clickclack-user"] = as.userId;
    if (as?.token) headers.authorization = `Bearer ${as.token}`;
    if (as?.cookie) headers.cookie = as.cookie;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      // Multipart (uploads): fetch writes the body and its boundary.
      payload = body;
    } else if (typeof body === "string") {
      payload = body;
      headers["content-type"] ??= "application/json";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    const res = await fetch(baseUrl + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  return {
    get: <T = any>(path: string, h?: Record<string, string>) => call<T>("GET", path, undefined, h),
    post: <T = any>(path: string, body?: unknown, h?: Record<string, string>) => call<T>("POST", path, body, h),
    patch: <T = any>(path: string, body?: unknown, h?: Record<string, string>) => call<T>("PATCH", path, body, h),
    put: <T = any>(path: string, body?: unknown, h?: Record<string, string>) => call<T>("PUT", path, body, h),
    delete: <T = any>(path: string, h?: Record<string, string>) => call<T>("DELETE", path, undefined, h),
    call,
  };
}

export type Client = ReturnType<typeof client>;

/** A team: an owner, some members and a workspace with #general and #guest. */
export async function seedTeam(server: RunningServer, names: string[] = ["ada", "bob", "cy"]) {
  const users: User[] = [];
  for (const n of names) users.push(await server.store.users.create({ kind: "human", displayName: n, handle: n }));
  const { workspace, channels } = await server.store.workspaces.create({ name: "Team", ownerId: users[0]!.id });
  for (const u of users.slice(1)) await server.store.workspaces.addMember(workspace.id, u.id, "member");
  const general = channels.find((c) => c.name === "general")!;
  const guest = channels.find((c) => c.name === "guest")!;
  const clients = users.map((u) => client(server.url, { userId: u.id }));
  return { users, workspace: workspace as Workspace, general, guest, clients };
}

/** A WebSocket subscriber that records every event it receives. */
export class Subscription {
  events: ChatEvent[] = [];
  closeCode: number | null = null;
  closeReason = "";
  protocol = "";
  private ws: WebSocket;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;

  constructor(baseUrl: string, opts: { workspaceId: string; afterCursor?: string | null; userId?: string; token?: string; cookie?: string; protocols?: string[] }) {
    const url = new URL("/api/realtime/ws", baseUrl.replace(/^http/, "ws"));
    url.searchParams.set("workspace_id", opts.workspaceId);
    if (opts.afterCursor) url.searchParams.set("after_cursor", opts.afterCursor);
    const headers: Record<string, string> = {};
    if (opts.userId) headers["x-clickclack-user"] = opts.userId;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    // Bun's WebSocket accepts headers, which lets tests act as dev users.
    this.ws = new WebSocket(url.toString(), { headers, protocols: opts.protocols } as any);
    this.opened = new Promise((resolve, reject) => {
      this.ws.addEventListener("open", () => {
        this.protocol = this.ws.protocol;
        resolve();
      });
      this.ws.addEventListener("error", () => reject(new Error("websocket error")));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        this.wake();
        resolve();
      });
    });
    this.ws.addEventListener("message", (e) => {
      this.events.push(JSON.parse(String(e.data)));
      this.wake();
    });
  }

  /** The durable events received (ephemeral ones, such as presence and typing, carry no cursor). */
  get durable(): ChatEvent[] {
    return this.events.filter((e) => e.cursor);
  }

  get lastCursor(): string | null {
    const durable = this.events.filter((e) => e.cursor);
    return durable[durable.length - 1]?.cursor ?? null;
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `predicate` holds over the received events (or the socket closes). */
  async until(predicate: (events: ChatEvent[]) => boolean, timeoutMs = 5000): Promise<ChatEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before the condition held; got ${this.events.length} events`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.events.length} events: ${this.events.map((e) => e.type).join(", ")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.events;
  }

  close(): void {
    this.ws.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
