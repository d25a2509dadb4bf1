// A fresh Postgres database per test run: `clickclack_test_<random>`, created on the server named
// by CLICKCLACK_TEST_POSTGRES (default: the local server, user postgres) and dropped afterwards.
// A missing server fails the test loudly; nothing here skips.
import postgres from "postgres";
import { migrations } from "../../drizzle/postgres/index.ts";
import { migrateDatabase } from "../store/postgres/database.ts";

export const TEST_POSTGRES = process.env.CLICKCLACK_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function admin() {
  return postgres(TEST_POSTGRES, { max: 1, onnotice: () => {}, connect_timeout: 5 });
}

/**
 * A database migrated to the current schema, named by it, from which test databases are copied:
 * migrating every test database (extensions, triggers, ~20 tables) took 1-2 s each on a loaded
 * machine; a copy takes a fraction of that, and the server's own migrate then finds nothing to do.
 */
const TEMPLATE = `clickclack_tpl_${new Bun.CryptoHasher("sha256").update(migrations.map((m) => m.sql).join("\n")).digest("hex").slice(0, 12)}`;
let templateReady: Promise<void> | null = null;

async function ensureTemplate(sql: postgres.Sql): Promise<void> {
  const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${TEMPLATE} AND datistemplate`;
  if (exists) return;
  // Several test processes may get here at once: one builds it, under a lock, the others wait.
  await sql`SELECT pg_advisory_lock(hashtext(${TEMPLATE}))`;
  try {
    const [done] = await sql`SELECT 1 FROM pg_database WHERE datname = ${TEMPLATE} AND datistemplate`;
    if (done) return;
    await sql.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
    await sql.unsafe(`CREATE DATABASE ${TEMPLATE}`);
    const url = new URL(TEST_POSTGRES);
    url.pathname = `/${TEMPLATE}`;
    await migrateDatabase(url.toString());
    await sql.unsafe(`ALTER DATABASE ${TEMPLATE} WITH is_template true ALLOW_CONNECTIONS false`);
  } finally {
    await sql`SELECT pg_advisory_unlock(hashtext(${TEMPLATE}))`;
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `clickclack_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const sql = admin();
  try {
    templateReady ??= ensureTemplate(sql).catch((err) => {
      templateReady = null;
      throw err;
    });
    await templateReady;
    await sql.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
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
