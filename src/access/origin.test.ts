// Cross-site WebSocket hijacking, in a real browser (issue 12, item 7): a page on another origin
// of the same site (another port of 127.0.0.1) makes Chromium open the realtime socket with the
// signed-in person's SameSite=Lax cookie. The server must refuse it; our own pages still connect.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { seedTeam, startTestServer, type TestServer } from "../testing/harness.ts";

const CHROMIUM = "/usr/bin/chromium";
let server: TestServer;
let evil: ReturnType<typeof Bun.serve>;
let browser: Browser;
let team: Awaited<ReturnType<typeof seedTeam>>;
let token: string;

// What the attacker's page runs: open the victim's socket and report what it hears.
const listen = (wsUrl: string) => `
  window.heard = { opened: false, events: [], closed: null };
  const ws = new WebSocket(${JSON.stringify(wsUrl)});
  ws.onopen = () => { window.heard.opened = true; };
  ws.onmessage = (e) => window.heard.events.push(JSON.parse(e.data));
  ws.onclose = (e) => { window.heard.closed = e.code; };
`;

beforeAll(async () => {
  server = await startTestServer([], { dev: false });
  team = await seedTeam(server);
  token = (await server.store.identity.createSession(team.users[0]!.id, 3_600_000)).token;
  const wsUrl = `${server.url.replace(/^http/, "ws")}/api/realtime/ws?workspace_id=${team.workspace.id}`;
  evil = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(`<!doctype html><title>cute cats</title><script>${listen(wsUrl)}</script>`, { headers: { "content-type": "text/html" } }) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
});
afterAll(async () => {
  await browser?.close();
  evil?.stop(true);
  await server?.close();
});

test.skipIf(!existsSync(CHROMIUM))("a page on another origin cannot read a signed-in person's live events; our own origin can", async () => {
  const context = await browser.newContext();
  await context.addCookies([{ name: "cc_session", value: token, domain: "127.0.0.1", path: "/", httpOnly: true, sameSite: "Lax" }]);
  const attacker = await context.newPage();
  await attacker.goto(`http://127.0.0.1:${evil.port}/`);
  // Our own origin: any page of the server will do (the app's JSON, here).
  const own = await context.newPage();
  await own.goto(`${server.url}/api/me`);
  await own.evaluate(listen(`${server.url.replace(/^http/, "ws")}/api/realtime/ws?workspace_id=${team.workspace.id}`));
  await own.waitForFunction(() => (window as any).heard.opened, null, { timeout: 10_000 });

  const posted = await fetch(`${server.url}/api/channels/${team.general.id}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ body: "the launch code is 0000" }),
  }).then((r) => r.json() as Promise<any>);
  const id = posted.message.id;
  await own.waitForFunction((id) => (window as any).heard.events.some((e: any) => e.payload?.message_id === id), id, { timeout: 10_000 });

  // Refused: the socket closes without a frame. Hijacked: the message arrives.
  await attacker.waitForFunction(() => (window as any).heard.closed !== null || (window as any).heard.events.length > 0, null, { timeout: 10_000 });
  const heard = await attacker.evaluate(() => (window as any).heard);
  expect(heard.opened).toBe(false);
  expect(heard.events).toEqual([]);
  await context.close();
}, 30_000);
