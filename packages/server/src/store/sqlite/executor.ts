import type Database from 'better-sqlite3';
import {
  afterCommit,
  type CommitNotes,
  type Executor,
  type Params,
  PendingCommit,
} from '../executor.ts';
import type { Raw } from '../schema/codec.ts';

/** SQLite binds no booleans: 1 and 0 (and null for undefined). */
const bind = (params: Params = []) =>
  params.map((v) => (v === true ? 1 : v === false ? 0 : v === undefined ? null : v));

/**
 * The one connection's executor: statements prepared once per text, run at once (SQLite
 * is in the process: a statement costs no round trip, so `send` waits for nothing).
 */
export function sqliteExecutor(sqlite: Database.Database) {
  const prepared = new Map<string, Database.Statement>();
  const statement = (text: string) => {
    let s = prepared.get(text);
    if (!s) {
      s = sqlite.prepare(text);
      prepared.set(text, s);
    }
    return s;
  };
  const idle = new PendingCommit();
  /** In `store.once`: statements run so far (one is allowed). */
  let single: number | null = null;
  const counted = (text: string) => {
    if (single !== null && ++single > 1) {
      throw new Error('store.once() ran more than one statement: use store.transaction()');
    }
    return statement(text);
  };
  const ex: Executor & {
    current: PendingCommit;
    writing: boolean;
    /** Starts (true) or ends (false) counting statements for `store.once`. */
    once(on: boolean): void;
  } = {
    dialect: 'sqlite',
    writing: false,
    current: idle,
    get commit(): CommitNotes {
      return ex.current;
    },
    all: async (text, params) => counted(text).all(bind(params)) as Raw[],
    run: async (text, params) => {
      const s = counted(text);
      return s.reader ? s.all(bind(params)).length : s.run(bind(params)).changes;
    },
    send(text, params) {
      const s = counted(text);
      if (s.reader) s.all(bind(params));
      else s.run(bind(params));
    },
    sendExpectingOne(text, params, moved) {
      if (counted(text).run(bind(params)).changes !== 1) throw moved();
    },
    later: (text, params) => afterCommit(ex.all(text, params)),
    once(on) {
      single = on ? 0 : null;
    },
  };
  return ex;
}

export type SqliteExecutor = ReturnType<typeof sqliteExecutor>;
