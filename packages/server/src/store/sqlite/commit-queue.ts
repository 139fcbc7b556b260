import type Database from 'better-sqlite3';

interface Item {
  kind: 'write' | 'read';
  fn: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs the store's work on its one connection, one piece at a time and in order, and
 * commits writes in groups: the transactions that queued up while the previous group
 * ran share one BEGIN … COMMIT, each inside its own savepoint, so one that fails is rolled
 * back alone. Nothing is acknowledged before the COMMIT that makes it durable. Under load a
 * commit then writes the shared index and table pages once for many transactions instead
 * of once each; alone, a transaction commits at once as before.
 *
 * Reads run between groups, so they only ever see committed data.
 */
export function createCommitQueue(
  sqlite: Database.Database,
  opts: { maxGroup: number; onCommit?: () => void },
) {
  const queue: Item[] = [];
  let running = false;
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT one');
  const release = sqlite.prepare('RELEASE one');
  const rollbackTo = sqlite.prepare('ROLLBACK TO one');

  async function runGroup(group: Item[]) {
    let done: { item: Item; result: unknown }[] = [];
    begin.run();
    for (const item of group) {
      if (!sqlite.inTransaction) {
        // SQLite itself ended the transaction (an I/O error, a full disk): what the group
        // did so far is gone, so none of it is acknowledged. Carry on in a new one.
        const err = new Error('The transaction was rolled back by the database.');
        for (const d of done) d.item.reject(err);
        done = [];
        begin.run();
      }
      savepoint.run();
      try {
        const result = await item.fn();
        release.run();
        done.push({ item, result });
      } catch (err) {
        if (sqlite.inTransaction) {
          rollbackTo.run();
          release.run();
        }
        item.reject(err);
      }
    }
    try {
      if (!sqlite.inTransaction)
        throw new Error('The transaction was rolled back by the database.');
      commit.run();
    } catch (err) {
      if (sqlite.inTransaction) rollback.run();
      for (const d of done) d.item.reject(err);
      return;
    }
    opts.onCommit?.();
    for (const d of done) d.item.resolve(d.result);
  }

  async function drain() {
    try {
      while (queue.length > 0) {
        if ((queue[0] as Item).kind === 'read') {
          const item = queue.shift() as Item;
          await item.fn().then(item.resolve, item.reject);
          continue;
        }
        const group: Item[] = [];
        while (group.length < opts.maxGroup && queue[0]?.kind === 'write') {
          group.push(queue.shift() as Item);
        }
        await runGroup(group).catch((err) => {
          // BEGIN itself failed: nothing in the group ran to completion.
          if (sqlite.inTransaction) rollback.run();
          for (const item of group) item.reject(err);
        });
      }
    } finally {
      running = false;
    }
  }

  function push<T>(kind: Item['kind'], fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ kind, fn, resolve: resolve as (v: unknown) => void, reject });
      if (!running) {
        running = true;
        // After the requests already read from their sockets in this turn of the event
        // loop have queued their transactions too.
        setImmediate(drain);
      }
    });
  }

  return {
    /** Runs `fn` inside a transaction; resolves once it is committed. */
    write: <T>(fn: () => Promise<T>) => push('write', fn),
    /** Runs `fn` between transactions. */
    read: <T>(fn: () => Promise<T>) => push('read', fn),
  };
}
