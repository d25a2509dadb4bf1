import { expect, test } from "bun:test";
import type { StoredEvent } from "../../chat/types.ts";
import { commitHints } from "./commit-hints.ts";

const event = (workspace: string, cursor: string) => ({ workspace_id: workspace, cursor }) as StoredEvent;

test("one hint per batch with the last cursor of each workspace, split only to stay under NOTIFY's limit", () => {
  expect(commitHints([])).toEqual([]);
  const one = commitHints([event("wsp_a", "cur_1"), event("wsp_b", "cur_2"), event("wsp_a", "cur_3")]);
  expect(one.map((p) => JSON.parse(p))).toEqual([{ k: "commit", w: [["wsp_a", "cur_3"], ["wsp_b", "cur_2"]] }]);

  // A batch across 500 workspaces: several payloads, each under the limit, covering all of them.
  const many = Array.from({ length: 500 }, (_, i) => event(`wsp_${String(i).padStart(26, "0")}`, `cur_${String(i).padStart(26, "0")}`));
  const payloads = commitHints(many);
  expect(payloads.length).toBeGreaterThan(1);
  for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000); // NOTIFY refuses 8000 bytes and more
  expect(payloads.flatMap((p) => JSON.parse(p).w.map((e: string[]) => e[0])).length).toBe(500);
});
