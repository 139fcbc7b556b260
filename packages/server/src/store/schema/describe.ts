/**
 * The words the one schema description is written in (tables.ts): a column's kind says
 * what it holds, and each dialect maps kinds to its own types (dialect kits in
 * sqlite/schema.ts and postgres/schema.ts build drizzle tables from it, for drizzle-kit's
 * migrations; schema/codec.ts turns rows to and from what the drivers return).
 */

/**
 * - `text`; `int`: milliseconds and amounts (SQLite INTEGER, PostgreSQL bigint);
 *   `int32`: small counts (INTEGER, integer); `bool` (INTEGER 0/1, boolean);
 * - `json` (TEXT, jsonb); `serial`: an increasing primary key (AUTOINCREMENT, bigserial);
 * - `rowid`: a primary key that may be reused once its row is gone (the plain rowid,
 *   bigserial).
 */
export type Kind = 'text' | 'int' | 'int32' | 'bool' | 'json' | 'serial' | 'rowid';

export interface ColumnSpec {
  kind: Kind;
  name: string;
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
  default?: string | number | boolean;
  /** The table whose `id` this column refers to. */
  references?: string;
}

class Column {
  readonly spec: ColumnSpec;
  constructor(kind: Kind, name: string) {
    this.spec = { kind, name, notNull: false, primaryKey: false, unique: false };
  }
  notNull() {
    this.spec.notNull = true;
    return this;
  }
  primaryKey() {
    this.spec.primaryKey = true;
    return this;
  }
  unique() {
    this.spec.unique = true;
    return this;
  }
  default(value: string | number | boolean) {
    this.spec.default = value;
    return this;
  }
  references(table: string) {
    this.spec.references = table;
    return this;
  }
}

export const text = (name: string) => new Column('text', name);
export const int = (name: string) => new Column('int', name);
export const int32 = (name: string) => new Column('int32', name);
export const bool = (name: string) => new Column('bool', name);
export const json = (name: string) => new Column('json', name);
export const serial = (name: string) => new Column('serial', name).primaryKey();
export const rowid = (name: string) => new Column('rowid', name).primaryKey();

export interface IndexSpec {
  name: string;
  unique: boolean;
  /** Field names (not column names), in order. */
  on: string[];
  /** A partial index's condition, in SQL both dialects read alike. */
  where?: string;
}

export const index = (name: string, on: string[], where?: string): IndexSpec => ({
  name,
  unique: false,
  on,
  ...(where && { where }),
});
export const uniqueIndex = (name: string, on: string[], where?: string): IndexSpec => ({
  name,
  unique: true,
  on,
  ...(where && { where }),
});

export interface TableSpec<F extends string = string> {
  name: string;
  /** Field name -> column. */
  columns: Record<F, ColumnSpec>;
  /** A primary key of several fields. */
  primaryKey?: F[];
  indexes: IndexSpec[];
}

/** A table: its SQL name, its fields, and optionally a composite key and indexes. */
export function table<F extends string>(
  name: string,
  columns: Record<F, Column>,
  extra: { primaryKey?: NoInfer<F>[]; indexes?: IndexSpec[] } = {},
): TableSpec<F> {
  const specs = {} as Record<F, ColumnSpec>;
  for (const key of Object.keys(columns) as F[]) specs[key] = columns[key].spec;
  return {
    name,
    columns: specs,
    ...(extra.primaryKey && { primaryKey: extra.primaryKey }),
    indexes: extra.indexes ?? [],
  };
}
