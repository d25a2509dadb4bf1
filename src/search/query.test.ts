// The query parser and the snippet builder, without a server.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { parseQuery } from "./query.ts";
import { snippet } from "./snippet.ts";

describe("parseQuery", () => {
  test("short terms are word prefixes, longer ones trigram substrings, phrases exact", () => {
    const q = parseQuery('go ploy "release notes" deploy');
    expect(q.wordMatch).toBe('"go"* AND "release notes"');
    expect(q.trigramMatch).toBe('"ploy" AND "deploy"');
    expect(q.scan).toEqual([]);
    expect(q.empty).toBe(false);
  });

  test("unspaced scripts go to the trigram index, or to a scan below 3 characters", () => {
    expect(parseQuery("東京タワー").trigramMatch).toBe('"東京タワー"');
    const short = parseQuery("東京");
    expect([short.trigramMatch, short.wordMatch, short.scan]).toEqual([null, null, ["東京"]]);
  });

  test("filters", () => {
    const q = parseQuery("from:@Ada in:#General in:thread before:2026-02-01 after:2025-12-31 has:file budget");
    expect(q).toMatchObject({ from: ["ada"], in: ["general"], inThread: true, before: "2026-02-01", after: "2025-12-31", hasFile: true, trigramMatch: '"budget"' });
    // A filter with a bad value is just text.
    const bad = parseQuery("before:2026-02-30 from:@@ has:cake");
    expect([bad.before, bad.from, bad.hasFile]).toEqual([null, [], false]);
    expect(bad.terms.map((t) => t.text)).toEqual(["before:2026-02-30", "from", "has:cake"]);
    expect(parseQuery("from:ada").empty).toBe(false);
  });

  test("operators and syntax are only ever text", () => {
    const q = parseQuery('NEAR(a b) AND -x OR NOT y* ^z col:umn "unclosed');
    expect(q.wordMatch).toBe('"a"* AND "b"* AND "x"* AND "y"* AND "z"* AND "unclosed"');
    expect(q.trigramMatch).toBe('"col:umn"');
    for (const input of ['"', "-", "*", "^", ":", "()", "AND", "   ", ""]) expect(parseQuery(input).empty).toBe(true);
  });

  test("whatever the input, both expressions are valid FTS5", () => {
    const db = new Database(":memory:");
    db.exec("CREATE VIRTUAL TABLE w USING fts5(b, tokenize='unicode61 remove_diacritics 2')");
    db.exec("CREATE VIRTUAL TABLE t USING fts5(b, tokenize='trigram remove_diacritics 1')");
    db.exec("INSERT INTO w VALUES ('deployment plan'); INSERT INTO t VALUES ('deployment plan')");
    const alphabet = fc.constantFrom(..."aZ9 \"'*^:()-+{}[]<>~,.;!?\\/|&%$#@東京タワー\u0000\t\n".split(""), "AND", "OR", "NOT", "NEAR", "from:", "in:#", "before:2026-01-0");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join("")), (input) => {
        const q = parseQuery(input);
        if (q.wordMatch) db.query("SELECT count(*) FROM w WHERE w MATCH ?").get(q.wordMatch);
        if (q.trigramMatch) db.query("SELECT count(*) FROM t WHERE t MATCH ?").get(q.trigramMatch);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("snippet", () => {
  const hl = (s: ReturnType<typeof snippet>) => s.highlights.map((r) => s.snippet.slice(r.start, r.end));

  test("highlights are offsets into the snippet, case and accents folded", () => {
    const s = snippet("The Café DEPLOYMENT went fine", parseQuery("cafe ploy").highlights);
    expect(hl(s)).toEqual(["Café", "PLOY"]);
  });

  test("prefix terms match where words start; phrases word by word", () => {
    expect(hl(snippet("go golang ago", parseQuery("go").highlights))).toEqual(["go", "go"]);
    expect(hl(snippet("an exact,  phrase; not exactly phrased", parseQuery('"exact phrase"').highlights))).toEqual(["exact, phrase"]);
  });

  test("a long body is cut around the first match, with ellipses, offsets shifted", () => {
    const body = `${"lorem ipsum ".repeat(40)}the needle is here ${"dolor sit ".repeat(40)}`;
    const s = snippet(body, parseQuery("needle").highlights);
    expect(s.snippet.startsWith("…")).toBe(true);
    expect(s.snippet.endsWith("…")).toBe(true);
    expect(s.snippet.length).toBeLessThanOrEqual(202);
    expect(hl(s)).toEqual(["needle"]);
  });

  test("Japanese and emoji keep offsets in UTF-16 code units", () => {
    const s = snippet("👋 東京タワーに行きました", parseQuery("東京").highlights);
    expect(hl(s)).toEqual(["東京"]);
    expect(s.highlights[0]).toEqual({ start: 3, end: 5 });
  });
});

test("cursors are bound to their query and refuse tampering", () => {
  const binding = ["wsp_1", "q", undefined, undefined, "recent"];
  const c = encodeCursor({ sort: "recent", docid: 7 }, binding);
  expect(decodeCursor(c, binding)).toEqual({ sort: "recent", docid: 7 });
  expect(() => decodeCursor(c, ["wsp_1", "other", undefined, undefined, "recent"])).toThrow(/cursor/);
  expect(() => decodeCursor("not-a-cursor", binding)).toThrow(/cursor/);
  const r = encodeCursor({ sort: "relevance", offset: 20, ceiling: 99 }, binding);
  expect(decodeCursor(r, binding)).toEqual({ sort: "relevance", offset: 20, ceiling: 99 });
});
