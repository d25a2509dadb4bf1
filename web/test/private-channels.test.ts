// Private channels in the browser: made with the Private toggle, marked with a lock in the sidebar
// and the header, invisible to people outside them (sidebar, browser, links), and a member list
// where the people in it add and remove others — each change reaching the other person's open
// app live. Desktop and phone, light and dark, with an axe check of the new screens.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hasChromium, screenshot, startTeam, type Team, until } from "./support.ts";
import { violations } from "./axe.ts";

setDefaultTimeout(90_000);

describe.skipIf(!hasChromium)("browser app: private channels", () => {
  let team: Team;

  beforeAll(async () => {
    team = await startTeam("private");
  }, 120_000);

  afterAll(async () => {
    await team?.stop();
  });

  test("create with the Private toggle; a lock marks it; outsiders do not see it until added, and lose it when removed", async () => {
    const ada = await team.open("ada@example.com");
    const grace = await team.open("grace@example.com");
    await ada.getByRole("button", { name: "Browse channels" }).click();
    await ada.getByRole("dialog", { name: "Browse channels" }).getByRole("button", { name: "Create a channel" }).click();
    const create = ada.getByRole("dialog", { name: "Create a channel" });
    await create.getByRole("textbox", { name: "Name" }).fill("Board Room");
    await create.getByRole("checkbox", { name: "Private" }).check();
    await screenshot(ada, "private-channel-create");
    expect(await violations(ada)).toEqual([]);
    await create.getByRole("button", { name: "Create channel" }).click();
    await ada.getByRole("heading", { name: /^board-room\W+private channel$/ }).waitFor();
    await ada.getByRole("link", { name: /board-room, private channel/ }).waitFor();
    await ada.getByRole("textbox", { name: /^Message / }).fill("The numbers for Q3");
    await ada.keyboard.press("Enter");
    await ada.locator("[data-message-id]", { hasText: "The numbers for Q3" }).waitFor();
    const link = ada.url();

    // Grace sees nothing of it: not in the sidebar, not in the browser, not by its link.
    await grace.getByRole("link", { name: /#general/ }).waitFor();
    expect(await grace.getByRole("link", { name: /board-room/ }).count()).toBe(0);
    await grace.getByRole("button", { name: "Browse channels" }).click();
    await grace.getByRole("dialog", { name: "Browse channels" }).getByRole("button", { name: /^#general/ }).waitFor();
    expect(await grace.getByRole("dialog", { name: "Browse channels" }).getByRole("button", { name: /board-room/ }).count()).toBe(0);
    await grace.keyboard.press("Escape");
    const outsider = await team.open("grace@example.com");
    await outsider.goto(link);
    await outsider.getByText("This conversation does not exist, or you are not a member of it.").waitFor();
    await outsider.close();

    // Ada adds her from the member list; Grace's open app shows it at once.
    await ada.getByRole("button", { name: "Members of this private channel" }).click();
    const members = ada.getByRole("dialog", { name: "Members of #board-room" });
    await members.getByText("@ada").first().waitFor();
    await members.getByRole("searchbox", { name: "Add people" }).fill("grace");
    await members.getByRole("button", { name: "Add Grace Hopper" }).click();
    await members.getByRole("button", { name: "Remove Grace Hopper" }).waitFor();
    await screenshot(ada, "private-channel-members");
    expect(await violations(ada)).toEqual([]);
    await grace.getByRole("link", { name: /board-room, private channel/ }).click();
    await grace.locator("[data-message-id]", { hasText: "The numbers for Q3" }).waitFor();

    // Removed again: it leaves her sidebar, and the page she has open says it is out of reach.
    await members.getByRole("button", { name: "Remove Grace Hopper" }).click();
    await members.getByRole("searchbox", { name: "Add people" }).waitFor();
    await until(async () => (await grace.getByRole("link", { name: /board-room/ }).count()) === 0);
    await grace.getByText("This conversation does not exist, or you are not a member of it.").waitFor();
    await ada.keyboard.press("Escape");
    // The settings say it is private and lead to the same member list.
    await ada.getByRole("button", { name: "Channel settings" }).click();
    const settings = ada.getByRole("dialog", { name: "#board-room settings" });
    await settings.getByText("Private: only its members see it").waitFor();
    await settings.getByRole("button", { name: "Members" }).click();
    await members.getByText("@ada").first().waitFor();
    await ada.keyboard.press("Escape");
    await grace.close();
    await ada.close();
  });

  test("phone, light and dark: the lock in the sidebar and header, and the member list", async () => {
    for (const dark of [false, true]) {
      const page = await team.open("ada@example.com", { width: 390, height: 844, phone: true, dark });
      const suffix = dark ? "phone-dark" : "phone";
      await page.getByRole("button", { name: "Open the sidebar" }).click();
      await page.getByRole("link", { name: /board-room, private channel/ }).click();
      await page.getByRole("heading", { name: /^board-room\W+private channel$/ }).waitFor();
      await screenshot(page, `private-channel-${suffix}`);
      await page.getByRole("button", { name: "Members of this private channel" }).click();
      await page.getByRole("dialog", { name: "Members of #board-room" }).getByText("@ada").first().waitFor();
      await screenshot(page, `private-channel-members-${suffix}`);
      expect(await violations(page)).toEqual([]);
      await page.close();
    }
  });
});

