// The sign-in page offers what the server offers: "Sign in with <provider>" for OpenID Connect
// (against the local provider stand-in) and the password form with --password-auth.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { FakeOidc } from "../../src/testing/fake-oidc.ts";
import { admin, cleanup, clickclack, ensureBinary, ROOT, hasChromium, launchBrowser, serve, type ServerProcess, tempDir } from "./support.ts";

setDefaultTimeout(120_000);

describe.skipIf(!hasChromium)("sign-in page: OIDC and passwords", () => {
  const provider = new FakeOidc();
  let dir: string;
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    ensureBinary();
    await provider.start();
    dir = tempDir("sign-in");
    await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
    const set = Bun.spawn([...clickclack(), "admin", "user", "set-password", "--email", "ada@example.com", "--data", dir], { cwd: ROOT, stdin: new Blob(["ada's long password\n"]), stdout: "ignore", stderr: "inherit" });
    expect(await set.exited).toBe(0);
    server = await serve({ args: ["--data", dir, "--password-auth", ...provider.flags({ allowedDomains: "example.com" })] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await provider.stop();
    cleanup(dir);
  });

  test("the OIDC button signs a new person in through the provider", async () => {
    provider.signedIn = { sub: "g-1", email: "grace@example.com", name: "Grace Hopper", email_verified: true };
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/app/login`);
    await page.getByRole("link", { name: "Sign in with Fake SSO" }).click();
    await page.waitForURL(`${server.url}/app**`);
    await page.getByRole("heading", { name: "general", exact: true }).waitFor();
    expect((await ctx.cookies()).some((c) => c.name === "cc_session" && c.httpOnly)).toBe(true);
    await ctx.close();
  });

  test("the password form signs in; a wrong password says so", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/app/login`);
    await page.getByLabel("Email or handle").fill("ada@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("Wrong email, handle or password.").waitFor();
    await page.getByLabel("Password").fill("ada's long password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "general", exact: true }).waitFor();
    await ctx.close();
  });
});
