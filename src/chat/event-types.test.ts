// GET /api/event-types must list exactly what the server emits: a bot subscribes by these names
// and an event subscription refuses an unknown one. This walks the source of every event
// builder (src/chat/events.ts and the other builders in src/chat) and of every place that
// makes an ephemeral event, and fails when a type is emitted but not listed, or listed but
// never emitted.
import { expect, test } from "bun:test";
import { Glob } from "bun";
import { join } from "node:path";
import { client, startTestServer } from "../testing/harness.ts";
import { DURABLE_EVENT_TYPES, HEARD_EPHEMERAL_EVENT_TYPES } from "./types.ts";

const SRC = join(import.meta.dir, "..");
const TYPE = /^[a-z_]+\.[a-z_]+$/;

async function sourceOf(pattern: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for await (const file of new Glob(pattern).scan(SRC)) if (!file.endsWith(".test.ts")) out.push({ file, text: await Bun.file(join(SRC, file)).text() });
  return out;
}

/** Every event-type-shaped string literal a builder returns (`type: "x.y"`, `about(…, "x.y", …)`, `cond ? "x.y" : "z.w"`). */
function literals(text: string): string[] {
  return [...text.matchAll(/"([^"\n]+)"/g)].map((m) => m[1]!).filter((s) => TYPE.test(s));
}

test("every durable type a builder emits is listed, and every listed type is emitted", async () => {
  // The durable builders: src/chat/events.ts and the others in the domain (mentions, questions…),
  // i.e. every module in src/chat that returns a NewEvent.
  const builders = (await sourceOf("chat/*.ts")).filter((f) => /NewEvent\b/.test(f.text) && f.file !== "chat/types.ts");
  expect(builders.map((b) => b.file)).toContain("chat/events.ts");
  const emitted = new Set(builders.flatMap((b) => [...b.text.matchAll(/export function \w+\([^)]*\)[^{]*NewEvent[^{]*\{([\s\S]*?)\n\}/g)].flatMap((m) => literals(m[1]!))));
  const listed = new Set<string>(DURABLE_EVENT_TYPES);
  expect([...emitted].filter((t) => !listed.has(t)).sort()).toEqual([]);
  expect([...listed].filter((t) => !emitted.has(t)).sort()).toEqual([]);
});

test("every ephemeral type the server makes is listed", async () => {
  // Ephemeral events are made where an `eph_` id is minted; their type is a literal beside it or a client's (validated) choice.
  const makers = (await sourceOf("**/*.ts")).filter((f) => f.text.includes('newId("eph")'));
  const made = new Set(makers.flatMap((m) => [...m.text.matchAll(/type:\s*"([a-z_]+\.[a-z_]+)"/g)].map((x) => x[1]!)));
  expect(made.size).toBeGreaterThan(0);
  expect([...made].filter((t) => !HEARD_EPHEMERAL_EVENT_TYPES.includes(t))).toEqual([]);
});

test("GET /api/event-types answers both lists", async () => {
  const server = await startTestServer();
  try {
    const team = await server.store.users.create({ kind: "human", displayName: "Eve", handle: "eve-types" });
    const r = await client(server.url, { userId: team.id }).get("/api/event-types");
    expect(r.body).toEqual({ event_types: [...DURABLE_EVENT_TYPES], ephemeral_event_types: [...HEARD_EPHEMERAL_EVENT_TYPES] });
    expect(r.body.event_types).toContain("workspace.ownership_transferred");
    expect(r.body.ephemeral_event_types).toContain("command.response");
  } finally {
    await server.close();
  }
});
