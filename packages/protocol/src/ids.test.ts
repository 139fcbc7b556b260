import { describe, expect, it } from 'vitest';
import { newId, randomToken } from './ids.ts';

describe('ids', () => {
  it('are prefixed, 24 characters after the prefix, and sort by creation time', () => {
    const a = newId('pi', 1_700_000_000_000);
    const b = newId('pi', 1_700_000_000_001);
    const c = newId('pi', 1_800_000_000_000);
    expect(a).toMatch(/^pi_[0-9A-Za-z]{24}$/);
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('do not repeat, and random tokens use the whole alphabet', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('evt')));
    expect(ids.size).toBe(10_000);
    expect(new Set(randomToken(5000)).size).toBe(62);
  });
});
