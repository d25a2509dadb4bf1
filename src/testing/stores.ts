// Which stores the route-level suites and the Postgres contract run on.
// `CLICKCLACK_TEST_STORES=sqlite,postgres` runs each wrapped suite once per store;
// `CLICKCLACK_TEST_STORES=sqlite` narrows it for a quick local loop. Postgres must be reachable
// when it is listed: a missing server fails the suite (src/testing/postgres.ts), it never skips.
import { describe } from "bun:test";

export type StoreKind = "sqlite" | "postgres";

const KINDS: readonly StoreKind[] = ["sqlite", "postgres"];

/**
 * What `bun run test` runs when the variable is unset: both stores, so a route that answers
 * differently on Postgres fails CI. The one switch: ["sqlite"] takes Postgres out of the default.
 */
export const DEFAULT_TEST_STORES: readonly StoreKind[] = ["sqlite", "postgres"];

export function testStores(env: Record<string, string | undefined> = process.env): StoreKind[] {
  const raw = env.CLICKCLACK_TEST_STORES?.trim();
  if (!raw) return [...DEFAULT_TEST_STORES];
  const kinds = raw.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = kinds.filter((k) => !KINDS.includes(k as StoreKind));
  if (unknown.length > 0 || kinds.length === 0) throw new Error(`CLICKCLACK_TEST_STORES: expected a list of ${KINDS.join(", ")}, got "${raw}"`);
  return [...new Set(kinds as StoreKind[])];
}

export const testsPostgres = (): boolean => testStores().includes("postgres");

/** Declares `suite` once per store under test, each inside its own `describe("[kind]")`. */
export function forEachStore(suite: (kind: StoreKind) => void): void {
  for (const kind of testStores()) describe(`[${kind}]`, () => suite(kind));
}
