import type BetterSqlite3 from 'better-sqlite3';
import { type Column, getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

interface Shape {
  sql: string;
  encoders: ((v: unknown) => unknown)[];
  stmt: BetterSqlite3.Statement;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Inserts and updates prepared once per table and set of columns, with drizzle's column
 * encoders (JSON, booleans) applied to the values. Drizzle's query builder rebuilds the SQL
 * and better-sqlite3 re-prepares it on every call, which cost more CPU than the write
 * itself on the hot paths (a create, an event, a delivery).
 */
export function createWriteStatements(sqlite: BetterSqlite3.Database) {
  const shapes = new Map<string, Shape>();
  const columns = new Map<SQLiteTable, Record<string, Column>>();

  const columnsOf = (table: SQLiteTable) => {
    let cols = columns.get(table);
    if (!cols) {
      cols = getTableColumns(table) as Record<string, Column>;
      columns.set(table, cols);
    }
    return cols;
  };

  const encoderOf = (col: Column) => (v: unknown) =>
    v === null || v === undefined ? null : col.mapToDriverValue(v);

  function shape(
    kind: string,
    table: SQLiteTable,
    keys: string[],
    build: () => string,
    whereKeys: string[] = [],
  ) {
    const id = `${kind}:${getTableName(table)}:${keys.join(',')}|${whereKeys.join(',')}`;
    let s = shapes.get(id);
    if (!s) {
      const cols = columnsOf(table);
      const encoders = [...keys, ...whereKeys].map((k) => {
        const col = cols[k];
        if (!col) throw new Error(`${getTableName(table)} has no column ${k}`);
        return encoderOf(col);
      });
      const sql = build();
      s = { sql, encoders, stmt: sqlite.prepare(sql) };
      shapes.set(id, s);
    }
    return s;
  }

  const definedKeys = (row: Record<string, unknown>) =>
    Object.keys(row).filter((k) => row[k] !== undefined);

  return {
    /** Inserts a row; `ignoreConflict` makes a unique-key clash a no-op. Returns the changes. */
    insert(table: SQLiteTable, row: object, opts: { ignoreConflict?: boolean } = {}): number {
      const r = row as Record<string, unknown>;
      const keys = definedKeys(r);
      const cols = columnsOf(table);
      const s = shape(
        opts.ignoreConflict ? 'insert-ignore' : 'insert',
        table,
        keys,
        () =>
          `INSERT INTO ${quote(getTableName(table))} (${keys
            .map((k) => quote((cols[k] as Column).name))
            .join(', ')}) VALUES (${keys.map(() => '?').join(', ')})${
            opts.ignoreConflict ? ' ON CONFLICT DO NOTHING' : ''
          }`,
      );
      const values = keys.map((k, i) => (s.encoders[i] as (v: unknown) => unknown)(r[k]));
      return s.stmt.run(values).changes;
    },

    /** Sets the defined fields of `patch` on the rows where `where` equals each given value. */
    update(table: SQLiteTable, patch: object, where: Record<string, unknown>): number {
      const p = patch as Record<string, unknown>;
      const keys = definedKeys(p);
      if (keys.length === 0) return 0;
      const whereKeys = Object.keys(where);
      const cols = columnsOf(table);
      const s = shape(
        'update',
        table,
        keys,
        () => {
          const set = keys.map((k) => `${quote((cols[k] as Column).name)} = ?`).join(', ');
          const cond = whereKeys.map((k) => `${quote((cols[k] as Column).name)} = ?`).join(' AND ');
          return `UPDATE ${quote(getTableName(table))} SET ${set} WHERE ${cond}`;
        },
        whereKeys,
      );
      const values = [...keys.map((k) => p[k]), ...whereKeys.map((k) => where[k])].map((v, i) =>
        (s.encoders[i] as (v: unknown) => unknown)(v),
      );
      return s.stmt.run(values).changes;
    },
  };
}

export type WriteStatements = ReturnType<typeof createWriteStatements>;
