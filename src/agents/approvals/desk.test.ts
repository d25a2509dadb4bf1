// The approval desk without a chat: answers, "always", expiry, and its token check.
import { describe, expect, test } from "bun:test";
import { answerFromCard, approvalCard, ApprovalDesk, cardLabel, parseAnswer } from "./desk.ts";

describe("approval desk", () => {
  test("parses answers; allow, always (remembered per tool), deny, expiry; a wrong token is refused", async () => {
    expect(["allow", "@claude Allow!", "yes", "always", "deny", "no", "allow it"].map(parseAnswer)).toEqual(["allow", "allow", "allow", "always", "deny", "deny", null]);
    const said: string[] = [];
    const desk = new ApprovalDesk({ ask: async (_k, q) => void said.push(q.text), settle: async (_k, o) => void said.push(o.note) }, 300);
    desk.start();
    const gate = desk.open("thread-1");
    const ask = (tool: string, token = gate.token) =>
      fetch(desk.url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ tool_name: tool, input: { command: "ls" } }) });
    try {
      expect((await ask("Bash", "wrong")).status).toBe(403);
      const first = ask("Bash");
      while (said.length === 0) await Bun.sleep(10);
      expect(desk.answer("thread-2", "allow", "ada")).toBe(false);
      expect(desk.choose("thread-1", "always", "ada")).toBe(true);
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

  test("the card: allow once / always / deny for the turn's person, never expiring sooner than the server allows", () => {
    const card = approvalCard({ tool_name: "Bash", input: { command: "rm -rf build/" } }, 4000, ["usr_ada"], 0);
    expect(card.items[0]!.options.map((o) => o.label)).toEqual(["Allow once", "Always allow", "Deny"]);
    expect(card.items[0]!.prompt).toContain("`Bash` `rm -rf build/`");
    expect(card.responder_user_ids).toEqual(["usr_ada"]);
    expect(Date.parse(card.expires_at)).toBeGreaterThanOrEqual(10_000);
    expect(["Allow once", "Always allow", "Deny", "Maybe"].map((l) => answerFromCard({ approval: [l] }))).toEqual(["allow", "always", "deny", null]);
    expect(answerFromCard(null)).toBeNull();
    expect(cardLabel("deny")).toBe("Deny");
  });
});
