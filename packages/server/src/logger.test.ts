import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './http/env.ts';
import { onError } from './http/on-error.ts';
import { requestLog } from './http/request-log.ts';
import { createLogger } from './logger.ts';

function captured() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

describe('the log', () => {
  it('an unhandled error is logged with its type, message, code, stack, cause and request id, card numbers scrubbed', async () => {
    const { lines, logger } = captured();
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use('*', requestLog(logger));
    app.get('/boom', () => {
      const err = new TypeError('cannot read 4242424242424242 of undefined', {
        cause: new Error('the cause'),
      });
      (err as { code?: string }).code = 'E_BOOM';
      throw err;
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { request_id: string } };
    const line = lines.find((l) => l.msg === 'unhandled error');
    expect(line).toMatchObject({
      request_id: body.error.request_id,
      err: {
        type: 'TypeError',
        code: 'E_BOOM',
        message: 'cannot read [redacted card ····4242] of undefined',
        cause: { type: 'Error', message: 'the cause' },
      },
    });
    expect(line?.err.stack).toContain('TypeError: cannot read [redacted card ····4242]');
    expect(JSON.stringify(lines)).not.toContain('4242424242424242');
  });
});
