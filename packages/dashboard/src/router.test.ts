import { afterEach, describe, expect, it, vi } from 'vitest';
import { usePage } from './hooks/use-page.ts';
import { routeOf } from './router.ts';

describe('the dashboard routes', () => {
  it('each address shows its page; a payment carries its id', () => {
    expect(routeOf('/dashboard')).toEqual({ page: 'overview' });
    expect(routeOf('/dashboard/')).toEqual({ page: 'overview' });
    expect(routeOf('/dashboard/payments')).toEqual({ page: 'payments' });
    expect(routeOf('/dashboard/payments/pi_3Ab-9')).toEqual({ page: 'payment', id: 'pi_3Ab-9' });
    expect(routeOf('/dashboard/webhooks/')).toEqual({ page: 'webhooks' });
    expect(routeOf('/dashboard/developers')).toEqual({ page: 'developers' });
    expect(routeOf('/dashboard/password')).toEqual({ page: 'password' });
  });

  it('an unknown address, or a payment id with a slash or a dot, shows the overview', () => {
    expect(routeOf('/dashboard/nope')).toEqual({ page: 'overview' });
    expect(routeOf('/dashboard/payments/pi_1/../x')).toEqual({ page: 'overview' });
    expect(routeOf('/dashboard/payments/a.b')).toEqual({ page: 'overview' });
  });
});

describe('paging a list by cursor', () => {
  const pushed: string[] = [];
  afterEach(() => {
    vi.unstubAllGlobals();
    pushed.length = 0;
  });
  const stubHistory = () => {
    vi.stubGlobal('history', {
      pushState: (_: unknown, __: string, path: string) => pushed.push(path),
    });
    vi.stubGlobal('dispatchEvent', () => true);
    vi.stubGlobal('PopStateEvent', class {});
  };
  const rows = (...ids: string[]) => ids.map((id) => ({ id }));
  const at = (search: string) => new URL(`http://x/dashboard/payments${search}`);

  it('the first page can only go older, and only when there is more', () => {
    const first = usePage(at('?status=succeeded'), { data: rows('pi_9', 'pi_8'), has_more: true });
    expect(first.shown).toBe(true);
    expect(first.newer).toBeNull();
    expect(first.older).not.toBeNull();
    const only = usePage(at(''), { data: rows('pi_9'), has_more: false });
    expect(only.shown).toBe(false);
    expect(only.older).toBeNull();
  });

  it('moving keeps the filters and swaps the cursor', () => {
    stubHistory();
    const page = usePage(at('?status=succeeded&after=pi_5'), {
      data: rows('pi_4', 'pi_3'),
      has_more: true,
    });
    page.older?.();
    page.newer?.();
    expect(pushed).toEqual([
      '/dashboard/payments?status=succeeded&after=pi_3',
      '/dashboard/payments?status=succeeded&before=pi_4',
    ]);
  });

  it('going back to the newest end stops at it', () => {
    const newest = usePage(at('?before=pi_7'), { data: rows('pi_9', 'pi_8'), has_more: false });
    expect(newest.newer).toBeNull();
    expect(newest.older).not.toBeNull();
  });
});
