import { expect, test } from "bun:test";
import { reading } from "./database.ts";
import { openSqliteStore } from "./index.ts";

test("reads share the turn's read transaction; a write in the same turn ends it first, and the next read sees the write", async () => {
  const store = openSqliteStore(":memory:");
  try {
    const raw = store.raw;
    raw.exec("CREATE TABLE turn_probe (x INTEGER)");
    const count = () => reading(raw, () => (raw.query("SELECT count(*) AS n FROM turn_probe").get() as { n: number }).n);
    expect(count()).toBe(0);
    // The read transaction stays open for the rest of the turn, for the next reads.
    expect(raw.inTransaction).toBe(true);
    const written = store.writer.write(() => raw.query("INSERT INTO turn_probe VALUES (1)").run());
    // Flushed in this same turn: the writer must end the read transaction before it begins.
    store.writer.flush();
    await written;
    expect(count()).toBe(1);
    // The turn ends: nothing is left open on the connection.
    await new Promise((resolve) => setImmediate(resolve));
    expect(raw.inTransaction).toBe(false);
  } finally {
    await store.close();
  }
});
