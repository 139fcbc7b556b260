import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kassa = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, KASSA_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

const KEY = 'ab'.repeat(32);

describe('kassa processors', () => {
  it('saves Stripe keys sealed, lists them masked, and start refuses live keys it cannot open', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-proc-')), 'k.db');
    const env = { KASSA_DATABASE_URL: db, KASSA_PUBLIC_URL: 'https://pay.example' };
    const created = kassa(
      [
        'merchants',
        'create',
        '--name',
        'Chai',
        '--origin',
        'https://chai.example',
        '--live',
        '--json',
      ],
      env,
    );
    expect(created.status, created.stderr).toBe(0);
    const merchant = JSON.parse(created.stdout).id as string;

    const noKey = kassa(
      [
        'processors',
        'set',
        'stripe',
        '--merchant',
        merchant,
        '--mode',
        'live',
        '--secret-key',
        'sk_live_abc123',
        '--publishable-key',
        'pk_live_abc123',
        '--webhook-secret',
        'whsec_abc123',
      ],
      env,
    );
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('KASSA_ENCRYPTION_KEY');

    // From the environment, as the README suggests, so the secret stays out of history.
    const set = kassa(['processors', 'set', 'stripe', '--merchant', merchant, '--mode', 'live'], {
      ...env,
      KASSA_ENCRYPTION_KEY: KEY,
      KASSA_STRIPE_SECRET_KEY: 'sk_live_abc123',
      KASSA_STRIPE_PUBLISHABLE_KEY: 'pk_live_abc123',
      KASSA_STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
    });
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/https:\/\/pay\.example\/v1\/processor_webhooks\/stripe\/pacct_\w+/);
    expect(set.stdout).toContain('charge.dispute.created');
    expect(set.stdout + set.stderr).not.toContain('sk_live_abc123');
    // A public URL needs no warning…
    expect(set.stdout).not.toContain('cannot reach');
    // …but one on this machine cannot be called by Stripe, and the command says so.
    const local = kassa(['processors', 'set', 'stripe', '--merchant', merchant, '--mode', 'test'], {
      ...env,
      KASSA_PUBLIC_URL: 'http://localhost:8000',
      KASSA_ENCRYPTION_KEY: KEY,
      KASSA_STRIPE_SECRET_KEY: 'sk_test_abc123',
      KASSA_STRIPE_PUBLISHABLE_KEY: 'pk_test_abc123',
      KASSA_STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
    });
    expect(local.status, local.stderr).toBe(0);
    expect(local.stdout).toContain(
      "localhost is this machine's own address; stripe cannot reach it",
    );
    expect(local.stdout).toContain('stripe listen --forward-to');

    const list = kassa(['processors', 'list', '--merchant', merchant], {
      ...env,
      KASSA_ENCRYPTION_KEY: KEY,
    });
    expect(list.stdout).toContain('publishable_key: pk_live_abc123');
    expect(list.stdout).toContain('secret_key: …c123');
    expect(list.stdout).not.toContain('sk_live_abc123');
    expect(readFileSync(db).includes('sk_live_abc123')).toBe(false);

    const start = kassa(['start'], { ...env, KASSA_PORT: '0' });
    expect(start.status).not.toBe(0);
    expect(start.stderr).toContain('refusing to start: stripe live credentials');
    const wrongKey = kassa(['start'], {
      ...env,
      KASSA_PORT: '0',
      KASSA_ENCRYPTION_KEY: 'cd'.repeat(32),
    });
    expect(wrongKey.stderr).toContain('does not open it');
  }, 90_000);
});

describe('the CLI’s arguments', () => {
  it('refuses a processor name that is not one (`__proto__`) and a process count out of bounds, in a sentence', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-args-')), 'k.db');
    const env = { KASSA_DATABASE_URL: db, KASSA_ENCRYPTION_KEY: KEY };
    const created = kassa(['merchants', 'create', '--name', 'Args', '--json'], env);
    expect(created.status, created.stderr).toBe(0);
    const merchant = JSON.parse(created.stdout).id as string;
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const res = kassa(['processors', 'set', name, '--merchant', merchant, '--mode', 'test'], env);
      expect(res.status, name).not.toBe(0);
      expect(res.stderr, name).toContain('name a processor');
      expect(res.stderr, name).not.toContain('TypeError');
    }
    for (const n of ['1e9', '0', '-1', '2.5', '257']) {
      const res = kassa(['start', `--processes=${n}`], env);
      expect(res.status, n).not.toBe(0);
      expect(res.stderr, n).toContain('--processes must be a whole number from 1 to 256');
    }
  });
});

describe('kassa processors set razorpay', () => {
  it('takes Razorpay’s own fields from flags or the environment, names the events to enable, and names the flags it takes', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-rzp-')), 'k.db');
    const env = {
      KASSA_DATABASE_URL: db,
      KASSA_ENCRYPTION_KEY: KEY,
      KASSA_PUBLIC_URL: 'https://pay.example',
    };
    const created = kassa(['merchants', 'create', '--name', 'Chai', '--json'], env);
    const merchant = JSON.parse(created.stdout).id as string;
    const typo = kassa(
      ['processors', 'set', 'razorpay', '--merchant', merchant, '--mode', 'test', '--key', 'x'],
      env,
    );
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toContain(
      'razorpay takes --key-id, --key-secret, --webhook-secret; not --key',
    );
    // The secrets from the environment, as an operator keeps them out of the shell history.
    const setKeyId = (keyId: string) =>
      kassa(
        [
          'processors',
          'set',
          'razorpay',
          '--merchant',
          merchant,
          '--mode',
          'test',
          '--key-id',
          keyId,
        ],
        {
          ...env,
          KASSA_RAZORPAY_KEY_SECRET: 'chaiSecret123',
          KASSA_RAZORPAY_WEBHOOK_SECRET: 'chaiHook123',
        },
      );
    const set = setKeyId('rzp_test_chai1');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/processor_webhooks\/razorpay\/pacct_\w+/);
    expect(set.stdout).toContain('payment.captured, payment.failed, order.paid');
    expect(set.stdout + set.stderr).not.toContain('chaiSecret123');
    // A live key id is never saved as test.
    const wrongMode = setKeyId('rzp_live_chai1');
    expect(wrongMode.status).not.toBe(0);
    const list = kassa(['processors', 'list', '--merchant', merchant], env);
    expect(list.stdout).toContain('razorpay test');
    expect(list.stdout).not.toContain('chaiSecret123');
  }, 60_000);
});
