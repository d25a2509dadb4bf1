import { expect, test } from "bun:test";
import { DEFAULT_TEST_STORES, testStores } from "./stores.ts";

test("CLICKCLACK_TEST_STORES lists the stores; unset means the default; a typo is an error, not a skip", () => {
  expect(testStores({})).toEqual([...DEFAULT_TEST_STORES]);
  expect(testStores({ CLICKCLACK_TEST_STORES: "postgres, SQLite,postgres" })).toEqual(["postgres", "sqlite"]);
  expect(() => testStores({ CLICKCLACK_TEST_STORES: "sqlite,postgress" })).toThrow(/CLICKCLACK_TEST_STORES/);
  expect(() => testStores({ CLICKCLACK_TEST_STORES: " , " })).toThrow(/CLICKCLACK_TEST_STORES/);
});
