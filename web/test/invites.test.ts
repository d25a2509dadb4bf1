// Invites in the browser: an owner makes a link on the Invites screen, a new person opens it in a
// fresh browser context, picks a name and lands in the workspace; the owner sees the use counted.
// A link from `clickclack admin invite create` works the same, and a used-up link says so.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { admin, hasChromium, screenshot, startTeam, type Team } from "./support.ts";

setDefaultTimeout(120_000);

describe.skipIf(!hasChromium)("invites", () => {
  let team: Team;
  beforeAll(async () => {
    team = await startTeam("invites");
  });
  afterAll(() => team?.stop());

  test("an owner creates a link on the Invites screen; a new person opens it in a fresh browser and joins", async () => {
    const page = await team.open("ada@example.com");
    await page.getByRole("button", { name: "People" }).click();
    await page.getByRole("button", { name: "Invite people" }).click();
    const dialog = page.getByRole("dialog", { name: "Invites" });
    await dialog.getByLabel("Uses").fill("2");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const url = await dialog.getByLabel("New invite link (shown once)").inputValue();
    expect(url).toMatch(/\/app\/invite#token=inv_/);
    await dialog.getByText("2 of 2 left").waitFor();
    await screenshot(page, "invites-dialog");

    const fresh = await team.browser.newContext();
    const guestPage = await fresh.newPage();
    await guestPage.goto(url);
    await guestPage.getByRole("heading", { name: "Join Acme" }).waitFor();
    await screenshot(guestPage, "invite-accept");
    await guestPage.getByLabel("Your name").fill("Nia Newcomer");
    await guestPage.getByRole("button", { name: "Join Acme" }).click();
    await guestPage.getByRole("heading", { name: "general", exact: true }).waitFor();
    expect((await fresh.cookies()).some((c) => c.name === "cc_session" && c.httpOnly)).toBe(true);
    await fresh.close();

    // The owner's list counts the use; revoking ends the link.
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "People" }).click();
    await page.getByRole("button", { name: "Invite people" }).click();
    const again = page.getByRole("dialog", { name: "Invites" });
    await again.getByText("1 of 2 left").waitFor();
    await again.getByRole("button", { name: /^Revoke invite/ }).click();
    await again.getByText("Member link · Revoked").waitFor();
    const late = await team.browser.newContext();
    const latePage = await late.newPage();
    await latePage.goto(url);
    await latePage.getByText("This invite link was revoked.").waitFor();
    await late.close();
  });

  test("a link from `admin invite create` joins one person; the next sees that it is used up", async () => {
    const made = await admin<{ url: string; invite: { max_uses: number } }>(team.dir, "invite", "create", "--workspace", team.workspaceId, "--max-uses", "1", "--role", "guest", "--public-url", team.server.url);
    expect(made.invite.max_uses).toBe(1);
    expect(made.url.startsWith(`${team.server.url}/app/invite#token=inv_`)).toBe(true);
    const first = await team.browser.newContext();
    const p1 = await first.newPage();
    await p1.goto(made.url);
    await p1.getByText("You are invited as a guest").waitFor();
    await p1.getByLabel("Your name").fill("Gus Guest");
    await p1.getByRole("button", { name: "Join Acme" }).click();
    await p1.getByRole("heading", { name: "guest", exact: true }).waitFor();
    await first.close();
    const second = await team.browser.newContext();
    const p2 = await second.newPage();
    await p2.goto(made.url);
    await p2.getByText("This invite link has been used as many times as it allows.").waitFor();
    await screenshot(p2, "invite-used-up");
    await second.close();
  });
});

describe.skipIf(!hasChromium)("invites with mail delivery", () => {
  test("a new person enters their email; the mailed link signs them in and joins them", async () => {
    const { startFakeSmtp } = await import("../../src/testing/fake-smtp.ts");
    const { cleanup, launchBrowser, serve, tempDir } = await import("./support.ts");
    const smtp = await startFakeSmtp();
    const dir = tempDir("invites-mail");
    const boot = await admin(dir, "bootstrap", "--name", "Ada Lovelace", "--email", "ada@example.com", "--workspace", "Acme");
    const server = await serve({ args: ["--data", dir, "--smtp-url", smtp.url] });
    const browser = await launchBrowser();
    try {
      const made = await admin<{ url: string }>(dir, "invite", "create", "--workspace", boot.workspace.id, "--public-url", server.url);
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(made.url);
      await page.getByRole("heading", { name: "Join Acme" }).waitFor();
      await page.getByLabel("Your email").fill("mo@example.com");
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByText("Check mo@example.com for a link").waitFor();
      const mail = await smtp.mailTo("mo@example.com", 10_000);
      const link = /(http:\/\/\S+\/app\/invite#token=\S+&magic=\S+)/.exec(mail.text)![1]!;
      const fresh = await ctx.newPage();
      await fresh.goto(link);
      await fresh.getByRole("heading", { name: "general", exact: true }).waitFor();
      // The single-use sign-in token left the address bar.
      expect(fresh.url()).not.toContain("magic=");
      await ctx.close();
    } finally {
      await browser.close();
      await server.stop();
      await smtp.close();
      cleanup(dir);
    }
  });
});
