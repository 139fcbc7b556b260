import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.ts';

const size = (f: string) => statSync(f).size;

async function fill(store: ReturnType<typeof createSqliteStore>, n: number) {
  for (let i = 0; i < n; i++) {
    await store.transaction((tx) => tx.settings.set(`k${i}`, 'x'.repeat(500)));
  }
}

describe('WAL checkpoints', () => {
  it('are copied into the database file by the background thread while the store stays open', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kassa-ckpt-')), 'kassa.db');
    const store = createSqliteStore({ filename: file });
    const before = size(file);
    await fill(store, 400);
    // Nothing in a commit checkpoints this little (the fallback is 16,384 pages): only the
    // thread can have grown the database file.
    await expect.poll(() => size(file), { timeout: 5_000 }).toBeGreaterThan(before + 100_000);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n).toBe(400);
    db.close();
  });

  it('stay inside commits when asked, and every commit is kept', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kassa-ckpt-')), 'kassa.db');
    const store = createSqliteStore({ filename: file, backgroundCheckpoints: false });
    await fill(store, 50);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }).n).toBe(50);
    db.close();
  });
});

describe('the database files', () => {
  it('are the owner’s alone (0600): they hold webhook signing secrets and sealed keys', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kassa-mode-')), 'kassa.db');
    const store = createSqliteStore({ filename: file });
    await store.transaction((tx) => tx.settings.set('probe', 'x'));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
    }
    await store.close();
  });
});
