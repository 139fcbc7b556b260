import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kassa = (args: string[], db: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, KASSA_DATABASE_URL: db, KASSA_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });

describe('kassa reconcile', () => {
  it('prints the run as JSON, or the rows as CSV, and needs a date', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'kassa-rcn-')), 'k.db');
    const json = kassa(['reconcile', '--date', '2026-11-21'], db);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      object: 'reconciliation_run',
      date: '2026-11-21',
      rows: [],
    });
    const csv = kassa(['reconcile', '--date', '2026-11-21', '--csv'], db);
    expect(csv.stdout.trim()).toBe(
      'reference,processor,payment_intent,merchant,amount,currency,kassa_status,processor_status,case,action',
    );
    const none = kassa(['reconcile'], db);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('--date');
  });
});
