import { afterEach, describe, expect, it } from 'vitest';
import { createParent } from './parent.ts';

const sent: [unknown, string][] = [];
const framedWindow = () => {
  const parent = { postMessage: (m: unknown, origin: string) => sent.push([m, origin]) };
  (globalThis as { window?: unknown }).window = { parent };
};
afterEach(() => {
  sent.length = 0;
  delete (globalThis as { window?: unknown }).window;
});

describe('what the page tells checkout.js', () => {
  it('posts to the exact parent origin, only when framed by an allowed origin', () => {
    framedWindow();
    const parent = createParent('https://shop.example', ['https://shop.example']);
    expect(parent.embedded).toBe(true);
    parent.post({ type: 'busy', busy: true });
    expect(sent).toEqual([
      [{ source: 'kassa', version: 1, type: 'busy', busy: true }, 'https://shop.example'],
    ]);
  });

  it('stays silent for an origin the merchant did not allow, or when not framed', () => {
    framedWindow();
    createParent('https://evil.example', ['https://shop.example']).post({ type: 'close' });
    createParent(null, ['https://shop.example']).post({ type: 'close' });
    const top = {} as { parent?: unknown };
    top.parent = top;
    (globalThis as { window?: unknown }).window = top;
    const alone = createParent('https://shop.example', ['https://shop.example']);
    expect(alone.embedded).toBe(false);
    alone.post({ type: 'close' });
    expect(sent).toEqual([]);
  });
});
