import { describe, expect, it } from 'vitest';
import { createDashboardUser } from '../dashboard/users.ts';
import { CARDS, card, testGateway } from '../testing/harness.ts';

/*
 * Hostile input over every route the gateway has, on this project's store (SQLite and
 * PostgreSQL both run this file): each route's path parameters replaced by hostile text,
 * hostile query strings and bodies, with and without credentials. The one assertion is
 * that nothing answers 5xx: bad input is a 4xx naming what is wrong.
 */

const HOSTILE_SEGMENTS = [
  'pi_%00',
  '%00',
  '%FF',
  'pi_%ED%A0%80',
  '..%2F..%2Fetc',
  'x'.repeat(3000),
  '%27%3B--',
  '__proto__',
  'constructor',
];
const HOSTILE_QUERIES = [
  '?limit=%00',
  '?status=%00',
  '?%00=1',
  '?limit=1e999',
  '?created[gte]=-1',
  '?starting_after=%FF',
  '?mode=live&limit=-1',
  '?from=x&to=y',
  '?type=%ED%A0%80',
  `?order_id=${'a'.repeat(5000)}`,
];
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const HOSTILE_BODIES = [
  'null',
  '"100"',
  '[]',
  '{"amount": 100',
  '{"amount": 100}garbage',
  '{"amount": "1e999"}',
  '{"amount": 1e999}',
  '{"__proto__": {"x": 1}}',
  '{"constructor": {"prototype": {}}}',
  '{"metadata": {"a\\u0000": "b"}}',
  '{"payment_method": null}',
  '{"payment_method": {"type": "card", "card": null}}',
  '{"events": "x"}',
  '{"id": 1, "reference": {}, "outcome": []}',
  '{"type": "payment_intent.succeeded", "data": {"object": {"object": "payment_intent", "id": 5}}}',
  deep(20_000),
  deepObject(5_000),
  '\ud800',
  '',
];

describe('hostile input over every route family: never a 5xx', () => {
  it('answers every hostile request below 500', { timeout: 240_000 }, async () => {
    const g = await testGateway();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    await createDashboardUser(g.store, g.clock, {
      merchantId: g.a.id,
      email: 'owner@fuzz.test',
      password: 'correct horse battery',
    });
    const login = await g.app.request('/dashboard/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://gateway.test' },
      body: JSON.stringify({ email: 'owner@fuzz.test', password: 'correct horse battery' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const csrf = ((await login.json()) as { csrf_token: string }).csrf_token;

    const routes = [...new Set(g.app.routes.map((r) => `${r.method} ${r.path}`))]
      .map((r) => r.split(' ') as [string, string])
      .filter(
        ([method, path]) => method !== 'ALL' && !path.endsWith('*') && !path.includes('/docs'),
      );
    const families: Record<string, { requests: number; fiveHundreds: string[] }> = {};
    const family = (path: string) =>
      path.startsWith('/v1/client')
        ? 'client'
        : path.startsWith('/v1/processor_webhooks')
          ? 'processor_webhooks'
          : path.startsWith('/v1')
            ? 'v1'
            : path.startsWith('/api/v1')
              ? 'seed-002'
              : path.startsWith('/dashboard')
                ? 'dashboard'
                : path.startsWith('/metrics')
                  ? 'metrics'
                  : path.startsWith('/processors')
                    ? 'processor_pages'
                    : 'pages';
    const auths: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${g.a.sk}` },
      { authorization: `Bearer ${g.a.pk}` },
      { cookie, 'x-csrf-token': csrf, origin: 'http://gateway.test' },
    ];
    const send = async (
      method: string,
      url: string,
      headers: Record<string, string>,
      body?: string,
    ) => {
      const f = family(url);
      families[f] ??= { requests: 0, fiveHundreds: [] };
      families[f].requests += 1;
      let status: number;
      try {
        const res = await g.app.request(url, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(body !== undefined && method !== 'GET' && method !== 'HEAD' && { body }),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch (err) {
        status = 599;
        void err;
      }
      if (status >= 500)
        families[f].fiveHundreds.push(
          `${method} ${url.slice(0, 120)} ${body?.slice(0, 60) ?? ''} → ${status}`,
        );
    };

    for (const [method, path] of routes) {
      const withParams = (segment: string) => path.replace(/:[A-Za-z_]+/g, segment);
      const real = path
        .replace(/:id\b/g, pi.id)
        .replace(/:processor\b/g, 'sandbox')
        .replace(/:[A-Za-z_]+/g, 'x');
      for (const auth of auths) {
        for (const segment of path.includes(':') ? HOSTILE_SEGMENTS : ['']) {
          await send(method, withParams(segment) || path, auth, '{}');
        }
        for (const q of HOSTILE_QUERIES) await send(method, `${real}${q}`, auth);
        if (method === 'POST' || method === 'PATCH' || method === 'DELETE') {
          for (const body of HOSTILE_BODIES) await send(method, real, auth, body);
        }
      }
    }
    const lines = Object.entries(families).map(
      ([f, r]) => `${f}: ${r.requests} requests, ${r.fiveHundreds.length} × 5xx`,
    );
    console.log(`hostile input (${g.store.kind}): ${routes.length} routes; ${lines.join('; ')}`);
    const all = Object.values(families).flatMap((r) => r.fiveHundreds);
    expect(all).toEqual([]);
    expect(Object.values(families).reduce((n, r) => n + r.requests, 0)).toBeGreaterThan(3000);
  });
});
