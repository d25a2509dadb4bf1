// Raw-query helpers for the SQLite modules (bun:sqlite answers synchronously).
import { getTableColumns, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * A table's columns as a select list named like drizzle's row type (`"author_id" AS "authorId"`).
 * For tables whose columns are all text or integer (no JSON or boolean modes), a raw statement
 * with this list returns rows of the table's type with no mapping: on the read path, drizzle's row
 * mapper cost more than the statements it mapped.
 */
export function rowColumns(table: SQLiteTable): string {
  return Object.entries(getTableColumns(table)).map(([key, column]) => `"${column.name}" AS "${key}"`).join(", ");
}

export function firstRow<T>(db: { all: <R>(q: SQL) => R[] }, query: SQL): T | undefined {
  return db.all<T>(query)[0];
}
