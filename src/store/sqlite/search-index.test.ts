// Search indexing after the write (0011_search_deferred): the post's commit holds its document,
// the FTS rows follow from a durable position; edits and deletes before or after indexing leave
// the index exact, and what a crash left pending is indexed at the next open.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseQuery } from "../../search/query.ts";
import { openSqliteStore, type SqliteStore } from "./index.ts";

const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function openAt(path: string) {
  const s = openSqliteStore(path);
  open.push(s);
  return s;
}

async function team(store: SqliteStore) {
  const ada = await store.users.create({ kind: "human", displayName: "Ada", handle: "ada" });
  const { workspace, channels } = await store.workspaces.create({ name: "Team", ownerId: ada.id });
  const scope = { kind: "channel" as const, id: channels[0]!.id, workspaceId: workspace.id };
  const post = async (body: string) => (await store.messages.post({ scope, authorId: ada.id, body })).message.id;
  const find = async (q: string) =>
    (await store.search.search({ workspaceId: workspace.id, viewerId: ada.id, query: parseQuery(q), sort: "recent", limit: 20, includeDms: true, guestOnly: false, after: null })).hits.map((h) => h.message.id);
  return { ada, post, find };
}

const count = (s: SqliteStore, table: string, word: string) => (s.raw.query(`SELECT count(*) AS n FROM ${table} WHERE ${table} MATCH ?`).get(`"${word}"`) as { n: number }).n;
const position = (s: SqliteStore) => (s.raw.query("SELECT indexed_docid AS n FROM message_search_position").get() as { n: number }).n;
function integrity(s: SqliteStore) {
  s.raw.exec("INSERT INTO message_search(message_search, rank) VALUES('integrity-check', 0)");
  s.raw.exec("INSERT INTO message_search_trigram(message_search_trigram, rank) VALUES('integrity-check', 0)");
}

describe("search indexing after the write", () => {
  test("a post commits its document; the FTS rows follow; a search indexes what is pending first", async () => {
    const s = openAt(join(mkdtempSync(join(tmpdir(), "search-index-")), "db.sqlite"));
    const t = await team(s);
    const id = await t.post("quokka sighting near the dock");
    expect((s.raw.query("SELECT count(*) AS n FROM message_search_docs WHERE message_id = ?").get(id) as { n: number }).n).toBe(1);
    expect(count(s, "message_search", "quokka")).toBe(0);
    expect(await t.find("quokka")).toEqual([id]);
    expect(count(s, "message_search", "quokka")).toBe(1);
    expect(count(s, "message_search_trigram", "okka")).toBe(1);
    integrity(s);
  });

  test("the background pass indexes without a search", async () => {
    const s = openAt(join(mkdtempSync(join(tmpdir(), "search-index-")), "db.sqlite"));
    const t = await team(s);
    await t.post("wallaby crossing");
    for (let i = 0; i < 100 && s.searchIndex.pending(); i++) await Bun.sleep(20);
    expect(s.searchIndex.pending()).toBe(false);
    expect(count(s, "message_search", "wallaby")).toBe(1);
  });

  test("edits and deletes before and after indexing leave the index exact", async () => {
    const s = openAt(join(mkdtempSync(join(tmpdir(), "search-index-")), "db.sqlite"));
    const t = await team(s);
    const early = await t.post("numbat first draft");
    const gone = await t.post("bilby to be deleted");
    // Before indexing: the edit and the delete change only the message.
    await s.messages.edit(early, "numbat final wording", t.ada.id);
    await s.messages.remove(gone, t.ada.id);
    expect(await t.find("draft")).toEqual([]);
    expect(await t.find("wording")).toEqual([early]);
    expect(await t.find("bilby")).toEqual([]);
    // After indexing: the triggers keep the FTS rows in step, as before.
    await s.messages.edit(early, "numbat third take", t.ada.id);
    expect(await t.find("wording")).toEqual([]);
    expect(await t.find("third")).toEqual([early]);
    await s.messages.remove(early, t.ada.id);
    expect(await t.find("numbat")).toEqual([]);
    integrity(s);
  });

  test("a new message after the newest indexed one was deleted is still indexed (docids stay above the position)", async () => {
    const s = openAt(join(mkdtempSync(join(tmpdir(), "search-index-")), "db.sqlite"));
    const t = await team(s);
    const a = await t.post("echidna one");
    await t.find("echidna");
    const indexed = position(s);
    await s.messages.remove(a, t.ada.id);
    const b = await t.post("echidna two");
    const docid = (s.raw.query("SELECT docid FROM message_search_docs WHERE message_id = ?").get(b) as { docid: number }).docid;
    expect(docid).toBeGreaterThan(indexed);
    expect(await t.find("echidna")).toEqual([b]);
    integrity(s);
  });

  test("what was pending when the process stopped is indexed at the next open", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "search-index-")), "db.sqlite");
    const first = openSqliteStore(path);
    const t = await team(first);
    const ids = [await t.post("platypus alpha"), await t.post("platypus beta")];
    // Closed before the background pass ran (as a kill -9 would leave it): documents, no FTS rows.
    await first.close();
    const again = openAt(path);
    expect(again.searchIndex.pending()).toBe(true);
    for (let i = 0; i < 100 && again.searchIndex.pending(); i++) await Bun.sleep(20);
    expect(again.searchIndex.pending()).toBe(false);
    expect(count(again, "message_search", "platypus")).toBe(2);
    expect(ids.length).toBe(2);
    integrity(again);
  });
});
