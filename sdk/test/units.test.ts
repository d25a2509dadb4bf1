// The small pieces under the bot: backoff, nonces, the file cursor store, and the generated types.
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderSdkTypes, SDK_TYPES_FILE, servedDocument } from "../../scripts/gen-sdk-types.ts";
import { backoffDelay, eventNonce, MemoryCursorStore } from "../src/index.ts";
import { FileCursorStore } from "../src/file-cursor-store.ts";

test("backoff grows exponentially, is capped, and is jittered within [ceiling/2, ceiling]", () => {
  const opts = { initialDelayMs: 100, maxDelayMs: 1000 };
  expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  expect(backoffDelay(2, opts, () => 0)).toBe(200);
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(5, opts)));
  expect(spread.size).toBeGreaterThan(10);
  for (const d of spread) expect(d >= 500 && d <= 1000).toBe(true);
});

test("event nonces are stable, distinct per purpose and count, and within 128 characters", () => {
  const id = "evt_01jd5e7m8x9k2p3q4r5s6t7v8w";
  expect(eventNonce(id, "reply")).toBe(`cc:${id}:reply`);
  expect(eventNonce(id, "reply", 1)).toBe(`cc:${id}:reply:1`);
  expect(eventNonce(id, "reply")).not.toBe(eventNonce(id, "summary"));
  const long = eventNonce(id, "x".repeat(200));
  expect(long.length).toBeLessThanOrEqual(128);
  expect(long).toBe(eventNonce(id, "x".repeat(200)));
  expect(long).not.toBe(eventNonce(id, "y".repeat(200)));
});

test("the file cursor store round-trips, writes 0600 files atomically and leaves no temp files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clickclack-store-"));
  try {
    const store = new FileCursorStore(join(dir, "nested"));
    expect(await store.load("wsp_1.usr_1")).toBeNull();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save("wsp_1.usr_1", `cur_${String(i).padStart(2, "0")}`)));
    expect(await store.load("wsp_1.usr_1")).toMatch(/^cur_\d\d$/);
    await store.save("wsp_1.usr_1", "cur_final");
    expect(await store.load("wsp_1.usr_1")).toBe("cur_final");
    expect(JSON.parse(readFileSync(store.path("wsp_1.usr_1"), "utf8")).cursor).toBe("cur_final");
    expect(statSync(store.path("wsp_1.usr_1")).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, "nested")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // Keys are sanitised into file names; one file per key.
    await store.save("../escape/attempt", "cur_x");
    expect(readdirSync(join(dir, "nested")).sort()).toEqual([".._escape_attempt.json", "wsp_1.usr_1.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the memory cursor store keeps one cursor per key", async () => {
  const store = new MemoryCursorStore();
  await store.save("a", "cur_1");
  expect(await store.load("a")).toBe("cur_1");
  expect(await store.load("b")).toBeNull();
});

test("sdk/src/types.gen.ts is up to date with the server's OpenAPI document", async () => {
  const expected = await renderSdkTypes(await servedDocument());
  const actual = readFileSync(SDK_TYPES_FILE, "utf8");
  // On failure: bun scripts/gen-sdk-types.ts
  expect(actual).toBe(expected);
});
