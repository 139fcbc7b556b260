import type { Kind, TableSpec } from './describe.ts';

export type Raw = Record<string, unknown>;

/** How a dialect's driver hands back booleans and JSON. */
export interface DriverValues {
  /** SQLite: 0/1; PostgreSQL: booleans already. */
  bool(v: unknown): boolean;
  /** SQLite: text to parse; PostgreSQL: jsonb already parsed. */
  json(v: unknown): unknown;
}

/** One table's rows to and from the driver: field names and column names, values by kind. */
export interface Codec<R> {
  readonly table: string;
  /** Fields in the description's order, with their columns and kinds. */
  readonly fields: readonly { field: string; column: string; kind: Kind }[];
  readonly columnOf: Readonly<Record<string, string>>;
  decode(raw: Raw): R;
  /** A field's value as a statement parameter (JSON as text; booleans as they are: the
   * SQLite executor binds them as 0/1). */
  encode(field: string, value: unknown): unknown;
}

export function codec<R>(spec: TableSpec, values: DriverValues): Codec<R> {
  const fields = Object.entries(spec.columns).map(([field, c]) => ({
    field,
    column: c.name,
    kind: c.kind,
  }));
  const columnOf = Object.fromEntries(fields.map((f) => [f.field, f.column]));
  const kindOf = Object.fromEntries(fields.map((f) => [f.field, f.kind]));
  const decoders = fields.map((f) => {
    // Numbers come back as numbers (PostgreSQL's bigint through the store's type parser).
    const from = f.kind === 'bool' ? values.bool : f.kind === 'json' ? values.json : null;
    return [f.field, f.column, from] as const;
  });
  return {
    table: spec.name,
    fields,
    columnOf,
    decode(raw) {
      const row: Raw = {};
      for (const [field, column, from] of decoders) {
        const v = raw[column];
        row[field] = v === null || v === undefined ? null : from ? from(v) : v;
      }
      return row as R;
    },
    encode(field, value) {
      if (value === null || value === undefined) return null;
      return kindOf[field] === 'json' ? JSON.stringify(value) : value;
    },
  };
}
