import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../testing/receiver.ts';
import { type SpawnedGateway, spawnGateway } from '../testing/spawn-gateway.ts';
import { until } from '../testing/until.ts';

const env = (dir: string) => ({
  KASSA_DATABASE_URL: `file:${join(dir, 'kassa.db')}`,
  KASSA_WEBHOOK_RETRY_SCHEDULE:
    '0,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5',
  KASSA_JOB_LOCK_MS: '1500',
  KASSA_WORKER_INTERVAL_MS: '50',
  KASSA_LOG_LEVEL: 'warn',
});

describe('crash safety', () => {
  const running: SpawnedGateway[] = [];
  afterAll(async () => {
    for (const g of running) await g.stop('SIGKILL');
  });

  it('after SIGKILL with deliveries pending, a restart on the same database delivers every event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-crash-'));
    const delivered = new Set<string>();
    const rx = await startReceiver((_r, _n, res) => {
      res.writeHead(503);
      res.end();
    });
    try {
      const first = await spawnGateway(env(dir));
      running.push(first);
      const call = (gw: SpawnedGateway, path: string, body?: unknown) =>
        fetch(`${gw.url}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
        }).then((r) => r.json() as Promise<any>);

      await call(first, '/v1/webhook_endpoints', { url: rx.url });
      for (let i = 0; i < 15; i++) {
        await call(first, '/v1/payment_intents', {
          amount: 100 + i,
          currency: 'eur',
          order_id: `CRASH_${i}`,
        });
      }
      // Every event has been tried at least once and is waiting for its next try.
      await until(
        'first attempts',
        () => new Set(rx.received.map((r) => r.headers['webhook-id'])).size >= 15,
      );
      await first.stop('SIGKILL');

      rx.answer((r, _n, res) => {
        delivered.add(String(r.headers['webhook-id']));
        res.end('ok');
      });
      const second = await spawnGateway(env(dir));
      running.push(second);
      const events = (await call(second, '/v1/events?limit=100')).data as { id: string }[];
      expect(events).toHaveLength(15);
      await until('every event delivered', () => events.every((e) => delivered.has(e.id)));
      expect(second.secretKey).toBe(first.secretKey);
    } finally {
      await rx.close();
    }
  }, 60_000);
});
