// Team profiles: the file is validated strictly, a profile binds what a run may do, and a
// gateway key listed in the file is held to its profiles.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentError } from "./errors.ts";
import { applyProfile, getProfile, loadProfiles, profileForKey } from "./profiles.ts";

const dir = mkdtempSync(join(tmpdir(), "cc-profiles-"));
mkdirSync(join(dir, "shared"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(doc: unknown): string {
  const path = join(dir, `p-${crypto.randomUUID()}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const kind = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AgentError).kind;
  }
  return "ok";
};

const doc = {
  profiles: {
    backend: { backend: "claude", model: "sonnet", approval: "auto", sandbox: "workspace", allowed_tools: ["Read", "Edit"], denied_tools: ["Bash(rm:*)"], mcp_servers: { docs: { command: "docs-mcp" } }, add_dirs: ["shared"], max_budget_usd: 2 },
    review: { backend: "claude", sandbox: "read-only", approval: "ask" },
  },
  keys: { "key-aaaaaaaaaaaa": ["review", "backend"] },
  channels: { "backend-team": "backend" },
};

describe("team profiles", () => {
  test("load: relative directories resolve against the file; typos and dangling names are refused", () => {
    const p = loadProfiles(file(doc));
    expect(getProfile(p, "backend")).toMatchObject({ addDirs: [join(dir, "shared")], maxBudgetUsd: 2, disallowedTools: ["Bash(rm:*)"] });
    expect(p.channels.get("backend-team")).toBe("backend");
    expect(kind(() => loadProfiles(file({ profiles: { x: { backnd: "claude" } } })))).toBe("config");
    expect(kind(() => loadProfiles(file({ profiles: {}, keys: { k: ["nope"] } })))).toBe("config");
    expect(kind(() => loadProfiles(file({ profiles: { x: { add_dirs: ["missing"] } } })))).toBe("config");
    expect(kind(() => getProfile(p, "nope"))).toBe("usage");
  });

  test("a profile binds: stricter modes are fine, looser ones and another backend are refused", () => {
    const p = getProfile(loadProfiles(file(doc)), "backend");
    const run = applyProfile({ prompt: "x", approval: "ask" }, p);
    expect(run).toMatchObject({ backend: "claude", model: "sonnet", approval: "ask", sandbox: "workspace", allowedTools: ["Read", "Edit"], maxBudgetUsd: 2, profile: "backend" });
    expect(kind(() => applyProfile({ prompt: "x", approval: "never-ask" }, p))).toBe("usage");
    expect(kind(() => applyProfile({ prompt: "x", sandbox: "full" }, p))).toBe("usage");
    expect(kind(() => applyProfile({ prompt: "x", backend: "codex" }, p))).toBe("usage");
  });

  test("a listed key is held to its profiles, first by default; others may choose; admin may use any", () => {
    const p = loadProfiles(file(doc));
    expect(profileForKey(p, "key-aaaaaaaaaaaa", false, undefined)?.name).toBe("review");
    expect(profileForKey(p, "key-aaaaaaaaaaaa", false, "backend")?.name).toBe("backend");
    expect(profileForKey(p, "key-bbbbbbbbbbbb", false, undefined)).toBeNull();
    expect(profileForKey(p, "key-bbbbbbbbbbbb", false, "backend")?.name).toBe("backend");
    const pinned = loadProfiles(file({ ...doc, keys: { "key-aaaaaaaaaaaa": ["review"] } }));
    expect(kind(() => profileForKey(pinned, "key-aaaaaaaaaaaa", false, "backend"))).toBe("usage");
    expect(profileForKey(pinned, "key-aaaaaaaaaaaa", true, "backend")?.name).toBe("backend");
  });
});
