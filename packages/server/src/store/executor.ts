import type { Codec, Raw } from './schema/codec.ts';
import { Sql, sql } from './sql.ts';

export type Params = readonly unknown[];

/**
 * What a store's repositories run their statements on: one connection (SQLite's only one,
 * or a pooled PostgreSQL client), inside a transaction or a read. The dialect folders
 * implement it; everything above is written once.
 */
export interface Executor {
  readonly dialect: 'sqlite' | 'postgres';
  /** The rows a statement returns, as the driver gives them (keyed by column). */
  all(text: string, params?: Params): Promise<Raw[]>;
  /** How many rows a statement changed. */
  run(text: string, params?: Params): Promise<number>;
  /**
   * A write whose answer nobody waits for. PostgreSQL sends it with the next statement
   * that needs an answer, or with the commit, in one round trip; if it fails, so does
   * the transaction. SQLite runs it at once.
   */
  send(text: string, params?: Params): void;
  /**
   * An UPDATE or DELETE that must change exactly one row, sent as `send` is; if it changes
   * none (the row moved on since it was read), the transaction fails with `moved()` and
   * nothing of it is committed. PostgreSQL checks it in the database
   * (`kassa_expect_one`), so a commit sent in the same round trip cannot go through.
   */
  sendExpectingOne(text: string, params: Params, moved: () => Error): void;
  /**
   * A statement whose rows are wanted only once the transaction has committed: sent as
   * `send` is (PostgreSQL sends it with the commit, so it costs no round trip of its
   * own), its rows come in `value`. Await `value` after the transaction, never inside it
   * (on PostgreSQL it would wait for a commit that waits for it). If the transaction
   * rolls back, what `value` says did not happen: read it only after a commit (PostgreSQL
   * rejects it then). SQLite runs it at once.
   */
  later(text: string, params?: Params): AfterCommit<Raw[]>;
  /** Inside a write transaction: rows about to be changed are read with their row lock. */
  readonly writing: boolean;
  /** Told by writes, acted on at the commit: an intent changed (its page's stream follows
   * it), jobs were queued (workers wake), a merchant's keys, accounts or endpoints changed
   * (every process's caches of them are dropped). */
  readonly commit: CommitNotes;
}

export interface CommitNotes {
  /** Whether this transaction changed configuration (then it reads it past the cache). */
  readonly config: boolean;
  intentChanged(id: string): void;
  jobsQueued(): void;
  configChanged(): void;
  /** Runs `fn` once the transaction commits; never if it rolls back. */
  afterCommit(fn: () => void): void;
}

/** An answer that comes with the commit (see `Executor.later`). */
export interface AfterCommit<T> {
  readonly value: Promise<T>;
}

/** `p` as an answer read after the commit. A rollback rejects it, and the transaction
 * itself says so: nobody need be waiting for `p` then. */
export function afterCommit<T>(p: Promise<T>): AfterCommit<T> {
  p.catch(() => undefined);
  return { value: p };
}

/** What one transaction noted for its commit. */
export class PendingCommit implements CommitNotes {
  intents: string[] = [];
  jobs = 0;
  config = false;
  after: (() => void)[] = [];
  intentChanged(id: string) {
    this.intents.push(id);
  }
  jobsQueued() {
    this.jobs++;
  }
  configChanged() {
    this.config = true;
  }
  afterCommit(fn: () => void) {
    this.after.push(fn);
  }
}

/** Rows of `codec`'s table from a statement. */
export async function rows<R>(ex: Executor, c: Codec<R>, q: Sql): Promise<R[]> {
  const raw = await ex.all(q.text, q.params);
  return raw.map((r) => c.decode(r));
}

/** The first row, or null. */
export async function row<R>(ex: Executor, c: Codec<R>, q: Sql): Promise<R | null> {
  const [first] = await ex.all(q.text, q.params);
  return first ? c.decode(first) : null;
}

const quote = (name: string) => `"${name}"`;
const shapes = new Map<string, string>();

/** SQL text built once per table and set of columns. */
function shaped(key: string, build: () => string): string {
  let text = shapes.get(key);
  if (text === undefined) {
    text = build();
    shapes.set(key, text);
  }
  return text;
}

const defined = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);

/** An INSERT of a row's defined fields; `ignoreConflict` makes a unique clash a no-op. */
export function insertSql<R extends object>(
  c: Codec<R>,
  value: NoInfer<R>,
  opts: { ignoreConflict?: boolean; returning?: boolean } = {},
): Sql {
  const r = value as Record<string, unknown>;
  const keys = defined(r);
  const text = shaped(
    `i|${c.table}|${opts.ignoreConflict ? 1 : 0}${opts.returning ? 1 : 0}|${keys.join(',')}`,
    () =>
      `INSERT INTO ${quote(c.table)} (${keys.map((k) => quote(c.columnOf[k] as string)).join(', ')}) VALUES (${keys
        .map(() => '?')
        .join(
          ', ',
        )})${opts.ignoreConflict ? ' ON CONFLICT DO NOTHING' : ''}${opts.returning ? ' RETURNING *' : ''}`,
  );
  return new Sql(
    text,
    keys.map((k) => c.encode(k, r[k])),
  );
}

/** An UPDATE setting `patch`'s defined fields where each of `where`'s fields equals its value. */
export function updateSql<R extends object>(
  c: Codec<R>,
  patch: NoInfer<Partial<R>>,
  where: NoInfer<Partial<R>>,
  returning = false,
): Sql | null {
  const p = patch as Record<string, unknown>;
  const w = where as Record<string, unknown>;
  const keys = defined(p);
  if (keys.length === 0) return null;
  const whereKeys = Object.keys(w);
  const text = shaped(
    `u|${c.table}|${returning ? 1 : 0}|${keys.join(',')}|${whereKeys.join(',')}`,
    () =>
      `UPDATE ${quote(c.table)} SET ${keys.map((k) => `${quote(c.columnOf[k] as string)} = ?`).join(', ')} WHERE ${whereKeys
        .map((k) => `${quote(c.columnOf[k] as string)} = ?`)
        .join(' AND ')}${returning ? ' RETURNING *' : ''}`,
  );
  return new Sql(text, [
    ...keys.map((k) => c.encode(k, p[k])),
    ...whereKeys.map((k) => c.encode(k, w[k])),
  ]);
}

/** Runs an update (nothing to set: nothing changed). */
export async function update<R extends object>(
  ex: Executor,
  c: Codec<R>,
  patch: NoInfer<Partial<R>>,
  where: NoInfer<Partial<R>>,
): Promise<number> {
  const q = updateSql(c, patch, where);
  return q ? ex.run(q.text, q.params) : 0;
}

/** Sends an update nobody waits on (see `Executor.send`). */
export function sendUpdate<R extends object>(
  ex: Executor,
  c: Codec<R>,
  patch: NoInfer<Partial<R>>,
  where: NoInfer<Partial<R>>,
): void {
  const q = updateSql(c, patch, where);
  if (q) ex.send(q.text, q.params);
}

export { sql };
