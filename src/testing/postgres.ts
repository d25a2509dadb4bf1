// A fresh Postgres database per test run: `clickclack_test_<random>`, created on the server named
// by CLICKCLACK_TEST_POSTGRES (default: the local server, user postgres) and dropped afterwards.
// A missing server fails the test loudly; nothing here skips.
import postgres from "postgres";

export const TEST_POSTGRES = process.env.CLICKCLACK_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function admin() {
  return postgres(TEST_POSTGRES, { max: 1, onnotice: () => {}, connect_timeout: 5 });
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `clickclack_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const sql = admin();
  try {
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } catch (err) {
    throw new Error(
      `Postgres is needed for this test and is not usable at ${TEST_POSTGRES} (${(err as Error).message}). ` +
        "Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) or set CLICKCLACK_TEST_POSTGRES.",
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
  const url = new URL(TEST_POSTGRES);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const s = admin();
      try {
        // FORCE: a pool that was not closed (a failed test) must not keep the database alive.
        await s.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await s.end({ timeout: 1 });
      }
    },
  };
}

/** Which store the route suites run on: CLICKCLACK_TEST_DB=postgres runs them on Postgres. */
export const testStoreKind = (): "sqlite" | "postgres" => (process.env.CLICKCLACK_TEST_DB === "postgres" ? "postgres" : "sqlite");
