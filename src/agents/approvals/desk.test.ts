// The approval desk without a chat: answers, "always", expiry, and its token check.
import { describe, expect, test } from "bun:test";
import { ApprovalDesk, parseAnswer } from "./desk.ts";

describe("approval desk", () => {
  test("parses answers; allow, always (remembered per tool), deny, expiry; a wrong token is refused", async () => {
    expect(["allow", "@claude Allow!", "yes", "always", "deny", "no", "allow it"].map(parseAnswer)).toEqual(["allow", "allow", "allow", "always", "deny", "deny", null]);
    const said: string[] = [];
    const desk = new ApprovalDesk({ ask: async (_k, q) => void said.push(q), settle: async (_k, n) => void said.push(n) }, 300);
    desk.start();
    const gate = desk.open("thread-1");
    const ask = (tool: string, token = gate.token) =>
      fetch(desk.url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ tool_name: tool, input: { command: "ls" } }) });
    try {
      expect((await ask("Bash", "wrong")).status).toBe(403);
      const first = ask("Bash");
      while (said.length === 0) await Bun.sleep(10);
      expect(desk.answer("thread-2", "allow", "ada")).toBe(false);
      expect(desk.answer("thread-1", "always", "ada")).toBe(true);
      expect(await (await first).json()).toEqual({ behavior: "allow", updatedInput: { command: "ls" } });
      expect(await (await ask("Bash")).json()).toMatchObject({ behavior: "allow" }); // remembered, not asked
      const expired = await (await ask("Write")).json();
      expect(expired).toMatchObject({ behavior: "deny" });
      expect(said.at(-1)).toContain("No answer");
    } finally {
      gate.close();
      desk.stop();
    }
  });
});
