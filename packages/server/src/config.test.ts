import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('config', () => {
  it("keeps endpoints' answers only while nothing private can be reached, unless told", () => {
    const keep = (env: Record<string, string>) =>
      loadConfig({ KASSA_DATABASE_URL: ':memory:', ...env }).webhooks.keepResponseBodies;
    expect(keep({})).toBe(true);
    expect(keep({ KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' })).toBe(false);
    expect(keep({ KASSA_WEBHOOK_ALLOW_PRIVATE: '1' })).toBe(false);
    expect(
      keep({ KASSA_WEBHOOK_ALLOW_PRIVATE: '1', KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: '1' }),
    ).toBe(true);
    expect(keep({ KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: 'false' })).toBe(false);
  });
});
