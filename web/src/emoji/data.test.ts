import { expect, test } from "bun:test";
import { loadEmoji, searchEmoji, shortcodeAt } from "./data.ts";

test("the full set loads with shortcodes, and search ranks a shortcode over a word", async () => {
  const set = await loadEmoji();
  expect(set.list.length).toBeGreaterThan(1800);
  expect(set.byShortcode.get("+1")?.char).toBe("👍");
  expect(set.byShortcode.get("heart")?.char).toBe("❤️");
  expect(set.byShortcode.get("tada")?.char).toBe("🎉");
  expect(searchEmoji(set, "tada")[0]!.char).toBe("🎉");
  expect(searchEmoji(set, "rocket")[0]!.char).toBe("🚀");
  expect(set.groups.map((g) => g.name)).toContain("smileys & emotion");
  expect(set.list.some((e) => e.label.includes("skin tone") && e.group === 2)).toBe(false);
});

test("a shortcode being typed is found before the caret, not inside a word or a time", () => {
  expect(shortcodeAt("nice :ta", 8)).toEqual({ query: "ta", start: 5 });
  expect(shortcodeAt(":smile", 6)).toEqual({ query: "smile", start: 0 });
  expect(shortcodeAt("at 10:30", 8)).toBeNull();
  expect(shortcodeAt("nice :t", 7)).toBeNull();
});
