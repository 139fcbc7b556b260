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

  it('draw every character about equally often, across refills of the byte pool', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_480; i++) {
      for (const ch of randomToken(25)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    // 62,000 characters: 1,000 expected each; ±25 % is far outside chance (σ ≈ 31).
    for (const n of counts.values()) expect(n).toBeGreaterThan(750);
    for (const n of counts.values()) expect(n).toBeLessThan(1250);
  });
});
