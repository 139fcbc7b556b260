import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../merchants/keys.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kassa = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

describe('kassa merchants create', () => {
  it('prints the id and keys as JSON and stores only a hash of the secret key', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-cli-')), 'k.db');
    const r = kassa(
      [
        'merchants',
        'create',
        '--name',
        'Chai Point',
        '--origin',
        'https://chai.example/',
        '--origin',
        'http://localhost:5173',
        '--json',
      ],
      { KASSA_DATABASE_URL: db },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      name: 'Chai Point',
      allowed_origins: ['https://chai.example', 'http://localhost:5173'],
    });
    expect(out.id).toMatch(/^mer_/);
    expect(out.publishable_key).toMatch(/^pk_test_/);
    expect(out.secret_key).toMatch(/^sk_test_/);
    const store = createSqliteStore({ filename: db });
    const key = await store.read((tx) => tx.apiKeys.bySecretHash(hashSecret(out.secret_key)));
    expect(key).toMatchObject({ merchantId: out.id, kind: 'secret', livemode: false });
    expect(JSON.stringify(key)).not.toContain(out.secret_key);
    await store.close();
  });

  it('refuses a missing name and a non-http origin with a clear message', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-cli-')), 'k.db');
    const noName = kassa(['merchants', 'create', '--json'], { KASSA_DATABASE_URL: db });
    expect(noName.status).toBe(1);
    expect(noName.stderr).toContain('--name is required');
    const badOrigin = kassa(['merchants', 'create', '--name', 'X', '--origin', 'ftp://x'], {
      KASSA_DATABASE_URL: db,
    });
    expect(badOrigin.status).toBe(1);
    expect(badOrigin.stderr).toContain('origin must be http(s)');
  });
});

describe('kassa keys expire', () => {
  it('ends a leaked secret key now: the key answers 401, the new one printed once works', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-keys-')), 'k.db');
    const env = { KASSA_DATABASE_URL: db, KASSA_LOG_LEVEL: 'silent' };
    const made = kassa(['merchants', 'create', '--name', 'Keys', '--json'], env);
    expect(made.status, made.stderr).toBe(0);
    const { id, secret_key: leaked } = JSON.parse(made.stdout) as {
      id: string;
      secret_key: string;
    };
    const out = kassa(
      ['keys', 'expire', '--merchant', id, '--mode', 'test', '--last4', leaked.slice(-4)],
      env,
    );
    expect(out.status, out.stderr).toBe(0);
    const fresh = /New secret key \(shown once\): (sk_test_\S+)/.exec(out.stdout)?.[1] as string;
    expect(fresh).toBeTruthy();
    const store = createSqliteStore({ filename: db });
    const keys = await store.read(async (tx) => [
      await tx.apiKeys.bySecretHash(hashSecret(leaked)),
      await tx.apiKeys.bySecretHash(hashSecret(fresh)),
    ]);
    // The audit record: an event, saying the CLI did it.
    const audit = await store.read((tx) => tx.events.ofObject(keys[0]?.id as string));
    await store.close();
    expect(audit.map((e) => [e.type, (e.data as { changed_by: string }).changed_by])).toEqual([
      ['api_key.expired', 'cli'],
    ]);
    expect(keys[0]?.revokedAt).toBeLessThanOrEqual(Date.now());
    expect(keys[1]?.revokedAt).toBeNull();
    const again = kassa(
      ['keys', 'expire', '--merchant', id, '--mode', 'test', '--last4', leaked.slice(-4)],
      env,
    );
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('no live test secret key ends in');
  });
});
