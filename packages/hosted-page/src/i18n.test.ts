import { describe, expect, it } from 'vitest';
import { localeOf } from './i18n.ts';

describe('localeOf', () => {
  it('knows its locales and falls back to English for anything else, prototype names too', () => {
    expect(localeOf('hi').lang).toBe('hi');
    for (const name of ['__proto__', 'constructor', 'toString', 'xx', null]) {
      expect(localeOf(name).lang).toBe('en');
      expect(typeof localeOf(name).strings).toBe('object');
    }
  });
});
