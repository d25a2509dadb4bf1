// A raw query's first row, for the SQLite modules (bun:sqlite answers synchronously).
import type { SQL } from "drizzle-orm";

export function firstRow<T>(db: { all: <R>(q: SQL) => R[] }, query: SQL): T | undefined {
  return db.all<T>(query)[0];
}
