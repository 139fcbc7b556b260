import type pg from 'pg';
import {
  afterCommit,
  type CommitNotes,
  type Executor,
  type Params,
  PendingCommit,
} from '../executor.ts';
import type { Raw } from '../schema/codec.ts';
import { numbered } from '../sql.ts';

/** Statement texts and their names: each is parsed and planned once per connection. */
const names = new Map<string, { name: string; text: string }>();
const named = (text: string) => {
  let n = names.get(text);
  if (!n) {
    n = { name: `kassa_${names.size}`, text: numbered(text) };
    names.set(text, n);
  }
  return n;
};

interface Queued {
  name: string;
  text: string;
  values: unknown[];
  /** For a write that must change one row: the error when it changed none. */
  moved?: () => Error;
  /** For `later`: where its rows go once its batch (the commit's) is answered. */
  answer?: { resolve(rows: Raw[]): void; reject(err: unknown): void };
}

/** What kassa_expect_one raises (migrations/0007_expect_one.sql). */
const MOVED = 'KS409';

const queued = (text: string, params: Params = []): Queued => {
  const n = named(text);
  return {
    name: n.name,
    text: n.text,
    values: params.map((v) => (v === undefined ? null : v)),
  };
};

/** The socket under a pooled client, to send a batch of statements in one write. */
interface Corkable {
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
}

/**
 * One pooled connection's executor. The connection runs in pg's pipeline mode: the
 * statements of a batch go out in one write and their answers come back in order, so a
 * batch costs one round trip. `send` holds a write until the next statement that needs an
 * answer, or the commit, goes: a transaction's blind writes (an event, its deliveries and
 * their jobs) ride with the statement after them. If one fails, the rest of the
 * transaction fails with it (PostgreSQL aborts it), and the first failure is thrown.
 */
export function pgExecutor(client: pg.PoolClient) {
  let waiting: Queued[] = [];
  let started = false;
  const socket = (client as unknown as Corkable).connection?.stream;

  let statements = 0;
  async function flush(last: Queued | null): Promise<pg.QueryResult | undefined> {
    const batch = waiting;
    waiting = [];
    if (last) batch.push(last);
    if (batch.length === 0) return undefined;
    statements += batch.length;
    if (ex.single && statements > 1) {
      throw new Error('store.once() ran more than one statement: use store.transaction()');
    }
    started = true;
    socket?.cork?.();
    let sent: Promise<pg.QueryResult>[];
    try {
      sent = batch.map((q) => client.query(q));
    } finally {
      socket?.uncork?.();
    }
    const settled = await Promise.allSettled(sent);
    // A later statement's answer: its rows, or the batch's first failure (nothing of it
    // committed then).
    const failed = settled.find((s) => s.status === 'rejected')?.reason;
    for (let i = 0; i < settled.length; i++) {
      const { answer } = batch[i] as Queued;
      const s = settled[i] as PromiseSettledResult<pg.QueryResult>;
      if (!answer) continue;
      if (failed === undefined && s.status === 'fulfilled') answer.resolve(s.value.rows as Raw[]);
      else answer.reject(failed ?? (s as PromiseRejectedResult).reason);
    }
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i] as PromiseSettledResult<pg.QueryResult>;
      if (s.status === 'fulfilled') continue;
      const moved = (batch[i] as Queued).moved;
      throw moved && (s.reason as { code?: string }).code === MOVED ? moved() : s.reason;
    }
    return last
      ? (settled[settled.length - 1] as PromiseFulfilledResult<pg.QueryResult>).value
      : undefined;
  }

  const idle = new PendingCommit();
  const ex: Executor & {
    current: PendingCommit;
    writing: boolean;
    /** In `store.once`: one statement, no transaction. */
    single: boolean;
    /** Whether anything of this transaction has been sent (BEGIN included). */
    readonly started: boolean;
    /** Sends what is held; for the commit. */
    flush(): Promise<void>;
    /** Forgets what is held and that anything was sent: for the next transaction. */
    reset(): void;
  } = {
    dialect: 'postgres',
    writing: false,
    single: false,
    current: idle,
    get commit(): CommitNotes {
      return ex.current;
    },
    get started() {
      return started;
    },
    all: async (text, params) => ((await flush(queued(text, params)))?.rows ?? []) as Raw[],
    run: async (text, params) => (await flush(queued(text, params)))?.rowCount ?? 0,
    send(text, params) {
      waiting.push(queued(text, params));
    },
    sendExpectingOne(text, params, moved) {
      waiting.push({
        ...queued(
          `WITH changed AS (${text} RETURNING 1) SELECT kassa_expect_one(count(*)) FROM changed`,
          params,
        ),
        moved,
      });
    },
    later(text, params) {
      const q = queued(text, params);
      const rows = new Promise<Raw[]>((resolve, reject) => {
        q.answer = { resolve, reject };
      });
      waiting.push(q);
      return afterCommit(rows);
    },
    async flush() {
      await flush(null);
    },
    reset() {
      // Held and never sent: the transaction ended without them.
      for (const q of waiting) q.answer?.reject(new Error('the transaction did not commit'));
      waiting = [];
      started = false;
      statements = 0;
    },
  };
  return ex;
}

export type PgExecutor = ReturnType<typeof pgExecutor>;
