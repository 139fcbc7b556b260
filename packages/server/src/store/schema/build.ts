import { sql } from 'drizzle-orm';
import type { ColumnSpec, IndexSpec, Kind, TableSpec } from './describe.ts';
import * as tables from './tables.ts';

/** What both drizzle dialects' column builders answer to. */
interface Builder {
  primaryKey(): Builder;
  notNull(): Builder;
  unique(): Builder;
  default(value: unknown): Builder;
  references(ref: () => unknown): Builder;
}

interface IndexBuilder {
  on(...columns: unknown[]): { where(condition: unknown): unknown };
}

/** A dialect's drizzle functions: the only part of a schema that differs between them. */
export interface DialectKit {
  /** The column for a kind; `serial` and `rowid` come back as primary keys already. */
  column(kind: Kind, name: string): unknown;
  table(name: string, columns: Record<string, unknown>, extra: (t: never) => unknown[]): unknown;
  index(name: string): IndexBuilder;
  uniqueIndex(name: string): IndexBuilder;
  primaryKey(config: { columns: unknown[] }): unknown;
}

type Built = { [K in keyof typeof tables]: unknown };

/**
 * Every table of tables.ts as a drizzle table of one dialect, by its name there: what
 * drizzle-kit reads (from the dialect's named exports) to write its migrations.
 */
export function buildSchema(kit: DialectKit): Built {
  const built: Record<string, { id: unknown }> = {};
  const out: Record<string, unknown> = {};
  const column = (spec: ColumnSpec) => {
    let c = kit.column(spec.kind, spec.name) as Builder;
    const keyed = spec.kind === 'serial' || spec.kind === 'rowid';
    if (spec.primaryKey && !keyed) c = c.primaryKey();
    if (spec.notNull) c = c.notNull();
    if (spec.unique) c = c.unique();
    if (spec.default !== undefined) c = c.default(spec.default);
    const target = spec.references;
    if (target) c = c.references(() => built[target]?.id);
    return c;
  };
  for (const [exported, spec] of Object.entries(tables) as [string, TableSpec][]) {
    const columns: Record<string, unknown> = {};
    for (const [field, c] of Object.entries(spec.columns)) columns[field] = column(c);
    const extra = (t: Record<string, unknown>) => [
      ...(spec.primaryKey ? [kit.primaryKey({ columns: spec.primaryKey.map((f) => t[f]) })] : []),
      ...spec.indexes.map((ix: IndexSpec) => {
        const on = (ix.unique ? kit.uniqueIndex : kit.index)(ix.name).on(...ix.on.map((f) => t[f]));
        return ix.where ? on.where(sql.raw(ix.where)) : on;
      }),
    ];
    const t = kit.table(spec.name, columns, extra as (t: never) => unknown[]) as { id: unknown };
    built[spec.name] = t;
    out[exported] = t;
  }
  return out as Built;
}
