// Support for the browser tests: the compiled binary (rebuilt when stale), a server started from it
// as a subprocess on its own data directory, the admin CLI against the same directory, Debian's
// Chromium through playwright-core, and a small API client that acts as a signed-in user.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { BINARY, clickclack, ensureBinary, FROM_SOURCE } from "../../src/testing/binary.ts";

export { BINARY, clickclack, ensureBinary, FROM_SOURCE };

export const ROOT = join(import.meta.dir, "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "artifacts/screenshots");
export const hasChromium = existsSync(CHROMIUM);

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `clickclack-web-${label}-`));
}

export async function admin<T = any>(dataDir: string, ...args: string[]): Promise<T> {
  const proc = Bun.spawn([...clickclack(), "admin", ...args, "--json", "--data", dataDir], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`clickclack admin ${args.join(" ")} failed (${code}): ${err}`);
  return JSON.parse(out) as T;
}

export interface ServerProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
  output(): string;
}

/** Starts `clickclack serve` and waits for its "listening on" line. */
export async function serve(opts: { args?: string[]; cwd?: string; command?: string[]; port?: number } = {}): Promise<ServerProcess> {
  const command = opts.command ?? clickclack();
  const proc = Bun.spawn([...command, "serve", "--addr", `127.0.0.1:${opts.port ?? 0}`, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, CLICKCLACK_LOG_LEVEL: "warn" },
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        output += decoder.decode(chunk);
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    void pump(proc.stdout);
    void pump(proc.stderr);
    void proc.exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    output: () => output,
    async stop() {
      proc.kill("SIGTERM");
      const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!done) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** An API client that acts as one user, by session token (no cookie, so no CSRF header). */
export function apiAs(baseUrl: string, token: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text}`), { status: res.status, body: text });
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get: <T = any>(path: string) => call<T>("GET", path),
    post: <T = any>(path: string, body?: unknown) => call<T>("POST", path, body),
    patch: <T = any>(path: string, body?: unknown) => call<T>("PATCH", path, body),
    put: <T = any>(path: string, body?: unknown) => call<T>("PUT", path, body),
    delete: <T = any>(path: string) => call<T>("DELETE", path),
    async upload(workspaceId: string, bytes: Buffer, name: string, type: string): Promise<{ id: string }> {
      const form = new FormData();
      form.set("file", new Blob([new Uint8Array(bytes)], { type }), name);
      const res = await fetch(`${baseUrl}/api/uploads?workspace_id=${workspaceId}`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
      if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { upload: { id: string } }).upload;
    },
  };
}
export type Api = ReturnType<typeof apiAs>;

/** Exchanges a magic link for a session token, for API calls made on a user's behalf. */
export async function sessionToken(baseUrl: string, magicToken: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/magic/consume`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: magicToken }) });
  if (!res.ok) throw new Error(`consume failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Signs a browser context in through the app's own magic-link page. */
export async function signIn(context: BrowserContext, baseUrl: string, magicToken: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/app/login#token=${magicToken}`);
  await page.waitForURL(/\/app\/c\//);
  return page;
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Resolves when `fn` returns truthy; polls. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, label = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await Bun.sleep(50);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** A small RGB PNG drawn by `pixel`, for upload tests and screenshots (no image files in git). */
export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** A bar chart, for a screenshot that shows an image preview. */
export function chartPng(): Buffer {
  const bars = [0.35, 0.5, 0.42, 0.66, 0.58, 0.8, 0.72, 0.9];
  return png(480, 240, (x, y) => {
    const i = Math.floor((x - 30) / 54);
    const inBar = x >= 30 && i >= 0 && i < bars.length && (x - 30) % 54 < 38 && y > 220 - bars[i]! * 190 && y < 220;
    if (inBar) return [91 + i * 8, 91, 214 - i * 6];
    if (y === 220 || (y % 48 === 4 && x > 24)) return [226, 226, 234];
    return [250, 250, 252];
  });
}

/** A server with Ada (owner of Acme) and Grace (member), API clients for both, and a browser. */
export async function startTeam(label: string, opts: { serveArgs?: string[] } = {}) {
  ensureBinary();
  const dir = tempDir(label);
  const boot = await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
  const workspaceId: string = boot.workspace.id;
  await admin(dir, "user", "create", "--email", "grace@example.com", "--name", "Grace Hopper", "--handle", "grace");
  await admin(dir, "member", "add", "--workspace", workspaceId, "--email", "grace@example.com", "--role", "member");
  const server = await serve({ args: ["--data", dir, ...(opts.serveArgs ?? [])] });
  const link = (email: string) => admin<{ token: string }>(dir, "magic-link", "create", "--email", email).then((r) => r.token);
  const apiA = apiAs(server.url, await sessionToken(server.url, await link("ada@example.com")));
  const apiB = apiAs(server.url, await sessionToken(server.url, await link("grace@example.com")));
  const general: { id: string } = (await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels.find((c: { name: string }) => c.name === "general");
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  // Signing in spends a magic link, and the server allows 10 a minute per address: each person
  // signs in once, and every page after that opens in their signed-in context.
  const signedIn = new Map<string, Promise<BrowserContext>>();
  /**
   * A signed-in page at the given size and colour scheme. `fresh` signs in a context of its own
   * (for tests that sign out); `noWorkspace` for a person who lands on no conversation.
   */
  async function open(email: string, opts: { width?: number; height?: number; dark?: boolean; phone?: boolean; noWorkspace?: boolean; fresh?: boolean; timezoneId?: string } = {}): Promise<Page> {
    const viewport = { width: opts.width ?? 1280, height: opts.height ?? 800 };
    const colorScheme = opts.dark ? ("dark" as const) : ("light" as const);
    if (opts.fresh || opts.noWorkspace) {
      const ctx = await browser.newContext({ viewport, colorScheme, timezoneId: opts.timezoneId, ...(opts.phone ? { isMobile: true, hasTouch: true } : {}) });
      contexts.push(ctx);
      if (!opts.noWorkspace) return signIn(ctx, server.url, await link(email));
      const page = await ctx.newPage();
      await page.goto(`${server.url}/app/login#token=${await link(email)}`);
      return page;
    }
    let ctx = signedIn.get(email);
    if (!ctx) {
      ctx = (async () => {
        const c = await browser.newContext();
        contexts.push(c);
        await (await signIn(c, server.url, await link(email))).close();
        return c;
      })();
      signedIn.set(email, ctx);
    }
    const page = await (await ctx).newPage();
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    await page.goto(`${server.url}/app`);
    await page.waitForURL(/\/app\/c\//);
    return page;
  }
  /** After a test signed this person out everywhere: the next page signs in again. */
  const forget = (email: string) => signedIn.delete(email);
  async function stop(): Promise<void> {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close();
    await server.stop();
    cleanup(dir);
  }
  return { dir, server, browser, apiA, apiB, workspaceId, general, link, open, forget, stop };
}
export type Team = Awaited<ReturnType<typeof startTeam>>;

/** Page errors seen by a page from now on, for "never throws" checks. */
export function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Resolves once the page has painted two frames; a frozen tab fails the test instead of hanging. */
export async function responsive(page: Page, label: string, ms = 10_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frozen = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the tab froze: ${label}`)), ms)));
  try {
    await Promise.race([page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))), frozen]);
  } finally {
    clearTimeout(timer);
  }
}

// Accessibility: axe-core, run inside the page.
