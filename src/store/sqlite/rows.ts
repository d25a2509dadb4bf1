// Raw-query helpers for the SQLite modules (bun:sqlite answers synchronously).
import { getTableColumns, getTableName, type SQL } from "drizzle-orm";
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

/**
 * `INSERT INTO table (every column) VALUES ($key, ...)`, parameters named as drizzle's row type
 * names the columns: a raw statement compiled once, bound with a whole row object (the database is
 * opened with strict binding, so the keys need no `$`). For the write path's inserts: drizzle's
 * prepared insert fills its placeholders through its own mapping, in JavaScript, on every run.
 */
export function insertRowSql(table: SQLiteTable): string {
  const cols = Object.entries(getTableColumns(table));
  return `INSERT INTO "${getTableName(table)}" (${cols.map(([, c]) => `"${c.name}"`).join(", ")}) VALUES (${cols.map(([k]) => `$${k}`).join(", ")})`;
}

export function firstRow<T>(db: { all: <R>(q: SQL) => R[] }, query: SQL): T | undefined {
  return db.all<T>(query)[0];
}
