// Web Push from a real Chromium: the app's service worker registers, the bell asks for
// permission (granted by the test) and calls pushManager.subscribe with the server's VAPID key.
// Chromium cannot finish the subscription here: headless Chromium refuses push registration
// ("AbortError: Registration failed - permission denied", even with notifications granted), and
// its push service (Google's) is out of reach anyway. What it answers is recorded, not required,
// and the app must show it rather than pretend; the second test stands a local push service in for it at the browser's
// PushManager, and follows the subscription the page sends: stored by the server, then used by the
// notification worker to send an encrypted push that the local service decrypts.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { startFakePushService } from "../../src/testing/fake-push-service.ts";
import { admin, apiAs, cleanup, ensureBinary, hasChromium, launchBrowser, serve, type ServerProcess, sessionToken, tempDir, until } from "./support.ts";

setDefaultTimeout(120_000);

describe.skipIf(!hasChromium)("Web Push in Chromium", () => {
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;
  let workspaceId: string;
  const push = startFakePushService();

  beforeAll(async () => {
    ensureBinary();
    dir = tempDir("push");
    // Dev mode: the page acts as the first person, and the local push endpoint may be plain http.
    workspaceId = (await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme")).workspace.id;
    await admin(dir, "user", "create", "--email", "grace@example.com", "--name", "Grace Hopper", "--handle", "grace", "--workspace", workspaceId);
    server = await serve({ args: ["--data", dir, "--dev"] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    push.stop();
    cleanup(dir);
  });

  async function openApp(init?: string): Promise<Page> {
    const ctx = await browser.newContext();
    await ctx.grantPermissions(["notifications"], { origin: server.url });
    if (init) await ctx.addInitScript(init);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/app`);
    await page.waitForURL(/\/app\/c\//);
    return page;
  }

  test("the service worker registers and the bell calls pushManager.subscribe with the server's VAPID key", async () => {
    // Records what the app asks of the real PushManager and what Chromium answers.
    const page = await openApp(`
      const real = PushManager.prototype.subscribe;
      window.__push = {};
      PushManager.prototype.subscribe = async function (opts) {
        const key = new Uint8Array(opts.applicationServerKey);
        window.__push.key = btoa(String.fromCharCode(...key)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
        window.__push.userVisibleOnly = opts.userVisibleOnly;
        try {
          const sub = await real.call(this, opts);
          window.__push.outcome = "subscribed " + sub.endpoint;
          return sub;
        } catch (err) {
          window.__push.outcome = "refused " + err.name + ": " + err.message;
          throw err;
        }
      };`);
    await page.getByRole("button", { name: "Turn on push notifications on this device" }).click();
    const recorded = await until(() => page.evaluate(() => (window as any).__push.outcome ? (window as any).__push : null), 30_000, "pushManager.subscribe to settle");
    const worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { scope: reg.scope, script: reg.active?.scriptURL, permission: Notification.permission };
    });
    expect(worker).toEqual({ scope: `${server.url}/`, script: `${server.url}/sw.js`, permission: "granted" });
    const vapid = await (await fetch(`${server.url}/api/push/vapid-public-key`)).json() as { public_key: string };
    expect(recorded.key).toBe(vapid.public_key);
    expect(recorded.userVisibleOnly).toBe(true);
    console.log(`Chromium's push service answered: ${recorded.outcome}`);
    if (recorded.outcome.startsWith("refused")) {
      // No route to Google's push service here: the app says so instead of pretending.
      await page.getByText(/push service|Registration failed|not available/i).first().waitFor();
    } else {
      await page.getByText("Push notifications are on for this device").waitFor();
    }
    await page.context().close();
  });

  test("the subscription the page sends is stored, and a new message reaches the device encrypted", async () => {
    const device = push.subscribe();
    // The browser's PushManager answers with a subscription at the local push service.
    const page = await openApp(`
      const json = ${JSON.stringify(device.json)};
      let current = null;
      const fake = { endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => { current = null; return true; } };
      PushManager.prototype.getSubscription = async function () { return current; };
      PushManager.prototype.subscribe = async function (opts) { window.__subscribeKey = !!opts.applicationServerKey; current = fake; return fake; };`);
    await page.getByRole("button", { name: "Turn on push notifications on this device" }).click();
    await page.getByText("Push notifications are on for this device").waitFor();
    expect(await page.evaluate(() => (window as any).__subscribeKey)).toBe(true);
    await page.getByRole("button", { name: "Turn off push notifications on this device" }).waitFor();
    // A person with the app open hears a message there, not by push: Ada closes the tab first.
    await page.context().close();

    const grace = apiAs(server.url, await sessionToken(server.url, (await admin<{ token: string }>(dir, "magic-link", "create", "--email", "grace@example.com")).token));
    const general = (await grace.get(`/api/workspaces/${workspaceId}/channels`)).channels.find((c: { name: string }) => c.name === "general");
    await until(async () => (await grace.get<{ presence: { user_id: string }[] }>(`/api/workspaces/${workspaceId}/presence`)).presence.length === 0, 10_000, "Ada to leave (Grace has no socket)");
    await grace.post(`/api/channels/${general.id}/messages`, { body: "pushed all the way to Ada's device" });
    const got = await push.until((r) => r.some((x) => x.id === device.id), 30_000);
    const payload = JSON.parse(got.find((x) => x.id === device.id)!.payload);
    expect(payload).toMatchObject({ title: "Grace Hopper in #general", body: "pushed all the way to Ada's device", workspace_id: workspaceId, channel_id: general.id });
    expect(push.errors).toEqual([]);

    // Back in the app (a fresh context: the service worker registers again, and the browser still
    // holds the same subscription), then off: the server forgets the device.
    const again = await openApp(`
      const json = ${JSON.stringify(device.json)};
      let current = { endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => { current = null; return true; } };
      PushManager.prototype.getSubscription = async function () { return current; };`);
    await again.getByRole("button", { name: "Turn on push notifications on this device" }).click();
    await again.getByText("Push notifications are on for this device").waitFor();
    await again.getByRole("button", { name: "Turn off push notifications on this device" }).click();
    await again.getByText("Push notifications are off for this device").waitFor();
    await again.context().close();
  });
});
