// Workspace administration in the browser: the audit log (human-readable, paged), deleting a
// channel after its preview, handing the workspace over and deleting one after seeing what goes.
// Desktop and phone, axe-clean, with screenshots in artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { violations } from "./axe.ts";
import { type Api, hasChromium, screenshot, startTeam, type Team, until } from "./support.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("browser app: workspace administration", () => {
  let team: Team;
  let apiA: Api;
  let workspaceId: string;

  beforeAll(async () => {
    team = await startTeam("admin");
    ({ apiA, workspaceId } = team);
  }, 120_000);
  afterAll(async () => {
    await team?.stop();
  });

  async function workspaceSettings(page: Page, phone = false) {
    if (phone) await page.getByRole("button", { name: "Open the sidebar" }).click();
    await page.locator(".ws-current").click();
    await page.getByRole("menuitem", { name: "Workspace settings" }).click();
    return page.getByRole("dialog", { name: "Workspace settings" });
  }

  test("the audit log reads as sentences; a channel is deleted after its preview", async () => {
    const doomed = (await apiA.post(`/api/workspaces/${workspaceId}/channels`, { name: "doomed" })).channel;
    await apiA.patch(`/api/channels/${doomed.id}`, { archived: true });
    await apiA.patch(`/api/channels/${doomed.id}`, { archived: false });
    await apiA.post(`/api/channels/${doomed.id}/messages`, { body: "soon gone" });
    const ada = await team.open("ada@example.com");
    const problems: string[] = [];

    const settings = await workspaceSettings(ada);
    await settings.getByRole("heading", { name: "Transfer ownership" }).waitFor();
    problems.push(...(await violations(ada)));
    await screenshot(ada, "workspace-settings");
    await settings.getByRole("button", { name: "Open the audit log" }).click();
    const log = ada.getByRole("dialog", { name: "Audit log" });
    await log.getByText("Ada Lovelace created #doomed").waitFor();
    await log.getByText("Ada Lovelace archived #doomed").waitFor();
    await log.getByText("An operator (admin command) added Grace Hopper as member").waitFor();
    problems.push(...(await violations(ada)));
    await screenshot(ada, "audit-log");
    await ada.keyboard.press("Escape");

    await ada.getByRole("link", { name: /#doomed/ }).click();
    await ada.getByRole("button", { name: "Channel settings" }).click();
    await ada.getByRole("dialog", { name: "#doomed settings" }).getByRole("button", { name: "Delete…" }).click();
    const confirm = ada.getByRole("dialog", { name: "Delete #doomed?" });
    await confirm.getByText("1 message, 0 replies among them").waitFor();
    problems.push(...(await violations(ada)));
    await screenshot(ada, "delete-channel");
    await confirm.getByRole("button", { name: "Delete channel" }).click();
    await ada.getByText("#doomed deleted").waitFor();
    expect((await apiA.get(`/api/workspaces/${workspaceId}/channels`)).channels.map((c: { name: string }) => c.name)).not.toContain("doomed");

    // The last public channel: the preview says why, and offers no delete.
    await ada.getByRole("link", { name: /#general/ }).click();
    await ada.getByRole("button", { name: "Channel settings" }).click();
    await ada.getByRole("dialog", { name: "#general settings" }).getByRole("button", { name: "Delete…" }).click();
    const last = ada.getByRole("dialog", { name: "Delete #general?" });
    await last.getByText("This is the last public channel: a workspace keeps at least one.").waitFor();
    expect(await last.getByRole("button", { name: "Delete channel" }).count()).toBe(0);
    await ada.keyboard.press("Escape");
    await ada.close();
    expect(problems).toEqual([]);
  });

  test("phone: workspace settings and the audit log fit, axe-clean", async () => {
    const problems: string[] = [];
    for (const dark of [false, true]) {
      const page = await team.open("ada@example.com", { width: 390, height: 844, phone: true, dark });
      const suffix = dark ? "phone-dark" : "phone";
      const settings = await workspaceSettings(page, true);
      await settings.getByRole("heading", { name: "Delete workspace" }).waitFor();
      problems.push(...(await violations(page)).map((v) => `[settings ${suffix}] ${v}`));
      await screenshot(page, `workspace-settings-${suffix}`);
      await settings.getByRole("button", { name: "Open the audit log" }).click();
      await page.getByRole("dialog", { name: "Audit log" }).getByText(/created #doomed/).waitFor();
      problems.push(...(await violations(page)).map((v) => `[audit ${suffix}] ${v}`));
      await screenshot(page, `audit-log-${suffix}`);
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  test("a workspace is deleted after its preview; ownership passes to a member", async () => {
    const scratch = (await apiA.post("/api/workspaces", { name: "Scratch" })).workspace;
    const ada = await team.open("ada@example.com");
    await ada.locator(".ws-current").click();
    await ada.getByRole("menuitemradio", { name: "Scratch" }).click();
    await ada.locator(".ws-name", { hasText: "Scratch" }).waitFor();
    const settings = await workspaceSettings(ada);
    await settings.getByRole("button", { name: "Delete workspace…" }).click();
    await settings.getByText("Deleting Scratch cannot be undone. Going with it:").waitFor();
    await settings.getByText("2 channels and 0 messages").waitFor();
    await screenshot(ada, "delete-workspace");
    await settings.getByRole("button", { name: "Delete Scratch for good" }).click();
    await ada.getByText("Scratch was deleted").waitFor();
    expect(await apiA.get(`/api/workspaces/${scratch.id}`).catch((e: { status: number }) => e.status)).toBe(404);
    await ada.locator(".ws-name", { hasText: "Acme" }).waitFor();

    // Hand Acme to Grace: Ada stays on as a moderator.
    const again = await workspaceSettings(ada);
    await again.getByRole("combobox", { name: "New owner" }).selectOption({ label: "Grace Hopper (@grace, member)" });
    await again.getByRole("button", { name: "Transfer ownership…" }).click();
    await again.getByText("Grace Hopper will own the workspace and can remove you. Transfer it?").waitFor();
    // Asking is not doing: nothing changed yet.
    expect((await apiA.get(`/api/workspaces/${workspaceId}`)).workspace.role).toBe("owner");
    await again.getByRole("button", { name: "Transfer to Grace Hopper" }).click();
    await ada.getByText("Grace Hopper owns the workspace now; you are a moderator").waitFor();
    await until(async () => (await apiA.get(`/api/workspaces/${workspaceId}`)).workspace.role === "moderator", 10_000, "ada is a moderator");
    // A moderator still reads the log, and sees the handover in it.
    const after = await workspaceSettings(ada);
    await after.getByText("Only the owner can hand the workspace over or delete it.").waitFor();
    await after.getByRole("button", { name: "Open the audit log" }).click();
    await ada.getByRole("dialog", { name: "Audit log" }).getByText("Ada Lovelace handed the workspace to Grace Hopper").waitFor();
    await ada.close();
  });
});
