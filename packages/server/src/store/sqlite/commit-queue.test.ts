import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCommitQueue } from './commit-queue.ts';

describe('the commit queue', () => {
  let sqlite: Database.Database;
  let commits: number;
  let q: ReturnType<typeof createCommitQueue>;
  const insert = (v: string) => sqlite.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  const rows = () =>
    (sqlite.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);

  beforeEach(() => {
    sqlite = new Database(':memory:');
    sqlite.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
    commits = 0;
    q = createCommitQueue(sqlite, { maxGroup: 64, onCommit: () => commits++ });
  });

  it('commits transactions that queue up together once, each acknowledged only after it', async () => {
    const acked: string[] = [];
    const writes = ['a', 'b', 'c'].map((v) =>
      q
        .write(async () => {
          insert(v);
          // Not yet durable: nothing may have been acknowledged.
          expect(acked).toEqual([]);
          return v;
        })
        .then((r) => {
          acked.push(r);
          expect(sqlite.inTransaction).toBe(false);
        }),
    );
    await Promise.all(writes);
    expect(acked).toEqual(['a', 'b', 'c']);
    expect(commits).toBe(1);
    expect(rows()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the transaction that fails, with its own error', async () => {
    const results = await Promise.allSettled([
      q.write(async () => insert('a')),
      q.write(async () => {
        insert('b');
        insert('a'); // a unique clash, after one write of its own
      }),
      q.write(async () => {
        insert('c');
        throw new Error('the handler gave up');
      }),
      q.write(async () => insert('d')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/gave up/);
    expect(rows()).toEqual(['a', 'd']);
    expect(commits).toBe(1);
  });

  it('runs reads between groups, so a read sees only committed data, in queue order', async () => {
    const seen: string[][] = [];
    await Promise.all([
      q.write(async () => insert('a')),
      q.read(async () => {
        expect(sqlite.inTransaction).toBe(false);
        seen.push(rows());
      }),
      q.write(async () => insert('b')),
      q.read(async () => seen.push(rows())),
    ]);
    expect(seen).toEqual([['a'], ['a', 'b']]);
    expect(commits).toBe(2);
  });

  it('keeps going after a transaction that awaits, and one queued later lands in the next group', async () => {
    let later: Promise<unknown> | undefined;
    await q.write(async () => {
      insert('a');
      await new Promise((r) => setTimeout(r, 5));
      later = q.write(async () => insert('b'));
    });
    await later;
    expect(rows()).toEqual(['a', 'b']);
    expect(commits).toBe(2);
  });

  it('gives up every transaction of a group whose commit fails, none acknowledged', async () => {
    // A deferred foreign key is only checked at COMMIT, which then fails for the group.
    sqlite.exec(
      'PRAGMA foreign_keys = ON; CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (pid TEXT REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    const results = await Promise.allSettled([
      q.write(async () => insert('a')),
      q.write(async () => sqlite.prepare("INSERT INTO c (pid) VALUES ('nope')").run()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(rows()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
    await q.write(async () => insert('z'));
    expect(rows()).toEqual(['z']);
  });
});
